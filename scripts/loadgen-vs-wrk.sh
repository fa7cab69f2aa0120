#!/usr/bin/env bash
# Is the suite's closed engine as fast a client as wrk? nginx (1 worker) pinned to CPU 0;
# `wrk -t1`, `bench load --engine closed` and vegeta's closed loop (`bench load --engine
# vegeta`, i.e. vegeta attack -rate=0 -max-workers=N) each pinned to CPU 1. The three take
# turns at every level of every round, so a noisy machine hits them alike; the summary
# gives each client's median req/s, its ratio to wrk's, and the client's CPU time per
# request (wrk: /usr/bin/time over its run; bench: getrusage over its window), which says
# which client is faster even when the server, not the client, sets the req/s.
#
# usage: scripts/loadgen-vs-wrk.sh [DURATION] [LEVELS] [ROUNDS] [OUT.csv]
#   DURATION  each measured run, default 5s (each client also gets a 1 s warm-up)
#   LEVELS    concurrent connections, default "10 100 1000"
#   ROUNDS    default 3
# CLIENTS="wrk closed" leaves vegeta out. The suite's engines load with --ramp, as every
# bench run does (RAMP= leaves it out). MIN_RATIO=0.8 makes the script a gate (CI's): it
# exits 1 when the closed engine's median req/s is under that share of wrk's at any
# level, or when any run failed (a check with a missing round is not a check), so a
# regression of the suite's own client fails CI even on a slower machine (both clients
# meet the same nginx on the same machine, side by side).
# Needs wrk and nginx-light (installed from Debian's packages when missing, as root).
# Every run is bounded by `timeout`; nginx is stopped on exit, however the script ends.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
duration=${1:-5s}
levels=${2:-"10 100 1000"}
rounds=${3:-3}
ramp=${RAMP---ramp} # as every bench run loads; RAMP= runs without it
out=${4:-}
secs=${duration%s}
ulimit -n "$(ulimit -Hn)"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d -t loadgen-vs-wrk.XXXXXX)
nginx_pid=
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

(cd "$here" && go build -o "$work/bench" ./cmd/bench)

# ensure_nginx starts nginx on a free port, or starts it again if it is gone (on a shared
# machine someone else's clean-up may stop it); sets $url.
ensure_nginx() {
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    return
  fi
  if [ -n "$nginx_pid" ]; then echo "nginx is gone; starting it again" >&2; kill "$nginx_pid" 2>/dev/null || true; fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # The peer prints its master's PID, then its settings line: the PID is the first line.
  nginx_pid=$("$here/scripts/peers/nginx.sh" "$port" 0 | sed -n 1p)
  url="http://127.0.0.1:$port/"
}
ensure_nginx
limit=$((secs + 60))

to_us() { # wrk latency like 1.23ms / 850.00us / 1.02s -> microseconds
  awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); print v+0} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v*1000}
    else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000000} else print "" }'
}

# run_wrk C -> "rps,p50_us,p99_us,cpu" (cpu: wrk's user+system time over its run, % of one core)
run_wrk() {
  taskset -c 1 timeout 30 wrk -t1 -c"$1" -d1s "$url" >/dev/null 2>&1 || true # warm-up
  /usr/bin/time -f "%e %U %S" -o "$work/wrk.time" taskset -c 1 timeout "$limit" \
    wrk -t1 -c"$1" -d"$duration" --latency "$url" > "$work/wrk.txt" 2>&1 || true
  local rps p50 p99 cpu
  rps=$(awk '/^Requests\/sec/{print $2}' "$work/wrk.txt")
  p50=$(to_us "$(awk '/^ +50%/{print $2}' "$work/wrk.txt")")
  p99=$(to_us "$(awk '/^ +99%/{print $2}' "$work/wrk.txt")")
  cpu=$(awk 'NF==3{ if ($1 > 0) printf "%.0f", 100*($2+$3)/$1 }' "$work/wrk.time")
  echo "${rps:-0},$p50,$p99,$cpu"
}

# run_bench ENGINE C -> "rps,p50_us,p99_us,cpu"
run_bench() {
  timeout "$limit" "$work/bench" load --engine "$1" --url "$url" -c "$2" --cpus 1 $ramp \
    --duration "$duration" --warmup 1s --json > "$work/load.json" 2> "$work/load.err" || true
  python3 - "$work/load.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    print(f"{r['rps']:.0f},{r['latency_us']['p50']},{r['latency_us']['p99']},{r['client_cpu_pct']:.0f}")
except Exception:
    print("0,,,")
PY
}

echo "round,client,concurrency,rps,p50_us,p99_us,client_cpu_pct" > "$work/out.csv"
printf '%5s %-8s %6s %10s %9s %9s %5s\n' round client conns req/s p50_us p99_us cpu%
for round in $(seq "$rounds"); do
  for c in $levels; do
    for client in ${CLIENTS:-wrk closed vegeta}; do
      ensure_nginx
      if [ "$client" = wrk ]; then row=$(run_wrk "$c"); else row=$(run_bench "$client" "$c"); fi
      echo "$round,$client,$c,$row" >> "$work/out.csv"
      IFS=, read -r rps p50 p99 cpu <<< "$row"
      printf '%5s %-8s %6s %10s %9s %9s %5s\n' "$round" "$client" "$c" "$rps" "$p50" "$p99" "$cpu"
    done
  done
done
[ -n "$out" ] && cp "$work/out.csv" "$out"

echo
python3 - "$work/out.csv" "${MIN_RATIO:-0}" <<'PY'
import csv, statistics, sys
from collections import defaultdict
rps, cost, failed = defaultdict(list), defaultdict(list), []
for r in csv.DictReader(open(sys.argv[1])):
    key, v = (r["client"], int(r["concurrency"])), float(r["rps"] or 0)
    if v == 0:
        failed.append(f"{key[0]} at c = {key[1]} (round {r['round']})")
        continue  # a failed run: no measurement, and a failed check below
    rps[key].append(v)
    if v > 0 and r["client_cpu_pct"]:
        cost[key].append(float(r["client_cpu_pct"]) / 100 / v * 1e6)  # client CPU µs per request
levels = sorted({c for _, c in rps})
med = lambda xs: statistics.median(xs) if xs else float("nan")
print("median req/s, the ratio to wrk's, and the client's CPU per request (µs; lower is a faster client)")
print(f"{'conns':>6} {'wrk':>9} {'closed':>9} {'vegeta':>9} {'closed/wrk':>11} {'vegeta/wrk':>11} {'µs wrk':>7} {'closed':>7} {'vegeta':>7}")
for c in levels:
    m = {k: med(rps[(k, c)]) for k in ("wrk", "closed", "vegeta")}
    u = {k: med(cost[(k, c)]) for k in ("wrk", "closed", "vegeta")}
    ratio = lambda k: m[k] / m["wrk"] if m["wrk"] else float("nan")
    print(f"{c:>6} {m['wrk']:>9.0f} {m['closed']:>9.0f} {m['vegeta']:>9.0f} {ratio('closed'):>11.2f} {ratio('vegeta'):>11.2f}"
          f" {u['wrk']:>7.1f} {u['closed']:>7.1f} {u['vegeta']:>7.1f}")
gate = float(sys.argv[2])
bad = [c for c in levels if gate > 0 and not (med(rps[("closed", c)]) >= gate * med(rps[("wrk", c)]))]
if failed:
    print("failed runs (no req/s): " + ", ".join(failed))
if gate > 0 and failed:
    print("FAIL: a run failed; a check with a missing round is not a check")
    sys.exit(1)
if bad:
    print(f"FAIL: the closed engine drives under {gate:.2f}× wrk's req/s at c = {bad}")
    sys.exit(1)
if gate > 0:
    print(f"PASS: the closed engine drives at least {gate:.2f}× wrk's req/s at every level")
PY
