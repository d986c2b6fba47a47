-- POST /douyin/favorite/action/: many users liking random videos, each like undone by an unlike a while later, so
-- that every request changes something and the data stays about as seeded (up to 64 likes a thread stay at the end).
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/favorite-action.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

local likes = common.undo_later(64)
function request()
  local like = likes.due()
  if like then return common.request("POST", "/douyin/favorite/action/", { token = like.token, video_id = like.video, action_type = 2 }) end
  like = { token = common.login().token, video = common.video() }
  likes.push(like)
  return common.request("POST", "/douyin/favorite/action/", { token = like.token, video_id = like.video, action_type = 1 })
end
