-- wrk's script for tests/benchmarks/bench_pages.py: `wrk -s tests/benchmarks/wrk_report.lua ...`.
--
-- wrk itself counts only statuses above 399 as errors, so a 303 to the sign-in page (an expired or
-- refused session) would pass as a success: here every status but 200 is counted. At the end, one
-- line of JSON goes to stdout, after wrk's own text:
--   {"requests": N, "duration_us": N, "non_200": N,
--    "socket_errors": {"connect": N, "read": N, "write": N, "timeout": N},
--    "latency_us": [[value, count], ...]}
-- The histogram is the one wrk prints its percentiles from: wrk has already added its correction for
-- coordinated omission to it (stats_correct in wrk.c), which bench_pages.py takes out again.

local threads = {}

-- Runs in the main Lua state, once per thread, before the threads start.
function setup(thread)
   table.insert(threads, thread)
end

-- The rest up to done() runs in each thread's own Lua state: the count is read back with thread:get.
non_200 = 0

function response(status, headers, body)
   if status ~= 200 then
      non_200 = non_200 + 1
   end
end

function done(summary, latency, requests)
   local refused = 0
   for _, thread in ipairs(threads) do
      refused = refused + thread:get("non_200")
   end
   -- Each latency(i) walks wrk's histogram from its smallest value, so this costs a moment for wide
   -- histograms; wrk has stopped its clock and its load by now.
   local buckets = {}
   for i = 1, #latency do
      local value, count = latency(i)
      buckets[i] = string.format("[%d,%d]", value, count)
   end
   local errors = summary.errors
   io.write(string.format(
      '{"requests":%d,"duration_us":%d,"non_200":%d,'
         .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"latency_us":[%s]}\n',
      summary.requests, summary.duration, refused,
      errors.connect, errors.read, errors.write, errors.timeout,
      table.concat(buckets, ",")
   ))
end
