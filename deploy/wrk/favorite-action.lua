-- POST /douyin/favorite/action/: many users liking random videos, each like undone by an unlike a while later, so
-- that every request changes something and the data stays as it was (up to UNDO_AFTER likes a thread stay at the
-- end). With SEEDED_LIKES, videos a user likes in the bench's seed are left alone.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/favorite-action.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()
assert(common.seeded_likes < common.video_max, "every video is liked by every user in the seed: nothing to like")

local likes = common.undo_later()
function request()
  local like = likes.due()
  if like then return common.request("POST", "/douyin/favorite/action/", { token = like.token, video_id = like.video, action_type = 2 }) end
  local me = common.login()
  local video = common.video()
  while common.seeded_like(me.id, video) do video = common.video() end
  like = { token = me.token, video = video }
  likes.push(like)
  return common.request("POST", "/douyin/favorite/action/", { token = like.token, video_id = like.video, action_type = 1 })
end
