-- GET /douyin/user/: a random user's profile as seen by a random logged-in viewer.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/user-info.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

function request() return common.request("GET", "/douyin/user/", { user_id = common.user(), token = common.login().token }) end
