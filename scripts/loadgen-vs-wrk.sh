#!/usr/bin/env bash
# Is the suite's closed engine as fast a client as wrk? nginx (1 worker) pinned to CPU 0;
# `wrk -t1`, `bench load --engine closed` and vegeta's closed loop (`bench load --engine
# vegeta`, i.e. vegeta attack -rate=0 -max-workers=N) each pinned to CPU 1. At each level
# every client connects to the same nginx and holds its connections; then they take turns
# in a fixed order (scripts/loadgen-vs-wrk.py): a turn resumes one client (the others are
# stopped, SIGSTOP), lets it settle for SETTLE (default 1.5 s), measures WINDOW and stops
# it again, so every turn starts alike. Every turn is measured by the same meters:
# requests by nginx's own count (stub_status), not by each client's report of itself (a
# turn in which a connection was opened fails); the client's and nginx's CPU time by their
# process CPU clocks; and the client CPU's busy time (/proc/stat), which also counts kernel
# work on that CPU outside the client's process (softirqs; on loopback the receive work for
# nginx's responses runs on nginx's CPU). Turns of a second on one
# nginx put both sides of a pair in the same minute of a noisy machine, which runs of 5 s
# one after the other, each with its own connects and warm-up, did not: their pairs moved
# ±10 % at c = 100.
#
# The summary gives each client's median req/s and CPU per request and nginx's CPU share;
# the subject's ratios to the reference's are the median over the subject's turns of each
# against the mean of the reference's turns just before and after it (a steady drift of
# the machine cancels). CPU per request says which client is faster even when the server,
# not the client, sets the req/s: where nginx is saturated (≥ 0.90 of its CPU in both
# clients' turns) the clients come close to a tie on req/s.
#
# usage: scripts/loadgen-vs-wrk.sh [WINDOW] [LEVELS] [ROUNDS] [OUT.csv]
#   WINDOW   the measured part of each turn, in seconds like 1s or 0.5s (default 1s)
#   LEVELS   concurrent connections of each client, default "10 100 1000 4000"
#   ROUNDS   turns of each client at each level, default 10 (past about 25 at c = 10 a
#            connection reaches nginx's keepalive_requests, 10^6, and its reconnect fails a turn)
# CLIENTS="wrk closed" leaves vegeta out; KIND#TAG names a second client of a kind, and
# PAIR="SUBJECT REFERENCE" (default "closed wrk") says which two the ratios and the gate
# compare: CLIENTS="wrk wrk#b" PAIR="wrk#b wrk" puts wrk against itself (it reads 1.00
# within the noise). The closed engine loads with --ramp, as every bench run does (RAMP=0
# leaves it out). MIN_RATIO=0.95 makes the script a gate (CI's): it exits 1 when, at any
# level, the subject's median req/s ratio is under MIN_RATIO, unless nginx was saturated
# and the subject spent at most MAX_COST_RATIO (default 0.95) of the reference's CPU per
# request (both cost ratios), or when any turn failed, a level has fewer pairs than
# ROUNDS, or ROUNDS is under 3 (a check with a missing round is not a check), so a
# regression of the suite's own client fails CI even on a slower machine (both clients
# meet the same nginx on the same machine, turn by turn).
# Needs wrk and nginx-light (installed from Debian's packages when missing, as root).
# Every client is killed when its level ends; a signal reaches the level's driver at once,
# which kills its clients (and the kernel kills them if the driver is killed); nginx is
# stopped on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
window=${1:-1s}
levels=${2:-"10 100 1000 4000"}
rounds=${3:-10}
out=${4:-}
clients=${CLIENTS:-wrk closed vegeta}
pair=${PAIR:-closed wrk}
case ${RAMP-1} in "" | 0 | false | no) ramp= ;; *) ramp=--ramp ;; esac # as every bench run loads
usage="usage: scripts/loadgen-vs-wrk.sh [WINDOW, e.g. 1s] [LEVELS] [ROUNDS] [OUT.csv]"
[[ $window =~ ^[0-9]+(\.[0-9]+)?s$ ]] || { echo "loadgen-vs-wrk: WINDOW $window is not seconds like 1s or 0.5s; $usage" >&2; exit 2; }
window_s=${window%s}
[[ $rounds =~ ^[0-9]+$ ]] && [ "$rounds" -ge 1 ] || { echo "loadgen-vs-wrk: ROUNDS $rounds is not a count; $usage" >&2; exit 2; }
read -r subject reference extra <<< "$pair"
[ -n "$reference" ] && [ -z "$extra" ] && [ "$subject" != "$reference" ] && [[ " $clients " == *" $subject "* ]] &&
  [[ " $clients " == *" $reference "* ]] || { echo "loadgen-vs-wrk: PAIR=\"$pair\" must name two different clients of CLIENTS=\"$clients\"" >&2; exit 2; }
for c in $levels; do [[ $c =~ ^[1-9][0-9]*$ ]] || { echo "loadgen-vs-wrk: level $c is not a count of connections; $usage" >&2; exit 2; }; done
ulimit -n "$(ulimit -Hn)"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d -t loadgen-vs-wrk.XXXXXX)
nginx_pid=
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
driver=
# A signal reaches the level's driver (and through it its clients) at once, not when the
# level ends: the driver runs in the background and the shell waits for it.
on_signal() {
  if [ -n "$driver" ]; then kill -TERM "$driver" 2>/dev/null || true; wait "$driver" 2>/dev/null || true; fi
  exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

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
echo "turn,round,client,concurrency,rps,client_cpu_pct,nginx_cpu_pct,cpu_busy_pct" > "$work/out.csv"
printf '%5s %-8s %6s %10s %5s %5s %6s\n' round client conns req/s cpu% busy% nginx%
for c in $levels; do
  ensure_nginx
  python3 "$here/scripts/loadgen-vs-wrk.py" --bench "$work/bench" --port "$port" --nginx-pid "$nginx_pid" \
    --level "$c" --clients "$clients" --rounds "$rounds" --window "$window_s" \
    --settle "${SETTLE:-1.5}" $ramp --out "$work/out.csv" &
  driver=$!
  if ! wait "$driver"; then
    echo "loadgen-vs-wrk: the turns at c = $c failed" >&2
    for client in $clients; do echo "0,0,$client,$c,0,,," >> "$work/out.csv"; done # counted as failed
  fi
  driver=
done
[ -n "$out" ] && cp "$work/out.csv" "$out"

echo
python3 - "$work/out.csv" "${MIN_RATIO:-0}" "${MAX_COST_RATIO:-0.95}" "$clients" "$pair" "$levels" "$rounds" <<'PY'
import csv, statistics, sys
gate, max_cost = float(sys.argv[2]), float(sys.argv[3])
clients, (subject, ref) = sys.argv[4].split(), sys.argv[5].split()  # PAIR checked above
levels, rounds = [int(c) for c in sys.argv[6].split()], int(sys.argv[7])
turns, failed = {}, []  # (level, client) -> [(turn, req/s, µs per request, nginx busy, µs of the CPU busy per request)]
for r in csv.DictReader(open(sys.argv[1])):
    c, v = int(r["concurrency"]), float(r["rps"] or 0)
    if v == 0:
        failed.append(f"{r['client']} at c = {c} (round {r['round']})")
        continue  # a failed turn: no measurement, and a failed check below
    per = lambda pct: float(pct) / 100 / v * 1e6  # a CPU share over the window -> µs per request
    turns.setdefault((c, r["client"]), []).append(
        (int(r["turn"]), v, per(r["client_cpu_pct"]), float(r["nginx_cpu_pct"]) / 100, per(r["cpu_busy_pct"])))
med = lambda xs: statistics.median(xs) if xs else float("nan")
def pairs(c, i):
    # each of the subject's turns against the mean of the reference's turns just before and
    # just after it (one side at either end): a steady drift of the machine cancels
    mine, theirs = turns.get((c, subject), []), sorted(turns.get((c, ref), []))
    out = []
    for t in mine:
        near = [x for x in theirs if x[0] < t[0]][-1:] + [x for x in theirs if x[0] > t[0]][:1]
        if near:
            out.append(t[i] / statistics.mean(x[i] for x in near))
    return out
print(f"median req/s and client CPU per request (µs; lower is a faster client) of each client; {subject}'s")
print(f"ratios to {ref}'s: the median over {subject}'s turns of each against the mean of {ref}'s turns")
print("just before and after it; cost by the client's process CPU clock, and (busy) by its CPU's busy")
print("time, which also counts the kernel's work outside the process; nginx's CPU share (one worker) in")
print(f"each one's turns: ≥ 0.90 in both, nginx saturated, and {subject} is judged on CPU per request,")
print(f"the larger of the two cost ratios ≤ {max_cost:.2f}; elsewhere on req/s")
width = max(9, *(len(k) + 3 for k in clients))
print(f"{'conns':>6} " + " ".join(f"{k:>{width}}" for k in clients) + f" {'req/s ratio':>11} "
      + " ".join(f"{'µs ' + k:>{width}}" for k in clients) + f" {'cost':>5} {'busy':>5} {'nginx':>9} {'pairs':>5}")
bad, short = [], []
for c in levels:
    m = {k: med([t[1] for t in turns.get((c, k), [])]) for k in clients}
    u = {k: med([t[2] for t in turns.get((c, k), [])]) for k in clients}
    b = {k: med([t[3] for t in turns.get((c, k), [])]) for k in (subject, ref)}
    rp, cp, bp = pairs(c, 1), pairs(c, 2), pairs(c, 4)
    ratio, cost, busy = med(rp), med(cp), med(bp)
    saturated = b[ref] >= 0.9 and b[subject] >= 0.9
    print(f"{c:>6} " + " ".join(f"{m[k]:>{width}.0f}" for k in clients) + f" {ratio:>11.2f} "
          + " ".join(f"{u[k]:>{width}.1f}" for k in clients)
          + f" {cost:>5.2f} {busy:>5.2f} {b[ref]:>4.2f} {b[subject]:>4.2f} {len(rp):>5}")
    if len(rp) < rounds:
        short.append(c)
    elif gate > 0 and not (ratio >= gate or (saturated and max(cost, busy) <= max_cost)):
        bad.append(c)
if failed:
    print("failed turns (no req/s): " + ", ".join(failed))
if gate > 0 and (failed or short or rounds < 3):
    why = "a turn failed" if failed else f"fewer than {rounds} pairs at c = {short}" if short else "fewer than 3 rounds"
    print(f"FAIL: {why}; a check with a missing round is not a check")
    sys.exit(1)
if bad:
    print(f"FAIL: at c = {bad} {subject} drives under {gate:.2f}× {ref}'s req/s, and nginx was not saturated"
          f" or {subject} spent over {max_cost:.2f}× {ref}'s CPU per request")
    sys.exit(1)
if gate > 0:
    print(f"PASS: at every level {subject} drives at least {gate:.2f}× {ref}'s req/s, or, where nginx was"
          f" saturated, spends at most {max_cost:.2f}× {ref}'s CPU per request")
PY
