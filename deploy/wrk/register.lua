-- POST /douyin/user/register/: new accounts with unique names (password bench-pass-1).
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/register.lua http://<gateway>:8080
-- Registration is limited to RATE_LIMIT_REGISTER_IP (60/min) per client IP: raise it, or set RATE_LIMITS=off, on
-- the gateway under test, or most answers are 42901 (counted as APK errors below).
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

local started, sent, run = os.time(), 0, nil
function request()
  sent = sent + 1
  -- thread id, start second, a random tag (two wrk processes may start in the same second) and a counter: unique
  -- across threads and runs, well under the 32-character limit
  run = run or string.format("%05x", math.random(0, 0xfffff))
  local name = string.format("w%d_%d%s_%d", id, started, run, sent)
  return common.request("POST", "/douyin/user/register/", { username = name, password = "bench-pass-1" })
end
