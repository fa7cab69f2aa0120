#!/bin/bash
# Start nginx as a reference peer: 1 worker, epoll, keep-alive, `return 200 "Hello, World!\n"`.
# usage: scripts/peers/nginx.sh PORT [CPU]   -> prints the master PID; stop it with `kill PID`.
# Installs nginx-light from Debian's packages when it is missing.
set -eu
port=${1:?usage: nginx.sh PORT [CPU]}; cpu=${2:-0}
command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }
dir=$(mktemp -d -t peer-nginx.XXXXXX)
cat > "$dir/nginx.conf" <<NG
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 30000; use epoll; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location / { default_type text/plain; return 200 "Hello, World!\n"; }
  }
}
NG
taskset -c "$cpu" nginx -c "$dir/nginx.conf" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
echo "$pid"
