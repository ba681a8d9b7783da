-- wrk script for scripts/loadtest.sh: each request takes the next path of a
-- file (one path per line), each thread starting at a different place.
-- Usage: wrk ... -s scripts/loadtest.lua URL -- PATHS_FILE
local paths = {}
local counter = 0

function init(args)
  local file = args[1]
  for line in io.lines(file) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter], { ["Accept-Encoding"] = "gzip" })
end

function done(summary, latency, requests)
  io.write(string.format("requests %d, errors %d (status %d), p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
