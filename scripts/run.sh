#!/usr/bin/env bash
# What `make bench` calls: raise limits, build, run the suite, draw the charts.
#
#   scripts/run.sh [bench run flags...]     e.g. scripts/run.sh --models threaded,evented
#
# Writes results/<UTC time>/ (summary.csv, timeseries.csv, hgrm/*.hgrm, then the charts of
# `bench plot`) and points results/latest at it. Progress: one line per step.
#   QUICK=1     the suite's quick version: fewer levels, 1-second windows (times: README)
#   SUITE=FILE  another suite than suites/default.json
# The real servers (nginx, Apache httpd, Node.js, the C thread server) join the run when
# they are installed; as root, their Debian packages are installed when missing. Without
# one, the suite leaves it out and says so. ^C stops every server and keeps every
# finished row; the charts are still drawn from them.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)"        # a connection is a descriptor in the client and the server
ulimit -u unlimited 2>/dev/null || true  # the threaded model holds a thread per connection
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v apache2 >/dev/null || [ -x /usr/sbin/apache2 ] || missing+=(apache2)
command -v node >/dev/null || missing+=(nodejs)
command -v gcc >/dev/null || missing+=(gcc)
if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "bench: installing the real servers' packages: ${missing[*]} (optional; left out on failure)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) ||
    echo "bench: could not install ${missing[*]}; the run leaves those servers out" >&2
fi
export PATH="$PATH:/usr/sbin"   # apache2 lives there
"${GO:-go}" build -buildvcs=auto -o bin/bench ./cmd/bench # run.json records the revision

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
