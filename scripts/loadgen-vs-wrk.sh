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
# CLIENTS="wrk closed" leaves vegeta out; KIND#TAG names a second client of a kind, and
# PAIR="SUBJECT REFERENCE" (default "closed wrk") says which two the ratios and the gate
# compare: CLIENTS="wrk wrk#b" PAIR="wrk#b wrk" puts wrk against itself (it reads 1.00).
# The suite's engines load with --ramp, as every bench run does (RAMP= leaves it out).
# MIN_RATIO=0.95 makes the script a gate (CI's): it exits 1 when, at any level, the closed
# engine's median req/s is under that share of wrk's, unless nginx was saturated and the
# engine spent at most MAX_COST_RATIO (default 0.95) of wrk's CPU per request, or when
# any turn failed (a check with a missing round is
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
clients=${CLIENTS:-wrk closed vegeta}
echo "round,client,concurrency,rps,client_cpu_pct,nginx_cpu_pct" > "$work/out.csv"
printf '%5s %-8s %6s %10s %5s %6s\n' round client conns req/s cpu% nginx%
for c in $levels; do
  ensure_nginx
  python3 "$here/scripts/loadgen-vs-wrk.py" --bench "$work/bench" --port "$port" --nginx-pid "$nginx_pid" \
    --level "$c" --clients "$clients" --rounds "$rounds" --window "$secs" \
    --settle "${SETTLE:-1.2}" ${ramp:+--ramp} --out "$work/out.csv" ||
    for client in $clients; do echo "0,$client,$c,0,," >> "$work/out.csv"; done # failed: counted so
done
[ -n "$out" ] && cp "$work/out.csv" "$out"

echo
python3 - "$work/out.csv" "${MIN_RATIO:-0}" "${MAX_COST_RATIO:-0.95}" "$clients" "${PAIR:-closed wrk}" <<'PY'
import csv, statistics, sys
run, failed = {}, []
for r in csv.DictReader(open(sys.argv[1])):
    key, v = (r["client"], int(r["concurrency"])), float(r["rps"] or 0)
    if v == 0:
        failed.append(f"{key[0]} at c = {key[1]} (round {r['round']})")
        continue  # a failed turn: no measurement, and a failed check below
    cost = float(r["client_cpu_pct"]) / 100 / v * 1e6 if r["client_cpu_pct"] else None  # client CPU µs per request
    busy = float(r["nginx_cpu_pct"]) / 100 if r["nginx_cpu_pct"] else None  # nginx's one worker: share of its CPU
    run[(r["round"],) + key] = (v, cost, busy)
gate, max_cost = float(sys.argv[2]), float(sys.argv[3])
clients, pair = sys.argv[4].split(), sys.argv[5].split()
if len(pair) != 2 or not set(pair) <= set(clients):
    sys.exit(f"loadgen-vs-wrk: PAIR={sys.argv[5]!r} must name two of CLIENTS={sys.argv[4]!r}")
subject, ref = pair
levels = sorted({k[2] for k in run})
rounds = sorted({k[0] for k in run})
med = lambda xs: statistics.median(xs) if xs else float("nan")
def each(client, c, i):
    return [run[(n, client, c)][i] for n in rounds if (n, client, c) in run and run[(n, client, c)][i] is not None]
def paired(c, i):
    # subject against reference in each round: the two took turns on one nginx, a second or
    # two apart, so the machine's drift between rounds cancels; the median over rounds is judged
    out = []
    for n in rounds:
        a, b = run.get((n, subject, c)), run.get((n, ref, c))
        if a and b and a[i] is not None and b[i]:
            out.append(a[i] / b[i])
    return med(out)
print(f"median req/s and client CPU per request (µs; lower is a faster client) of each client; {subject}'s")
print(f"ratios to {ref}'s, the median over rounds of each round's pair of turns; nginx's CPU share (one")
print("worker) in each one's turns: ≥ 0.90 in both, nginx saturated, the clients tie on req/s and")
print(f"{subject} is judged on CPU per request, ≤ {max_cost:.2f}× {ref}'s")
width = max(9, *(len(k) for k in clients))
print(f"{'conns':>6} " + " ".join(f"{k:>{width}}" for k in clients) + f" {'req/s ratio':>11} "
      + " ".join(f"{'µs ' + k:>{width}}" for k in clients) + f" {'cost':>5} {'nginx':>9}")
bad = []
for c in levels:
    m = {k: med(each(k, c, 0)) for k in clients}
    u = {k: med(each(k, c, 1)) for k in clients}
    b = {k: med(each(k, c, 2)) for k in (subject, ref)}
    ratio, cost_ratio = paired(c, 0), paired(c, 1)
    saturated = b[ref] >= 0.9 and b[subject] >= 0.9
    print(f"{c:>6} " + " ".join(f"{m[k]:>{width}.0f}" for k in clients) + f" {ratio:>11.2f} "
          + " ".join(f"{u[k]:>{width}.1f}" for k in clients) + f" {cost_ratio:>5.2f} {b[ref]:>4.2f} {b[subject]:>4.2f}")
    if gate > 0 and not (ratio >= gate or (saturated and cost_ratio <= max_cost)):
        bad.append(c)
if failed:
    print("failed turns (no req/s): " + ", ".join(failed))
if gate > 0 and failed:
    print("FAIL: a turn failed; a check with a missing round is not a check")
    sys.exit(1)
if bad:
    print(f"FAIL: at c = {bad} {subject} drives under {gate:.2f}× {ref}'s req/s, and nginx was not saturated"
          f" or {subject} spent over {max_cost:.2f}× {ref}'s CPU per request")
    sys.exit(1)
if gate > 0:
    print(f"PASS: at every level {subject} drives at least {gate:.2f}× {ref}'s req/s, or, where nginx was"
          f" saturated, spends at most {max_cost:.2f}× {ref}'s CPU per request")
PY
