-- POST /douyin/relation/action/: many users following others, each follow undone by an unfollow a while later, so
-- that every request changes something and the data stays as it was (up to UNDO_AFTER follows a thread stay at the
-- end). With SEEDED_FOLLOWS, users one follows in the bench's seed are left alone.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/relation-action.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()
assert(common.seeded_follows < common.user_max - 1, "every user follows every other in the seed: nothing to follow")

local follows = common.undo_later()
function request()
  local follow = follows.due()
  if follow then return common.request("POST", "/douyin/relation/action/", { token = follow.token, to_user_id = follow.target, action_type = 2 }) end
  local me = common.login()
  local target = common.other(me.id)
  while common.seeded_follow(me.id, target) do target = common.other(me.id) end
  follow = { token = me.token, target = target }
  follows.push(follow)
  return common.request("POST", "/douyin/relation/action/", { token = follow.token, to_user_id = follow.target, action_type = 1 })
end
