-- POST /douyin/comment/action/ (add): many users commenting on random videos.
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/comment-action.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

local lines = { "太好看了", "love this!", "where is this? 🌅", "again please" }
function request()
  return common.request("POST", "/douyin/comment/action/", {
    token = common.login().token, video_id = common.video(), action_type = 1, comment_text = lines[math.random(1, #lines)],
  })
end
