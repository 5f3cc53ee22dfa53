-- GET a list of paths in turn, with fixed headers (look-ups, bare routes). Data (bench/wrk.py):
--   { paths = { "/v1/citizens/…", … }, headers = { Authorization = "Bearer …", … } }
-- Each thread starts at its own place in the list; requests are formatted once, in init().
-- Every response but a 200 is a failure.

dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local requests = {}
local next_request = 0
ok = 0

function init(args)
   for index, path in ipairs(data.paths) do
      requests[index] = wrk.format("GET", path, data.headers)
   end
   next_request = math.floor(#requests * thread_index / thread_count)
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end

function response(status, headers, body)
   if status == 200 then
      ok = ok + 1
   else
      fail(status, body)
   end
end

function done(summary, latency, requests)
   report(summary, latency, { "ok", "failures" })
end
