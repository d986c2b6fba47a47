-- GET /douyin/feed/ without a token: the newest page, the APK's cold start.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/feed.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

function request() return common.request("GET", "/douyin/feed/") end
