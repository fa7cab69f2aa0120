#!/usr/bin/env bash
# A slower machine, emulated: the quick suite (QUICK=1 scripts/run.sh) with a CPU hog, a
# busy loop, pinned beside the server (CPU 0) and another beside the client (CPU 1), so
# each side gets about half its CPU, as on a machine twice as slow; then
# `bin/bench check --strict` on the run. What `make bench-slow` calls; not part of CI.
#
#   scripts/slow-machine.sh [bench run flags...]     e.g. --models threaded,evented
#
#   SERVER_CPU, CLIENT_CPU  the CPUs of the server and the client (default 0 and 1)
#   SLOW_TIMEOUT            the run's time limit in seconds (default 1200); the hogs end
#                           120 s after it whatever happens to this script
#
# The hogs' share. Linux's autogroup (/proc/sys/kernel/sched_autogroup_enabled = 1, the
# default) schedules each session as one group, and the groups share a CPU equally: each
# group's weight is spread over the CPUs it runs on in proportion to its load there. Both
# hogs run in one session of their own (setsid), busy on both CPUs, so that group weighs
# half on each; the bench session (this script, bench, its servers and its load) weighs
# the other half on each CPU while both sides are busy: each side gets about half its CPU,
# whatever its number of threads. A side busy while the other idles gets up to two thirds
# (its session's weight moves to its CPU). A hog in a session of its own each would leave
# each side a third; hogs inside the bench session would compete thread by thread, so a
# server of N runnable threads would keep N/(N+1) of its CPU (the threaded models hardly
# slowed). Autogroup off: thread by thread as well. The script prints the setting.
#
# The hogs are killed on every exit (trap on EXIT, INT and TERM); ^C stops the run as it
# stops `make bench` (its finished rows are kept and checked). Prints the run it checked.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
limit=${SLOW_TIMEOUT:-1200}
for c in "$server_cpu" "$client_cpu"; do
  taskset -c "$c" true 2>/dev/null || { echo "slow-machine: CPU $c is not available" >&2; exit 2; }
done
[ "$server_cpu" != "$client_cpu" ] || { echo "slow-machine: SERVER_CPU and CLIENT_CPU must differ" >&2; exit 2; }

tmp=$(mktemp -d)
hog_pids=()
# shellcheck disable=SC2317 # cleanup and on_signal run from the traps
cleanup() {
  local p
  for p in "${hog_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done # timeout passes it on
  for p in "${hog_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
interrupted=0
run_pid=
# shellcheck disable=SC2317
on_signal() {
  interrupted=$1
  if [ -n "$run_pid" ]; then kill -INT "$run_pid" 2>/dev/null || true; else exit "$1"; fi
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

"${GO:-go}" build -o bin/bench ./cmd/bench # before the hogs: run.sh's own build is then cached

# The hogs: one session of their own (its leader, then each hog's PID, in $tmp/hogs).
# shellcheck disable=SC2016 # the inner shell expands them
setsid sh -c 'echo $$ >"$1"
  for c in "$2" "$3"; do
    taskset -c "$c" timeout "$4" sh -c "while :; do :; done" &
    echo $! >>"$1"
  done
  wait' sh "$tmp/hogs" "$server_cpu" "$client_cpu" "$((limit + 120))" </dev/null >/dev/null 2>&1 &
for _ in $(seq 50); do [ -f "$tmp/hogs" ] && [ "$(wc -l <"$tmp/hogs")" -ge 3 ] && break; sleep 0.1; done
mapfile -t hog_pids <"$tmp/hogs"
[ "${#hog_pids[@]}" -ge 3 ] || { echo "slow-machine: the hogs did not start" >&2; exit 1; }
hog_pids=("${hog_pids[@]:1}" "${hog_pids[0]}") # the hogs first, then their session's leader
echo "slow-machine: hogs ${hog_pids[0]} on CPU $server_cpu and ${hog_pids[1]} on CPU $client_cpu," \
  "in session $(cat "/proc/${hog_pids[0]}/autogroup" 2>/dev/null || echo '?') (bench: $(cat /proc/$$/autogroup 2>/dev/null || echo '?'));" \
  "sched_autogroup_enabled=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo '?')"

# The run, in a process group of its own (timeout's), so that ^C reaches it through
# on_signal (bench stops its servers and keeps its rows) and tee does not die first. At
# its time limit it gets SIGINT as on ^C (then SIGKILL 30 s later), so run.sh still draws
# the charts of the finished rows and they are checked.
set +e
QUICK=1 timeout -s INT -k 30 "$limit" scripts/run.sh --server-cpus "$server_cpu" --client-cpus "$client_cpu" "$@" \
  </dev/null > >(trap '' INT TERM; exec tee "$tmp/log") &
run_pid=$!
while :; do
  wait "$run_pid"
  status=$?
  if [ "$status" -le 128 ] || ! kill -0 "$run_pid" 2>/dev/null; then break; fi
done
set -e
[ "$status" != 124 ] || echo "slow-machine: the run took more than $limit s; stopped" >&2
run=
for _ in $(seq 50); do # tee may still be writing the last line
  run=$(sed -n 's/^bench: results in \(.*\) (results\/latest)$/\1/p' "$tmp/log" | tail -n 1)
  [ -z "$run" ] || break
  sleep 0.1
done
if [ -z "$run" ] || [ ! -s "$run/summary.csv" ]; then
  echo "slow-machine: no run to check (run.sh exited with $status)" >&2
  exit $((status == 0 ? 1 : status))
fi
echo "slow-machine: checking $run"
check=0
bin/bench check --strict "$run" || check=$?
echo "slow-machine: checked $run (run.sh exited with $status, bench check --strict with $check)"
[ "$interrupted" = 0 ] || exit "$interrupted"
[ "$check" = 0 ] || exit "$check"
exit "$status"
