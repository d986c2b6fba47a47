-- POST /douyin/publish/action/: logged-in users uploading one video file as the APK does (multipart form with
-- token, title and data). Usage:
--   VIDEO_FILE=clip.mp4 TOKENS=tokens.txt wrk -t2 -c8 -d30s -s deploy/wrk/publish.lua http://<gateway>:8080
-- Uploads are limited to RATE_LIMIT_UPLOAD_USER (30/min) per user: use many TOKENS lines, or raise the limit.
local common = dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "common.lua")
common.check_answers()

local path = assert(os.getenv("VIDEO_FILE"), "publish.lua needs VIDEO_FILE=<a video file, e.g. an MP4>")
local file = assert(io.open(path, "rb"), "cannot open VIDEO_FILE " .. path)
local video = file:read("*a")
file:close()

local boundary = "douyin-wrk-7f3a9c"
local function field(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
end
local data = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"clip.mp4\"\r\n" ..
  "Content-Type: video/mp4\r\n\r\n" .. video .. "\r\n--" .. boundary .. "--\r\n"
local headers = { ["Content-Type"] = "multipart/form-data; boundary=" .. boundary }

local sent = 0
function request()
  sent = sent + 1
  local body = field("token", common.login().token) .. field("title", "wrk upload " .. sent) .. data
  return wrk.format("POST", "/douyin/publish/action/", headers, body)
end
