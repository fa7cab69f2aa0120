#!/usr/bin/env bash
# The threaded model against the C pthread-per-connection server (scripts/peers/cthreads.c)
# on /hello: both alternate at every level (server on CPU 0, the client on CPU 1); each
# row gives req/s, p99, threads and RSS mid-window, errors and the connections answered when
# the window began, and the summary (`bench compare --mode ratios`) each one's median req/s
# and p99 over the rounds as a ratio to C's, with both medians. The client is `bench load --ramp` (every connection answered once
# before the window, as bench run measures); CLIENT=wrk uses wrk, which loads every
# connection as it opens them (see wrk-compare.sh).
#
# usage: scripts/threads-vs-c.sh [OUT.csv] [LEVELS] [DURATION] [ROUNDS] [THREADED...]
#   defaults: a temporary CSV, "10 100 1000 4000 8000", 5s, 2 rounds, and `threaded` (bench
#   serve's defaults). More servers in the wrk-compare.sh syntax may follow, e.g.
#   threaded@--wait=netpoll to compare a variant in the same run.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -t threads-vs-c.XXXXXX.csv)}
levels=${2:-"10 100 1000 4000 8000"}
duration=${3:-5s}
rounds=${4:-2}
shift $(($# < 4 ? $# : 4))
variants=${*:-threaded}
CLIENT=${CLIENT:-bench} "$here/scripts/wrk-compare.sh" "$out" "$variants cthreads" "$levels" "$duration" "$rounds"
echo "rows: $out"
