#!/bin/bash
# Start the C thread-per-connection reference (cthreads.c), pinned to CPULIST.
# usage: cthreads.sh PORT [CPULIST]  -> prints its PID and its settings line;
#        cthreads.sh --endpoints | --check
# Builds bin/cthreads with gcc when it is missing or older than cthreads.c.
# CTHREADS_STACK_KB sets the threads' stack size (default 64).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bin=$here/../../bin/cthreads
ARG1=${1:-} peer_flags "/hello /io /cpu /file /bytes" \
  sh -c "[ -x '$bin' ] && [ ! '$here/cthreads.c' -nt '$bin' ] || command -v gcc >/dev/null || { echo 'missing gcc'; exit 1; }"
need taskset >&2
port=${1:?usage: cthreads.sh PORT [CPULIST]}; cpus=${2:-0}
if [ ! -x "$bin" ] || [ "$here/cthreads.c" -nt "$bin" ]; then
  mkdir -p "$(dirname "$bin")"
  tmp=$(mktemp "$bin.XXXXXX")
  gcc -O2 -pthread -o "$tmp" "$here/cthreads.c" && mv -f "$tmp" "$bin" || { rm -f "$tmp"; exit 1; }
fi
dir=$(peer_dir cthreads)
stack=${CTHREADS_STACK_KB:-64}
case "$stack" in '' | *[!0-9]*) echo "cthreads.sh: CTHREADS_STACK_KB must be a number of KB, not '$stack'" >&2; exit 2 ;; esac
taskset -c "$cpus" "$bin" "$port" "$stack" </dev/null >/dev/null 2>"$dir/cthreads.log" &
peer_ready $! "$port" "$dir"
peer_settings "{\"server\":\"cthreads\",\"thread_per_connection\":true,\"stack_kb\":$stack,\"backlog\":4096,\"tcp_nodelay\":true,\"nofile\":$(ulimit -Hn)}" "$dir/cthreads.log"
