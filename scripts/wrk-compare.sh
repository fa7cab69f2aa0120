#!/usr/bin/env bash
# Side-by-side wrk sweep: each server pinned to CPU 0, `wrk -t1` pinned to CPU 1, every
# server and level in one run, so ratios between servers are fair on a noisy machine.
#
# usage: scripts/wrk-compare.sh OUT.csv [SERVERS] [LEVELS] [DURATION] [REPEATS]
#   SERVERS  space-separated from: goroutine threaded threaded-netpoll threaded-pool evented
#            evented-offload nginx cthreads (default: goroutine threaded nginx cthreads), or
#            MODEL@FLAG@FLAG for `bench serve --model MODEL` with extra flags, e.g.
#            threaded@--wait=netpoll@--procs=1
#   LEVELS   concurrent connections, default "10 100 1000 4000"; DURATION default 10s
#   REPEATS  rounds (default 1); servers alternate within each round.
# OUT.csv is in bench run's summary.csv schema (the columns a sweep measures; its note
# names the client), so bench reads it: the summary printed at the end is `bench compare
# --mode ratios` on it, each server's median req/s and p99 over nginx's and over the C
# thread server's at the same level, with both medians and their repeats.
# URLPATH (environment) is the request path, default /hello; e.g. URLPATH='/io?ms=50'.
# CLIENT (environment): wrk (default: a 1 s wrk warm-up, then wrk opens its connections
# and loads them at once, so a server that accepts slowly under load measures with many
# still in its accept queue) or bench (`bench load --ramp`: every connection answered
# once within a warm-up of 1 s + 0.25 s per 1000 connections, then the window, as bench
# run measures; conns_up in the CSV says how many were answered when the window began).
# Needs wrk, nginx-light and gcc; installs the Debian packages when missing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: wrk-compare.sh OUT.csv [SERVERS] [LEVELS] [DURATION]}
servers=${2:-"goroutine threaded nginx cthreads"}
levels=${3:-"10 100 1000 4000"}
duration=${4:-10s}
repeats=${5:-1}
urlpath=${URLPATH:-/hello}
ulimit -n "$(ulimit -Hn)"

need=()
[ "${CLIENT:-wrk}" != wrk ] || command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
work=$(mktemp -d -t wrk-compare.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
(cd "$here" && go build -o bin/bench ./cmd/bench) # the code as it is now (bench load --ramp)
gcc -O2 -pthread -o "$work/cthreads" "$here/scripts/peers/cthreads.c"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server NAME -> sets $pid and $port
start_server() {
  port=$(free_port)
  case $1 in
    nginx) pid=$("$here/scripts/peers/nginx.sh" "$port" 0 | sed -n 1p) ;; # its PID, then its settings line
    cthreads) taskset -c 0 "$work/cthreads" "$port" & pid=$! ;;
    threaded-netpoll) taskset -c 0 "$here/bin/bench" serve --model threaded --wait netpoll --addr "127.0.0.1:$port" >/dev/null & pid=$! ;;
    threaded-pool) taskset -c 0 "$here/bin/bench" serve --model threaded --pool 4100 --addr "127.0.0.1:$port" >/dev/null & pid=$! ;;
    *@*) set -f; local flags=(${1//@/ }); set +f
      taskset -c 0 "$here/bin/bench" serve --model "${flags[@]}" --addr "127.0.0.1:$port" >/dev/null & pid=$! ;;
    threaded-p*) taskset -c 0 "$here/bin/bench" serve --model threaded --procs "${1#threaded-p}" --addr "127.0.0.1:$port" >/dev/null & pid=$! ;;
    evented-offload) taskset -c 0 "$here/bin/bench" serve --model evented --offload --addr "127.0.0.1:$port" >/dev/null & pid=$! ;;
    *) taskset -c 0 "$here/bin/bench" serve --model "$1" --addr "127.0.0.1:$port" >/dev/null & pid=$! ;;
  esac
  pids+=("$pid")
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/hello" && return; sleep 0.05; done
  echo "server $1 did not answer" >&2; return 1
}

to_us() { # wrk latency like 1.23ms / 850.00us / 1.02s -> microseconds
  awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); print v+0} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v*1000}
    else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000000} else print "" }'
}

client=${CLIENT:-wrk}
case $client in wrk | bench) ;; *) echo "wrk-compare: CLIENT must be wrk or bench, not '$client'" >&2; exit 2 ;; esac

# sample_at SECONDS: after SECONDS (mid-window), the server tree's threads and RSS, as
# bench run's sampler reads them (`bench sample --once`: every process of the tree).
sample_at() {
  sleep "$1"
  read -r threads rss < <("$here/bin/bench" sample --once --pid "$pid" 2>/dev/null |
    python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["Threads"], s["RSSKB"])' 2>/dev/null || echo "0 0")
}

# load_wrk C: the wrk warm-up and measured run; sets rps avg p50 p99 errs up.
load_wrk() {
  taskset -c 1 wrk -t1 -c"$1" -d1s "http://127.0.0.1:$port$urlpath" >/dev/null 2>&1 || true # warm-up
  taskset -c 1 wrk -t1 -c"$1" -d"$duration" --latency "http://127.0.0.1:$port$urlpath" > "$work/wrk.txt" 2>&1 &
  local wrk_pid=$!
  sample_at "$(awk -v d="${duration%s}" 'BEGIN{print d/2}')"
  wait "$wrk_pid" || true
  rps=$(awk '/^Requests\/sec/{print int($2)}' "$work/wrk.txt")
  avg=$(to_us "$(awk '/^    Latency/{print $2}' "$work/wrk.txt")")
  p50=$(to_us "$(awk '/^ +50%/{print $2}' "$work/wrk.txt")")
  p99=$(to_us "$(awk '/^ +99%/{print $2}' "$work/wrk.txt")")
  errs=$(awk '/Socket errors|Non-2xx/{for(i=1;i<=NF;i++) if ($i ~ /^[0-9]+,?$/) s+=$i} END{print s+0}' "$work/wrk.txt")
  up=""
}

# load_bench C: bench load --ramp; sets the same, and up (connections answered when the
# window began).
load_bench() {
  local warm
  warm=$(awk -v c="$1" 'BEGIN{print 1 + c/4000}')
  "$here/bin/bench" load --url "http://127.0.0.1:$port$urlpath" -c "$1" --cpus 1 --ramp \
    --warmup "${warm}s" --duration "$duration" --json > "$work/load.json" 2>"$work/load.err" &
  local load_pid=$!
  sample_at "$(awk -v w="$warm" -v d="${duration%s}" 'BEGIN{print w + d/2}')"
  wait "$load_pid" || { cat "$work/load.err" >&2; true; }
  read -r rps avg p50 p99 errs up < <(python3 -c 'import json,sys
r=json.load(open(sys.argv[1])); l=r["latency_us"]
print(int(r["rps"]), "-", l["p50"], l["p99"], r["errors"]["total"], r["conns_up"])' "$work/load.json" 2>/dev/null || echo "0 - - - - -")
  [ "$avg" != - ] || avg="" # bench load reports no mean
  [ "$p50" != - ] || { p50=""; p99=""; errs=""; up=""; } # no result: empty cells
}

echo "run_id,server,scenario,kind,path,engine,concurrency,repeat,duration_s,rps,p50_us,p99_us,threads_peak,errors,rss_peak_kb,conns_up,note" > "$out"
run_id=wrk-compare-$(date -u +%Y%m%dT%H%M%SZ)
printf '%5s %-15s %6s %10s %10s %10s %8s %7s %9s\n' round server conns req/s avg p99 threads errors rss_kb
for round in $(seq "$repeats"); do
for c in $levels; do
  for s in $servers; do
    start_server "$s"
    "load_$client" "$c"
    echo "$run_id,$s,sweep,closed,$urlpath,$client,$c,$round,${duration%s},${rps:-0},$p50,$p99,$threads,$errs,$rss,$up,client $client on CPU 1; threads and RSS read once mid-window" >> "$out"
    printf '%5s %-15s %6s %10s %10s %10s %8s %7s %9s\n' "$round" "$s" "$c" "${rps:-0}" "${avg}us" "${p99}us" "$threads" "$errs" "$rss"
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  done
done
done
echo
for ref in nginx cthreads; do
  case " $servers " in *" $ref "*) "$here/bin/bench" compare --mode ratios --ref "$ref" --metric rps,p99_us "$out" && echo ;; esac
done
