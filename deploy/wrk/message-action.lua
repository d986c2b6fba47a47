-- POST /douyin/message/action/: many users sending messages.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/message-action.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

function request()
  local me = common.login()
  return common.request("POST", "/douyin/message/action/", { token = me.token, to_user_id = common.other(me.id), action_type = 1, content = "hi 👋" })
end
