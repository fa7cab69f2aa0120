#!/usr/bin/env bash
# What `make bench` calls: raise limits, build, run the suite, write results/<UTC time>/.
# QUICK=1 runs fewer levels with short windows.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)"
run=results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$run"
go build -o bin/bench ./cmd/bench
if [ "${QUICK:-}" = 1 ]; then
  levels="10 1000"; duration=3s
else
  levels="10 100 1000 4000"; duration=10s
fi
echo "bench: wrk sweep, levels $levels, $duration each -> $run/wrk.csv"
scripts/wrk-compare.sh "$run/wrk.csv" "goroutine threaded nginx cthreads" "$levels" "$duration"
ln -sfn "$(basename "$run")" results/latest
echo "bench: results in $run"
