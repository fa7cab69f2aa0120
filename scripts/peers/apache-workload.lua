-- The suite's workload endpoints on Apache httpd's mod_lua (apache.sh maps /io /cpu /file
-- /bytes here; / and /hello are a static file). Bodies, statuses and Content-Type are the
-- Go models' (servers/workload). Each Lua VM (one per thread) loads this file once.
local HELLO = "Hello, World!\n"
local ALLOW = "GET, HEAD, POST"
local REASON = {
  [400] = "Bad Request", [404] = "Not Found", [405] = "Method Not Allowed", [413] = "Content Too Large",
  [414] = "URI Too Long", [431] = "Request Header Fields Too Large", [500] = "Internal Server Error",
  [501] = "Not Implemented", [505] = "HTTP Version Not Supported",
}
local ROUTES = {
  ["/io"] = { "ms", 0, 10000 }, ["/cpu"] = { "us", 0, 1000000 },
  ["/file"] = { "kb", 1, 10240 }, ["/bytes"] = { "kb", 1, 10240 },
}
local DIR = "@DIR@" -- apache.sh writes the server's directory here
local FILE, CALIB = DIR .. "/file.bin", DIR .. "/run/calib"

-- block is the first 4 KiB of the pattern, which repeats every 64 lines of 64 bytes; the
-- body of /bytes is built from it per request (a VM per thread cannot afford 10 MiB each).
local block
do
  local alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
  local t = {}
  for i = 0, 4095 do
    local k = (i // 64 + i) % 64
    t[#t + 1] = (i % 64 == 63) and "\n" or alphabet:sub(k + 1, k + 1)
  end
  block = table.concat(t)
end

-- spin: the xorshift rounds of servers/workload (Lua 5.3 integers are 64-bit, >> is logical).
local function spin(n)
  local x = 88172645463325252
  for _ = 1, n do
    x = x ~ (x << 13); x = x ~ (x >> 7); x = x ~ (x << 17)
  end
  return x
end

-- schedstat reads this thread's /proc/thread-self/schedstat: ns on the CPU, and the times it
-- was switched in; nil where the file is absent (not Linux).
local function schedstat()
  local f = io.open("/proc/thread-self/schedstat", "r")
  if not f then return nil end
  local ns, _, switches = f:read("n", "n", "n")
  f:close()
  return ns, switches
end

-- threadCpuUs: this thread's CPU time in µs, or nil. The kernel adds the time run to the
-- file's first field when the thread leaves the CPU (or at a tick, every few ms), so a
-- reading first blocks the thread for 50 µs (r.usleep), again while the switch count shows
-- that it did not leave the CPU.
local function threadCpuUs(r)
  local ns, before = schedstat()
  if not before then return nil end
  for _ = 1, 100 do
    r.usleep(50)
    local after
    ns, after = schedstat()
    if after ~= before then break end
    before = after
  end
  return ns / 1000
end

-- itersPerUs: spin's rounds per µs of the calibrating thread's CPU time (r:clock(), the wall
-- clock, where /proc/thread-self/schedstat is absent), so that beside a busy thread a burn
-- takes longer, not fewer rounds. Calibrated once per server (best of 7 runs) by the first
-- /cpu request, and shared by every VM through a file in the server's directory, which
-- holds "ITERS CLOCK" (CLOCK: thread-cpu or wall).
local itersPerUs
local function calibrate(r)
  local f = io.open(CALIB, "r")
  if f then
    itersPerUs = f:read("n"); f:close()
    if itersPerUs then return end
  end
  local now, kind = function() return threadCpuUs(r) end, "thread-cpu"
  if not threadCpuUs(r) then now, kind = function() return r:clock() end, "wall" end
  local rounds, best = 1 << 18, math.huge
  for _ = 1, 7 do
    local t0 = now()
    spin(rounds)
    local d = now() - t0
    if d > 0 and d < best then best = d end
  end
  itersPerUs = rounds / best
  local tmp = CALIB .. ".tmp" .. tostring(r:clock())
  f = io.open(tmp, "w")
  if f then f:write(string.format("%.6f %s", itersPerUs, kind)); f:close(); os.rename(tmp, CALIB) end
end

-- queryInt finds key=N (1 to 8 digits) in the query string; nil if absent or not a number.
local function queryInt(q, key)
  for pair in ((q or "") .. "&"):gmatch("([^&]*)&") do
    if #pair > #key and pair:sub(1, #key) == key and pair:sub(#key + 1, #key + 1) == "=" then
      local v = pair:sub(#key + 2)
      if #v >= 1 and #v <= 8 and not v:find("%D") then return tonumber(v) end
      return nil
    end
  end
  return nil
end

local function send(r, status, body)
  r.status = status
  r.content_type = "text/plain"
  if status == 405 then r.headers_out["Allow"] = ALLOW end
  r.headers_out["Content-Length"] = tostring(#body)
  if not r.header_only then r:write(body) end
  return apache2.OK
end

local function reason(status) return (REASON[status] or "Error") .. "\n" end

function handle(r)
  local route = ROUTES[r.uri]
  local hello = r.uri == "/" or r.uri == "/hello" -- APACHE_HELLO=lua maps them here too
  if not route and not hello then return send(r, 404, reason(404)) end
  if r.method ~= "GET" and r.method ~= "HEAD" and r.method ~= "POST" then return send(r, 405, reason(405)) end
  if hello then return send(r, 200, HELLO) end
  local n = queryInt(r.args, route[1])
  if not n or n < route[2] or n > route[3] then return send(r, 400, reason(400)) end
  if r.uri == "/io" then
    r.usleep(n * 1000) -- apr_sleep(µs): the thread blocks, no CPU
    return send(r, 200, HELLO)
  elseif r.uri == "/cpu" then
    if not itersPerUs then calibrate(r) end
    spin(math.floor(n * itersPerUs))
    return send(r, 200, HELLO)
  elseif r.uri == "/bytes" then
    return send(r, 200, string.rep(block, n // 4) .. block:sub(1, (n % 4) << 10))
  end
  local f = io.open(FILE, "rb") -- /file: a blocking read on this thread
  if not f then return send(r, 500, reason(500)) end
  local body = f:read(n << 10)
  f:close()
  return send(r, 200, body)
end

-- failure is the ErrorDocument of every error Apache raises itself (an unknown path, a
-- method AllowMethods refuses): the Go models' text body instead of Apache's HTML page.
function failure(r)
  local status = tonumber(r.subprocess_env["REDIRECT_STATUS"] or "") or r.status
  return send(r, status, reason(status))
end

-- prime is apache.sh's start-up request: creating this thread's Lua state ran this file,
-- and the state's first prime adds a byte to run/primed (its size counts the states). The
-- request then holds its thread, blocked without CPU in opening the FIFO run/gate, until
-- apache.sh has seen every state arrive and opens it: concurrent requests prime different
-- threads.
local primed = false
function prime(r)
  if not primed then
    local f = io.open(DIR .. "/run/primed", "a")
    if f then f:write("x"); f:close() end
    primed = true
  end
  local gate = io.open(DIR .. "/run/gate", "r")
  if gate then gate:read("a"); gate:close() end
  return send(r, 200, HELLO)
end
