#!/bin/bash
# Start nginx as a reference peer: 1 worker, epoll, keep-alive; / and /hello answer
# "Hello, World!\n" (text/plain, from the config: `return 200`), every other path 404.
# usage: nginx.sh PORT [CPULIST]  -> prints the master's PID (default CPU 0), then its settings
#        line; SIGTERM to it
#        stops the worker too.      nginx.sh --endpoints | --check
# Installs nginx-light from Debian's packages when it is missing (as root).
# NGINX_STUB_STATUS=1 adds `location = /nginx_status { stub_status; }`: nginx's own count of
# the requests it has taken, which scripts/loadgen-vs-wrk.sh reads (no bench run sets it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ARG1=${1:-} peer_flags "/hello" need nginx taskset
port=${1:?usage: nginx.sh PORT [CPULIST]}; cpus=${2:-0}
command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }
dir=$(peer_dir nginx)
status= # a whole line or nothing: without it the config is byte for byte what runs always had
[ -z "${NGINX_STUB_STATUS:-}" ] || status=$'    location = /nginx_status { stub_status; }\n'
# Every descriptor the process may have (run.sh and bench raise the soft limit to the
# hard one): each connection is one, and a few go to the listener, the log and epoll.
nofile=$(ulimit -Hn); [ "$nofile" != unlimited ] || nofile=1048576
conns=$((nofile - 32)); [ "$conns" -le 30000 ] || conns=30000
cat > "$dir/nginx.conf" <<NG
worker_processes 1;
worker_rlimit_nofile $nofile;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections $conns; use epoll; }
http {
  access_log off;
  server_tokens off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  default_type text/plain;
  server {
    listen $(peer_listen "$port") backlog=4096;
    location = / { return 200 "Hello, World!\n"; }
    location = /hello { return 200 "Hello, World!\n"; }
    location / { return 404 "Not Found\n"; }
${status}  }
}
NG
taskset -c "$cpus" nginx -c "$dir/nginx.conf" </dev/null >/dev/null 2>"$dir/nginx.log" &
peer_ready $! "$port" "$dir"
peer_settings "{\"server\":\"nginx\",\"version\":\"$(nginx -v 2>&1 | sed -n 's|.*nginx/||p')\",\"worker_processes\":1,\"worker_connections\":$conns,\"worker_rlimit_nofile\":$nofile,\"keepalive_requests\":1000000,\"keepalive_timeout_s\":120,\"access_log\":\"off\",\"server_tokens\":\"off\",\"hello\":\"return 200\"}" "$dir/error.log"
