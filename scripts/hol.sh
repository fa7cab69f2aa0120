#!/usr/bin/env bash
# Head-of-line blocking, measured with wrk: while C connections ask for /cpu?us=US (CPU
# work), C more ask for /hello; the /hello latency shows whether the CPU work blocked them.
# Each server pinned to CPU 0, both wrk processes to CPU 1. Both loads are closed loops,
# as wrk is: a /hello connection stalled behind a burn sends nothing meanwhile, so the
# requests that would have waited are never sent and p99 understates the blocking
# (coordinated omission). bench run's hol scenario offers both classes at fixed rates.
#
# usage: scripts/hol.sh [SERVERS] [C] [US] [DURATION]
#   SERVERS  default "evented evented-offload threaded goroutine"; C default 20;
#            US default 10000; DURATION default 10s
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
servers=${1:-"evented evented-offload threaded goroutine"}
conns=${2:-20}; us=${3:-10000}; duration=${4:-10s}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
[ -x "$here/bin/bench" ] || (cd "$here" && go build -o bin/bench ./cmd/bench)
work=$(mktemp -d -t hol.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

printf '%-16s %12s %12s %12s %12s\n' server hello_req/s hello_p50 hello_p99 cpu_req/s
for s in $servers; do
  args=(--model "$s")
  [ "$s" = evented-offload ] && args=(--model evented --offload)
  [ "$s" = threaded-p64 ] && args=(--model threaded --procs 64)
  taskset -c 0 "$here/bin/bench" serve "${args[@]}" > "$work/serve.out" &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.05; done
  addr=$(sed -n 's/^listening on //p' "$work/serve.out")
  taskset -c 1 wrk -t1 -c"$conns" -d"$duration" "http://$addr/cpu?us=$us" > "$work/cpu.txt" &
  cpu_wrk=$!
  taskset -c 1 wrk -t1 -c"$conns" -d"$duration" --latency "http://$addr/hello" > "$work/hello.txt"
  wait "$cpu_wrk"
  printf '%-16s %12s %12s %12s %12s\n' "$s" \
    "$(awk '/^Requests\/sec/{print int($2)}' "$work/hello.txt")" \
    "$(awk '/^ +50%/{print $2}' "$work/hello.txt")" \
    "$(awk '/^ +99%/{print $2}' "$work/hello.txt")" \
    "$(awk '/^Requests\/sec/{print int($2)}' "$work/cpu.txt")"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
