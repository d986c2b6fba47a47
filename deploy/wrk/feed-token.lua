-- GET /douyin/feed/ with a token: the same page plus is_follow / is_favorite for the viewer.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/feed-token.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

function request() return common.request("GET", "/douyin/feed/", { token = common.login().token }) end
