#!/usr/bin/env bash
# What `make bench` calls: raise limits, build, run the suite, draw the charts.
#
#   scripts/run.sh [bench run flags...]     e.g. scripts/run.sh --models threaded,evented
#
# Writes results/<UTC time>/ (summary.csv, timeseries.csv, hgrm/*.hgrm, then the charts of
# `bench plot`) and points results/latest at it. Progress: one line per step.
#   QUICK=1     the suite's quick version: fewer levels, 1-second windows, under 2 minutes
#   SUITE=FILE  another suite than suites/default.json
# nginx joins the run when it is installed (as root, nginx-light is installed if missing);
# without it the suite leaves it out and says so. ^C stops every server and keeps every
# finished row; the charts are still drawn from them.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)"        # a connection is a descriptor in the client and the server
ulimit -u unlimited 2>/dev/null || true  # the threaded model holds a thread per connection
if ! command -v nginx >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "bench: installing nginx-light for the nginx reference (optional; skipped on failure)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null) ||
    echo "bench: nginx-light could not be installed; the run leaves nginx out" >&2
fi
"${GO:-go}" build -o bin/bench ./cmd/bench

run=results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$run"
ln -sfn "$(basename "$run")" results/latest
args=(--suite "${SUITE:-suites/default.json}" --out "$run")
if [ "${QUICK:-}" = 1 ]; then args+=(--quick); fi

status=0
bin/bench run "${args[@]}" "$@" || status=$?
if [ -s "$run/summary.csv" ]; then
  bin/bench plot "$run" || echo "bench: bench plot failed (see above); the CSVs are in $run" >&2
fi
echo "bench: results in $run (results/latest)"
exit "$status"
