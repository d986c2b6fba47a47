-- GET /douyin/relation/friend/list/: a logged-in user's friends with their latest message.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/friend-list.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

function request()
  local me = common.login()
  return common.request("GET", "/douyin/relation/friend/list/", { user_id = me.id, token = me.token })
end
