-- POST /douyin/relation/action/: many users following others, each follow undone by an unfollow a while later, so
-- that every request changes something and the data stays about as seeded (up to 64 follows a thread stay at the end).
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/relation-action.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

local follows = common.undo_later(64)
function request()
  local follow = follows.due()
  if follow then return common.request("POST", "/douyin/relation/action/", { token = follow.token, to_user_id = follow.target, action_type = 2 }) end
  local me = common.login()
  follow = { token = me.token, target = common.other(me.id) }
  follows.push(follow)
  return common.request("POST", "/douyin/relation/action/", { token = follow.token, to_user_id = follow.target, action_type = 1 })
end
