-- GET /douyin/comment/list/: a random video's comments.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/comment-list.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

function request() return common.request("GET", "/douyin/comment/list/", { video_id = common.video(), token = common.login().token }) end
