#!/usr/bin/env bash
# Is the suite's closed engine as fast a client as wrk? nginx (1 worker) pinned to CPU 0;
# `wrk -t1`, `bench load --engine closed` and vegeta's closed loop (`bench load --engine
# vegeta`, i.e. vegeta attack -rate=0 -max-workers=N) each pinned to CPU 1. The three take
# turns at every level of every round, so a noisy machine hits them alike; the summary
# gives each client's median req/s and the closed engine's ratio to wrk's (the median
# over rounds of each round's pair, run back to back), the client's CPU time per request
# and nginx's CPU share, both read by `bench sample` (the same sampler for every client)
# over the last DURATION of the client's run, its measured window. CPU per request says
# which client is faster even when the server, not the client, sets the req/s: where
# nginx is saturated (≥ 0.90 of its CPU in both clients' runs) both tie on req/s.
#
# usage: scripts/loadgen-vs-wrk.sh [DURATION] [LEVELS] [ROUNDS] [OUT.csv]
#   DURATION  each measured run, default 5s (each client also gets a 1 s warm-up)
#   LEVELS    concurrent connections, default "10 100 1000"
#   ROUNDS    default 3
# CLIENTS="wrk closed" leaves vegeta out. The suite's engines load with --ramp, as every
# bench run does (RAMP= leaves it out). MIN_RATIO=0.95 makes the script a gate (CI's): it
# exits 1 when, at any level, the closed engine's median req/s is under that share of
# wrk's, unless nginx was saturated and the engine spent at most MAX_COST_RATIO (default
# 0.95) of wrk's CPU per request, or when any run failed (a check with a missing round is
# not a check), so a regression of the suite's own client fails CI even on a slower
# machine (both clients meet the same nginx on the same machine, side by side).
# Needs wrk and nginx-light (installed from Debian's packages when missing, as root).
# Every run is bounded (`timeout` or a watchdog); nginx is stopped on exit, however the script ends.
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

# measured OUT ERR CMD... runs the client command (its output into OUT and ERR) in the
# background while `bench sample` reads its
# process tree and nginx's every 200 ms (the same sampler for every client), and prints
# "client_cpu,nginx_cpu": each tree's mean CPU (% of one core) over the last DURATION
# less 0.25 s of the client's life, its measured window (what came before it, wrk's
# connects or bench's warm-up and ramp, is left out alike).
# The client is exec'd in the background (its PID is the client's, not a wrapper's: the
# sampler scans a tree for new members once a second, so a client forked by `timeout` after
# the sampler's first scan went unseen for a whole 2 s run and read 0 % CPU); a watchdog
# kills it after $limit seconds.
measured() {
  local out=$1 err=$2
  shift 2
  (exec "$@" > "$out" 2> "$err") &
  local client=$!
  (sleep "$limit" & s=$!; trap 'kill $s 2>/dev/null; exit 0' TERM; wait $s; kill "$client" 2>/dev/null) >/dev/null 2>&1 &
  local watchdog=$!
  "$work/bench" sample --pid "$client" --interval 200ms > "$work/client.jsonl" 2>/dev/null &
  local cs=$!
  "$work/bench" sample --pid "$nginx_pid" --interval 200ms > "$work/nginx.jsonl" 2>/dev/null &
  local ns=$!
  wait "$client" || true
  kill "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  wait "$cs" 2>/dev/null || true
  kill "$ns" 2>/dev/null || true
  wait "$ns" 2>/dev/null || true
  python3 - "$work/client.jsonl" "$work/nginx.jsonl" "$secs" <<'PY'
import json, re, sys
from datetime import datetime
def stamp(at):  # Go's RFC 3339 with nanoseconds -> seconds since the epoch
    m = re.match(r"(\d+-\d+-\d+T\d+:\d+:\d+)(\.\d+)?(Z|[+-]\d\d:\d\d)$", at)
    zone = "+00:00" if m[3] == "Z" else m[3]
    return datetime.fromisoformat(m[1] + zone).timestamp() + float(m[2] or 0)
def read(path):
    out = []
    for line in open(path):
        try:
            s = json.loads(line)
            out.append((stamp(s["At"]), s["CPUDelta"]))
        except (ValueError, KeyError, TypeError):
            continue
    return out
client, nginx = read(sys.argv[1]), read(sys.argv[2])
if len(client) < 3:
    print(",")
    sys.exit()
end = client[-1][0]
start = end - float(sys.argv[3]) + 0.25
def pct(samples):
    inside = [(t, d) for t, d in samples if start < t <= end]
    if len(inside) < 2:
        return ""
    span = inside[-1][0] - inside[0][0]
    return f"{100 * sum(d for _, d in inside[1:]) / span:.0f}" if span > 0 else ""
print(f"{pct(client)},{pct(nginx)}")
PY
}

# run_wrk C -> "rps,p50_us,p99_us,client_cpu,nginx_cpu"
run_wrk() {
  taskset -c 1 timeout 30 wrk -t1 -c"$1" -d1s "$url" >/dev/null 2>&1 || true # warm-up
  local cpu
  cpu=$(measured "$work/wrk.txt" "$work/wrk.err" taskset -c 1 wrk -t1 -c"$1" -d"$duration" --latency "$url")
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/{print $2}' "$work/wrk.txt")
  p50=$(to_us "$(awk '/^ +50%/{print $2}' "$work/wrk.txt")")
  p99=$(to_us "$(awk '/^ +99%/{print $2}' "$work/wrk.txt")")
  echo "${rps:-0},$p50,$p99,$cpu"
}

# run_bench ENGINE C -> "rps,p50_us,p99_us,client_cpu,nginx_cpu"
run_bench() {
  local cpu
  cpu=$(measured "$work/load.json" "$work/load.err" "$work/bench" load --engine "$1" --url "$url" \
    -c "$2" --cpus 1 $ramp --duration "$duration" --warmup 1s --json)
  python3 - "$work/load.json" "$cpu" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    print(f"{r['rps']:.0f},{r['latency_us']['p50']},{r['latency_us']['p99']},{sys.argv[2]}")
except Exception:
    print("0,,,,")
PY
}

echo "round,client,concurrency,rps,p50_us,p99_us,client_cpu_pct,nginx_cpu_pct" > "$work/out.csv"
printf '%5s %-8s %6s %10s %9s %9s %5s %6s\n' round client conns req/s p50_us p99_us cpu% nginx%
for round in $(seq "$rounds"); do
  for c in $levels; do
    for client in ${CLIENTS:-wrk closed vegeta}; do
      ensure_nginx
      if [ "$client" = wrk ]; then row=$(run_wrk "$c"); else row=$(run_bench "$client" "$c"); fi
      echo "$round,$client,$c,$row" >> "$work/out.csv"
      IFS=, read -r rps p50 p99 cpu ncpu <<< "$row"
      printf '%5s %-8s %6s %10s %9s %9s %5s %6s\n' "$round" "$client" "$c" "$rps" "$p50" "$p99" "$cpu" "$ncpu"
    done
  done
done
[ -n "$out" ] && cp "$work/out.csv" "$out"

echo
python3 - "$work/out.csv" "${MIN_RATIO:-0}" "${MAX_COST_RATIO:-0.95}" <<'PY'
import csv, statistics, sys
from collections import defaultdict
run, failed = {}, []
for r in csv.DictReader(open(sys.argv[1])):
    key, v = (r["client"], int(r["concurrency"])), float(r["rps"] or 0)
    if v == 0:
        failed.append(f"{key[0]} at c = {key[1]} (round {r['round']})")
        continue  # a failed run: no measurement, and a failed check below
    cost = float(r["client_cpu_pct"]) / 100 / v * 1e6 if r["client_cpu_pct"] else None  # client CPU µs per request
    busy = float(r["nginx_cpu_pct"]) / 100 if r["nginx_cpu_pct"] else None  # nginx's one worker: share of its CPU
    run[(r["round"],) + key] = (v, cost, busy)
levels = sorted({k[2] for k in run})
rounds = sorted({k[0] for k in run})
med = lambda xs: statistics.median(xs) if xs else float("nan")
def each(client, c, i):
    return [run[(n, client, c)][i] for n in rounds if (n, client, c) in run and run[(n, client, c)][i] is not None]
def paired(c, i):
    # closed against wrk in each round: the two ran back to back, so the machine's drift
    # between rounds (20 % here) cancels; the median over rounds is the ratio judged
    out = []
    for n in rounds:
        a, b = run.get((n, "closed", c)), run.get((n, "wrk", c))
        if a and b and a[i] is not None and b[i]:
            out.append(a[i] / b[i])
    return med(out)
gate, max_cost = float(sys.argv[2]), float(sys.argv[3])
print("median req/s and client CPU per request (µs; lower is a faster client) of each client; the closed")
print("engine's ratios to wrk's, the median over rounds of each round's pair run back to back; nginx's")
print("CPU share (one worker) in each client's runs: ≥ 0.90 in both, nginx saturated, the clients tie on")
print(f"req/s and the closed engine is judged on CPU per request, ≤ {max_cost:.2f}× wrk's")
print(f"{'conns':>6} {'wrk':>9} {'closed':>9} {'vegeta':>9} {'closed/wrk':>11} {'µs wrk':>7} {'closed':>7} {'vegeta':>7} {'cost':>5} {'nginx':>9}")
bad = []
for c in levels:
    m = {k: med(each(k, c, 0)) for k in ("wrk", "closed", "vegeta")}
    u = {k: med(each(k, c, 1)) for k in ("wrk", "closed", "vegeta")}
    b = {k: med(each(k, c, 2)) for k in ("wrk", "closed")}
    ratio, cost_ratio = paired(c, 0), paired(c, 1)
    saturated = b["wrk"] >= 0.9 and b["closed"] >= 0.9
    print(f"{c:>6} {m['wrk']:>9.0f} {m['closed']:>9.0f} {m['vegeta']:>9.0f} {ratio:>11.2f}"
          f" {u['wrk']:>7.1f} {u['closed']:>7.1f} {u['vegeta']:>7.1f} {cost_ratio:>5.2f} {b['wrk']:>4.2f} {b['closed']:>4.2f}")
    if gate > 0 and not (ratio >= gate or (saturated and cost_ratio <= max_cost)):
        bad.append(c)
if failed:
    print("failed runs (no req/s): " + ", ".join(failed))
if gate > 0 and failed:
    print("FAIL: a run failed; a check with a missing round is not a check")
    sys.exit(1)
if bad:
    print(f"FAIL: at c = {bad} the closed engine drives under {gate:.2f}× wrk's req/s, and nginx was not saturated"
          f" or the engine spent over {max_cost:.2f}× wrk's CPU per request")
    sys.exit(1)
if gate > 0:
    print(f"PASS: at every level the closed engine drives at least {gate:.2f}× wrk's req/s, or, where nginx was"
          f" saturated, spends at most {max_cost:.2f}× wrk's CPU per request")
PY
