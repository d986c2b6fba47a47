-- POST /douyin/user/login/: existing accounts logging in (each login hashes with scrypt: CPU-heavy by design).
-- Usage: CREDENTIALS=creds.txt wrk -t2 -c64 -d30s -s deploy/wrk/login.lua http://<gateway>:8080
--   CREDENTIALS  file of "<username> <password>" lines, e.g. seeded users ("<name>_<id> bench-pass-1": the
--                seeder's userRow names them) or accounts made otherwise
-- Wrong passwords in a row block a username per client IP (LOGIN_MAX_FAILURES): use correct ones. Logins are
-- limited to RATE_LIMIT_LOGIN_IP (60/min) per client IP: raise it, or set RATE_LIMITS=off, on the gateway under
-- test, or most answers are 42901 (counted as APK errors below).
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

local accounts = {}
local path = assert(os.getenv("CREDENTIALS"), "login.lua needs CREDENTIALS=<file of '<username> <password>' lines>")
for line in assert(io.open(path, "r"), "cannot open CREDENTIALS file " .. path):lines() do
  local username, password = line:match("^(%S+)%s+(%S+)")
  if username then accounts[#accounts + 1] = { username = username, password = password } end
end
assert(#accounts > 0, "no '<username> <password>' line in " .. path)

function request()
  local account = accounts[math.random(1, #accounts)]
  return common.request("POST", "/douyin/user/login/", { username = account.username, password = account.password })
end
