-- POST /douyin/relation/action/: many users following and unfollowing others.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/relation-action.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

function request()
  local me = common.login()
  return common.request("POST", "/douyin/relation/action/", { token = me.token, to_user_id = common.other(me.id), action_type = math.random(1, 2) })
end
