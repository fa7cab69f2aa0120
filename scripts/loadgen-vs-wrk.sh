#!/usr/bin/env bash
# Is the suite's closed engine as fast a client as wrk? nginx (1 worker) pinned to CPU 0;
# `wrk -t1`, `bench load --engine closed` and vegeta's closed loop (`bench load --engine
# vegeta`, i.e. vegeta attack -rate=0 -max-workers=N) each pinned to CPU 1. At each level
# every client connects to the same nginx at once and holds its connections; then they take
# turns (scripts/loadgen-vs-wrk.py): one runs while the others are stopped (SIGSTOP), settles
# for SETTLE, and WINDOW is measured; the order is reversed every other round. Every turn is
# measured by the same meters: requests by nginx's own count (stub_status), not by each
# client's report of itself, and the client's and nginx's CPU time from /proc (schedstat,
# in ns). Turns of a second, back to back on one nginx, put both sides of a pair in the
# same minute of a noisy machine, which runs of 5 s one after the other, each with its own
# connects and warm-up, did not: their pairs moved ±10 % at c = 100.
#
# The summary gives each client's median req/s, the closed engine's ratio to wrk's (the
# median over rounds of each round's pair), the client's CPU time per request and nginx's
# CPU share. CPU per request says which client is faster even when the server, not the
# client, sets the req/s: where nginx is saturated (≥ 0.90 of its CPU in both clients'
# turns) both tie on req/s.
#
# usage: scripts/loadgen-vs-wrk.sh [WINDOW] [LEVELS] [ROUNDS] [OUT.csv]
#   WINDOW   the measured part of each turn, default 1s (SETTLE, default 1.2 s, comes before it)
#   LEVELS   concurrent connections of each client, default "10 100 1000 4000"
#   ROUNDS   turns of each client at each level, default 10
# CLIENTS="wrk closed" leaves vegeta out. The suite's engines load with --ramp, as every
# bench run does (RAMP= leaves it out). MIN_RATIO=0.95 makes the script a gate (CI's): it
# exits 1 when, at any level, the closed engine's median req/s is under that share of
# wrk's, unless nginx was saturated and the engine spent at most MAX_COST_RATIO (default
# 0.95) of wrk's CPU per request, or when any turn failed (a check with a missing round is
# not a check), so a regression of the suite's own client fails CI even on a slower
# machine (both clients meet the same nginx on the same machine, turn by turn).
# Needs wrk and nginx-light (installed from Debian's packages when missing, as root).
# Every client is killed when its level ends, however the script ends; nginx is stopped on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
window=${1:-1s}
levels=${2:-"10 100 1000 4000"}
rounds=${3:-10}
ramp=${RAMP---ramp} # as every bench run loads; RAMP= runs without it
out=${4:-}
secs=${window%s}
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
# machine someone else's clean-up may stop it), with its stub_status page; sets $port.
ensure_nginx() {
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    return
  fi
  if [ -n "$nginx_pid" ]; then echo "nginx is gone; starting it again" >&2; kill "$nginx_pid" 2>/dev/null || true; fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # The peer prints its master's PID, then its settings line: the PID is the first line.
  nginx_pid=$(NGINX_STUB_STATUS=1 "$here/scripts/peers/nginx.sh" "$port" 0 | sed -n 1p)
}
echo "round,client,concurrency,rps,client_cpu_pct,nginx_cpu_pct" > "$work/out.csv"
printf '%5s %-8s %6s %10s %5s %6s\n' round client conns req/s cpu% nginx%
for c in $levels; do
  ensure_nginx
  python3 "$here/scripts/loadgen-vs-wrk.py" --bench "$work/bench" --port "$port" --nginx-pid "$nginx_pid" \
    --level "$c" --clients "${CLIENTS:-wrk closed vegeta}" --rounds "$rounds" --window "$secs" \
    --settle "${SETTLE:-1.2}" ${ramp:+--ramp} --out "$work/out.csv" ||
    for client in ${CLIENTS:-wrk closed vegeta}; do echo "0,$client,$c,0,," >> "$work/out.csv"; done # failed: counted so
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
    # closed against wrk in each round: the two took turns on one nginx, a second or two
    # apart, so the machine's drift between rounds cancels; the median over rounds is judged
    out = []
    for n in rounds:
        a, b = run.get((n, "closed", c)), run.get((n, "wrk", c))
        if a and b and a[i] is not None and b[i]:
            out.append(a[i] / b[i])
    return med(out)
gate, max_cost = float(sys.argv[2]), float(sys.argv[3])
print("median req/s and client CPU per request (µs; lower is a faster client) of each client; the closed")
print("engine's ratios to wrk's, the median over rounds of each round's pair of turns; nginx's CPU")
print("share (one worker) in each client's turns: ≥ 0.90 in both, nginx saturated, the clients tie on")
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
    print("failed turns (no req/s): " + ", ".join(failed))
if gate > 0 and failed:
    print("FAIL: a turn failed; a check with a missing round is not a check")
    sys.exit(1)
if bad:
    print(f"FAIL: at c = {bad} the closed engine drives under {gate:.2f}× wrk's req/s, and nginx was not saturated"
          f" or the engine spent over {max_cost:.2f}× wrk's CPU per request")
    sys.exit(1)
if gate > 0:
    print(f"PASS: at every level the closed engine drives at least {gate:.2f}× wrk's req/s, or, where nginx was"
          f" saturated, spends at most {max_cost:.2f}× wrk's CPU per request")
PY
