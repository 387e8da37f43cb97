#!/usr/bin/env bash
# Reproduces the ingest figures of docs/performance.md: a 1,000-agent fleet,
# a store pre-filled with 1M rows, the store's own insert rate, then the
# whole pipeline at saturation and at 10,000 results/s.
# Usage: scripts/bench-ingest.sh [PROBEDATA_URL]   (empty: SQLite; e.g. clickhouse://127.0.0.1:9000/perf)
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${1:-}
D=$(mktemp -d /tmp/netwatcher-bench.XXXXXX)
NW=$D/netwatcher
go build -o "$NW" ./cmd/netwatcher
export NETWATCHER_AUTH_RATE_LIMIT=0 NETWATCHER_DATA_DIR=$D/data NETWATCHER_PROBEDATA_URL=$URL
export NETWATCHER_LISTEN=127.0.0.1:18200 NETWATCHER_LOG_LEVEL=warn
start() { "$NW" serve 2>>"$D/serve.log" & PID=$!; sleep 2; }
stop() { kill "$PID"; wait "$PID" || true; }
quiet() { tr '\r' '\n' | grep -v '%|' | grep -v '^\s*$'; }

start
"$NW" bench ingest --url http://127.0.0.1:18200 --agents 1000 --rate 0 --duration 1s --state "$D/fleet.json" >/dev/null
stop
echo "== pre-fill 1M rows"
"$NW" bench store --backend "$URL" --data-dir "$D/data" --rows 1000000 --probes 1000 --batch 5000 | quiet | tail -1
echo "== bench store, 1M rows already stored"
"$NW" bench store --backend "$URL" --data-dir "$D/data" --rows 300000 --probes 1000 --batch 5000 | quiet | tail -1
start
for rate in 25000 10000; do
  echo "== bench ingest at $rate/s"
  "$NW" bench ingest --url http://127.0.0.1:18200 --agents 1000 --rate "$rate" --duration 60s --pid "$PID" --state "$D/fleet.json" | quiet | tail -7
done
stop
rm -rf "$D"
