-- GET /douyin/message/chat/: the APK polling an open chat about once a second (pre_msg_time = now - 1 s).
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/chat-poll.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

function request()
  local me = common.login()
  local peer = me.id % common.user_max + 1  -- the seeder's conversation partner of user id
  return common.request("GET", "/douyin/message/chat/", { token = me.token, to_user_id = peer, pre_msg_time = (os.time() - 1) * 1000 })
end
