#!/usr/bin/env bash
# Load test of the wiki: rule pages and searches with 50 concurrent clients
# on loopback, with wrk (Debian package "wrk"). Not a test: it prints the
# latency percentiles recorded in docs/performance.md.
#
# Usage: scripts/loadtest.sh [CATALOG_DIR]
#   CATALOG_DIR  a catalog built with `detwiki build` (default: a catalog of
#                ../shared/corpus built into a temporary folder)
# Environment: DURATION (default 30s), CONNECTIONS (50), THREADS (2), PORT (18181),
# RENDER_SLOTS (the server's --render-slots; default: its own)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
PORT=${PORT:-18181}
SHARED=${DETWIKI_SHARED:-../shared}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 2; }
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/detwiki" ./cmd/detwiki
cat=${1:-}
if [ -z "$cat" ]; then
  cat="$tmp/catalog"
  "$tmp/detwiki" build --quiet --out "$cat" "$SHARED"/corpus/*
fi
base="http://127.0.0.1:$PORT"

serve() { # serve WARM [CACHE_MB]
  "$tmp/detwiki" serve --quiet --warm="$1" --cache-mb="${2:-256}" ${RENDER_SLOTS:+--render-slots="$RENDER_SLOTS"} --catalog "$cat" --addr "127.0.0.1:$PORT" 2>"$tmp/serve.log" &
  server=$!
  # The server listens at once and answers 503 until the catalog is loaded.
  local start=$(date +%s.%N)
  for _ in $(seq 1 600); do curl -sf "$base/api/info" >/dev/null && break; sleep 0.05; done
  curl -sf "$base/api/info" >/dev/null || { echo "server did not start"; cat "$tmp/serve.log"; exit 1; }
  printf 'server ready in %.1f s\n' "$(echo "$(date +%s.%N) - $start" | bc)"
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }

serve false
# Every rule page, in a shuffled order.
pages=$(curl -sf "$base/api/rules?per_page=1&feeds=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pages"])')
: > "$tmp/rules.txt"
for p in $(seq 1 $(( (pages + 499) / 500 ))); do
  curl -sf "$base/api/rules?per_page=500&feeds=1&page=$p" | python3 -c 'import json,sys; [print(r["url"]) for r in json.load(sys.stdin)["rules"]]' >> "$tmp/rules.txt"
done
shuf --random-source=<(yes) "$tmp/rules.txt" -o "$tmp/rules.txt"
# Searches: indicator values, words and structured queries, all different.
curl -sf "$base/api/indicators?per_page=1000" | python3 -c '
import json, sys, urllib.parse, random
random.seed(1)
inds = json.load(sys.stdin)["indicators"]
qs = []
for i in inds:
    v = i["value"]
    if 3 <= len(v) <= 40 and " " not in v:
        qs.append("value:" + v)
        qs.append(v)
        qs.append("field:%s value:%s" % (i["field"], v))
for w in ["mmc", "lsass", "powershell encoded", "credential dumping", "lang:sigma technique:T1003", "event:sysmon/1 lang:kusto",
          "table:DeviceProcessEvents", "certutil urlcache", "kind:regex value:exe", "technique:T1059 -lang:elastic"]:
    qs.append(w)
random.shuffle(qs)
for q in qs:
    print("/search?q=" + urllib.parse.quote_plus(q))
' > "$tmp/searches.txt"
echo "catalog: $cat; $(wc -l < "$tmp/rules.txt") rule pages, $(wc -l < "$tmp/searches.txt") distinct searches; $CONNECTIONS connections, $THREADS threads, $DURATION each"

run() { # run NAME FILE [DURATION]: latency percentiles, and the server's CPU time per request
  printf '%-44s ' "$1"
  local t0 out n t1
  t0=$(cpu_ticks)
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${3:-$DURATION}" --latency -s scripts/loadtest.lua "$base" -- "$2" | tail -1)
  t1=$(cpu_ticks)
  n=$(echo "$out" | sed -E 's/^requests ([0-9]+).*/\1/')
  printf '%s, server CPU %.3f ms/request\n' "$out" "$(echo "($t1 - $t0) * 1000 / $(getconf CLK_TCK) / $n" | bc -l)"
}
# First visits: a fresh server without warm-up; 2 s are about 12,000
# requests, nearly all for pages not rendered yet (each wrk thread starts
# at its own place in the shuffled list).
stop
serve false
run "rule pages, first visits (2 s)" "$tmp/rules.txt" 2s
stop
# Cold: a page cache of 1 MB, so (nearly) every request renders its page
# and compresses it, as a first visit does, for the whole run.
serve false 1
run "rule pages, cold (every page rendered)" "$tmp/rules.txt"
run "searches, cold (every search run)" "$tmp/searches.txt"
stop

serve true
echo -n "warming the page cache ... "
until curl -sf "$base/api/info" | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["cache"]["warmed"] else 1)'; do sleep 1; done
curl -sf "$base/api/info" | python3 -c 'import json,sys; c=json.load(sys.stdin)["cache"]; print("%d pages, %.0f MB compressed" % (c["pages"], c["bytes"]/1e6))'
run "rule pages, warm cache" "$tmp/rules.txt"
run "searches, first time each then cached" "$tmp/searches.txt"
run "searches, cached" "$tmp/searches.txt"
grep -E '^VmHWM|^VmRSS' "/proc/$server/status" | tr '\n' ' '; echo
stop
