#!/bin/bash
# Start the Node.js peer (node-server.js): node:http, one event loop, pinned to CPULIST, so
# that its /cpu calibration runs pinned. NODE_OFFLOAD=1 (node-offload.sh) runs /cpu on 4
# worker_threads instead of the event loop.
# usage: node.sh PORT [CPULIST]  -> prints node's PID, then the settings line node-server.js
#        writes once it listens;   node.sh --endpoints | --check
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ARG1=${1:-} peer_flags "/hello /io /cpu /file /bytes" need node taskset
port=${1:?usage: node.sh PORT [CPULIST]}; cpus=${2:-0}
args=("$here/node-server.js" "$port")
[ "${NODE_OFFLOAD:-}" = 1 ] && args+=(--offload)
dir=$(peer_dir node)
taskset -c "$cpus" node "${args[@]}" </dev/null >"$dir/settings.json" 2>"$dir/node.log" &
peer_ready $! "$port" "$dir"
for _ in $(seq 100); do [ ! -s "$dir/settings.json" ] || break; sleep 0.05; done # written once it listens
peer_settings "$(head -1 "$dir/settings.json")" "$dir/node.log"
