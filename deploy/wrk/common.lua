-- Shared by every deploy/wrk script (each loads it with dofile next to itself). Environment:
--   TOKENS     file of "<user id> <token>" lines (`npm run tokens -w @douyin/bench -- --gateway <url>` logs seeded
--              users in and writes one); scripts that need a token pick a random line per request
--   USER_MAX   highest user id to aim at (default: the highest id in TOKENS, else 1000)
--   VIDEO_MAX  highest video id to aim at (default 10000)
--   SEEDED_LIKES, SEEDED_FOLLOWS  likes and follows each user has in the bench's seed (bench/src/seed/rows.ts, whose
--              USER_MAX users and VIDEO_MAX videos these must be): favorite-action and relation-action then aim only
--              at pairs the seed does not hold, so that their undo removes their own write, never a seeded one
--              (default 0: any pair)
--   UNDO_AFTER how many of its requests later a thread undoes each like, follow or comment (default 256: well past
--              the requests in flight on the thread's connections, -c / -t)
-- Every answer is checked: an HTTP 200 whose status_code is not 0 counts as an APK error, reported at the end
-- (wrk itself counts the answers that are not 2xx).
local common = {}

local function load_tokens(path)
  local list = {}
  if not path or path == "" then return list end
  local file = assert(io.open(path, "r"), "cannot open TOKENS file " .. path)
  for line in file:lines() do
    local id, token = line:match("^(%d+)%s+(%S+)")
    if id then list[#list + 1] = { id = tonumber(id), token = token } end
  end
  file:close()
  return list
end

common.tokens = load_tokens(os.getenv("TOKENS"))
local highest = 0
for _, entry in ipairs(common.tokens) do if entry.id > highest then highest = entry.id end end
common.user_max = tonumber(os.getenv("USER_MAX") or "") or (highest > 0 and highest or 1000)
common.video_max = tonumber(os.getenv("VIDEO_MAX") or "") or 10000

common.seeded_likes = tonumber(os.getenv("SEEDED_LIKES") or "") or 0
common.seeded_follows = tonumber(os.getenv("SEEDED_FOLLOWS") or "") or 0
common.undo_after = tonumber(os.getenv("UNDO_AFTER") or "") or 256

function common.user() return math.random(1, common.user_max) end
function common.video() return math.random(1, common.video_max) end

-- A random logged-in user: { id = ..., token = ... }.
function common.login()
  assert(#common.tokens > 0, "this script needs TOKENS=<file of '<user id> <token>' lines>")
  return common.tokens[math.random(1, #common.tokens)]
end

-- Another user than `id`, for follows and messages (following or messaging oneself is an error by contract).
function common.other(id)
  local other = common.user()
  while other == id and common.user_max > 1 do other = common.user() end
  return other
end

local function encode(value)
  return (tostring(value):gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- An APK request: parameters in the query string (contract §1 accepts query or form body).
function common.request(method, path, params)
  local query = {}
  for key, value in pairs(params or {}) do query[#query + 1] = key .. "=" .. encode(value) end
  local url = path
  if #query > 0 then url = path .. "?" .. table.concat(query, "&") end
  return wrk.format(method, url)
end

-- The seeder's strides: user u's j-th like is video ((u*P1 + j*P2) mod VIDEO_MAX) + 1, and its j-th follow the user
-- at offset 1, USER_MAX-1, then 2 + ((j-2)*P1 mod (USER_MAX-3)) (rows.ts). Products stay below 2^53, where Lua's
-- doubles are exact.
local P1, P2 = 7919, 104729

local function inverse(a, m)
  local t, next_t, r, next_r = 0, 1, m, a % m
  while next_r ~= 0 do
    local q = math.floor(r / next_r)
    t, next_t = next_t, t - q * next_t
    r, next_r = next_r, r - q * next_r
  end
  return t % m
end

local like_inverse, follow_inverse
-- Whether the seed has user `user` like video `video`.
function common.seeded_like(user, video)
  if common.seeded_likes == 0 then return false end
  local videos = common.video_max
  like_inverse = like_inverse or inverse(P2, videos)
  local j = ((video - 1 - user * P1) % videos) * like_inverse % videos
  return j < common.seeded_likes
end

-- Whether the seed has user `follower` follow user `followee`.
function common.seeded_follow(follower, followee)
  if common.seeded_follows == 0 then return false end
  local users = common.user_max
  local offset = (followee - follower) % users
  if offset == 1 then return true end
  if offset == users - 1 then return common.seeded_follows > 1 end
  follow_inverse = follow_inverse or inverse(P1, users - 3)
  return 2 + ((offset - 2) * follow_inverse % (users - 3)) < common.seeded_follows
end

-- A first-in, first-out list of writes to undo later: a like is unliked, a follow unfollowed, UNDO_AFTER requests
-- of this thread later, so that each one changes something (an unlike of a video never liked would not) and the data
-- stays about as seeded. A thread's requests go out on several connections at once: the undo waits until the
-- write it undoes has almost certainly been answered.
function common.undo_later()
  local after = common.undo_after
  local list, first, last = {}, 1, 0
  local undo = {}
  function undo.push(entry)
    last = last + 1
    list[last] = entry
  end
  -- The oldest write once more than `after` wait, else nil.
  function undo.due()
    if last - first + 1 <= after then return nil end
    local entry = list[first]
    list[first] = nil
    first = first + 1
    return entry
  end
  return undo
end

-- Installs wrk's per-thread callbacks that count APK errors and print them with the summary; `on_success(body)`, if
-- given, sees each successful answer.
function common.check_answers(on_success)
  local threads = {}
  function setup(thread)
    thread:set("id", #threads + 1)
    threads[#threads + 1] = thread
  end
  function init(args)
    -- The time and the thread alone would seed the same numbers in every wrk started in the same second (several
    -- load machines); a fresh table's address differs from process to process.
    local address = tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0
    math.randomseed(os.time() * 1000 + id + address % 1000003)
    apk_errors, apk_ok, first_error = 0, 0, nil
  end
  function response(status, headers, body)
    -- wrk counts a status past 399 itself (its "Non-2xx or 3xx responses", once); any other that is not the APK's
    -- 200 (a redirect, a 204) is counted here, or a route answering one would pass for served.
    if status ~= 200 then
      if status < 400 then apk_errors = apk_errors + 1 end
      if not first_error then first_error = status .. " " .. (body or ""):sub(1, 200) end
      return
    end
    local code = body and body:match('"status_code":%s*(%d+)')
    if code == "0" then
      apk_ok = apk_ok + 1
      if on_success then on_success(body) end
    else
      apk_errors = apk_errors + 1
      if not first_error then first_error = status .. " " .. (body or ""):sub(1, 200) end
    end
  end
  function done(summary, latency, requests)
    local ok, errors, sample = 0, 0, nil
    for _, thread in ipairs(threads) do
      ok = ok + thread:get("apk_ok")
      errors = errors + thread:get("apk_errors")
      sample = sample or thread:get("first_error")
    end
    io.write(string.format("APK answers: %d ok, %d with status_code != 0\n", ok, errors))
    if sample then io.write("first APK error: " .. sample .. "\n") end
  end
end

return common
