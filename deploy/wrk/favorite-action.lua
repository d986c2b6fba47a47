-- POST /douyin/favorite/action/: many users liking and unliking random videos.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/favorite-action.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

function request()
  return common.request("POST", "/douyin/favorite/action/", { token = common.login().token, video_id = common.video(), action_type = math.random(1, 2) })
end
