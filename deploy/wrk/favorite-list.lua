-- GET /douyin/favorite/list/: a random user's liked videos.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/favorite-list.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

function request() return common.request("GET", "/douyin/favorite/list/", { user_id = common.user(), token = common.login().token }) end
