-- Shared by the bench's wrk scripts (loaded with dofile; bench/wrk.py sets the environment variables):
--   BENCH_DATA     a Lua file returning the script's data table, written by bench/wrk.py
--   BENCH_THREADS  wrk's -t, so that each thread can take its own share of a list
-- Each wrk thread has its own Lua state: a script counts in globals, and done() (in the main state) sums them
-- over the threads with thread:get() and prints one line "@@bench {json}" that bench/wrk.py reads.

data = dofile(os.getenv("BENCH_DATA"))
thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
thread_index = 0 -- set by setup() in each thread's state
failures = 0
last_failure = ""

local threads = {}

function setup(thread)
   thread:set("thread_index", #threads)
   table.insert(threads, thread)
end

-- Remember a failure (the last one is reported, to tell what went wrong).
function fail(status, detail)
   failures = failures + 1
   last_failure = tostring(status) .. " " .. string.sub(tostring(detail or ""), 1, 300)
end

local function json_string(text)
   text = string.gsub(text, '[%c"\\]', function(c)
      return string.format("\\u%04x", string.byte(c))
   end)
   return '"' .. text .. '"'
end

-- Sum the numeric globals `names` over the threads and print the report line.
function report(summary, latency, names)
   local fields = {
      '"duration_us": ' .. summary.duration,
      '"requests": ' .. summary.requests,
      '"bytes": ' .. summary.bytes,
      '"errors": {"connect": ' .. summary.errors.connect .. ', "read": ' .. summary.errors.read
         .. ', "write": ' .. summary.errors.write .. ', "status": ' .. summary.errors.status
         .. ', "timeout": ' .. summary.errors.timeout .. '}',
      '"latency_us": {"p50": ' .. latency:percentile(50) .. ', "p90": ' .. latency:percentile(90)
         .. ', "p99": ' .. latency:percentile(99) .. ', "max": ' .. latency.max .. ', "mean": ' .. latency.mean .. '}',
   }
   local failure = ""
   for _, name in ipairs(names) do
      local total = 0
      for _, thread in ipairs(threads) do
         total = total + (thread:get(name) or 0)
      end
      table.insert(fields, json_string(name) .. ": " .. total)
   end
   for _, thread in ipairs(threads) do
      local text = thread:get("last_failure")
      if text and text ~= "" then
         failure = text
      end
   end
   table.insert(fields, '"last_failure": ' .. json_string(failure))
   io.write("@@bench {" .. table.concat(fields, ", ") .. "}\n")
end
