-- POST /douyin/comment/action/: many users commenting on random videos, and deleting each comment a while later, so
-- that both actions are measured and the data stays as it was (up to UNDO_AFTER comments a thread stay at the end).
-- Usage: wrk -t2 -c64 -d30s -s deploy/wrk/comment-action.lua http://<gateway>:8080   (environment: see common.lua)
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")

local lines = { "太好看了", "love this!", "where is this? 🌅", "again please" }
-- A comment's answer carries its id and its text, not its video: each text ends in a tag naming its request.
local sent, pending = 0, {}
local deletes = common.undo_later()
common.check_answers(function(body)
  local id, tag = body:match('"comment":{"id":(%d+),.-"content":"[^"]-#(%d+)"')
  local added = tag and pending[tonumber(tag)]
  if not added then return end
  pending[tonumber(tag)] = nil
  added.comment = id
  deletes.push(added)
end)

function request()
  local due = deletes.due()
  if due then
    return common.request("POST", "/douyin/comment/action/", { token = due.token, video_id = due.video, action_type = 2, comment_id = due.comment })
  end
  sent = sent + 1
  -- An add whose answer failed leaves its entry: forgotten long after any answer could still come.
  pending[sent - 10000] = nil
  pending[sent] = { token = common.login().token, video = common.video() }
  return common.request("POST", "/douyin/comment/action/", {
    token = pending[sent].token, video_id = pending[sent].video, action_type = 1, comment_text = lines[math.random(1, #lines)] .. " #" .. sent,
  })
end
