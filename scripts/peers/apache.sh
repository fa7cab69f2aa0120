#!/bin/bash
# Start Apache httpd 2.4 (Debian's apache2) as a reference peer, with the MPM named by the
# script (apache-worker.sh, apache-prefork.sh, apache-event.sh), APACHE_MPM, or --mpm MPM.
# Its own config in a temporary directory (no system config), in the foreground, pinned to
# CPULIST; keep-alive with no request cap and a 120 s timeout; no access log. Every setting
# that moves a figure, and why, is in README.md ("Apache httpd").
#   /hello             a static file served from memory (mod_file_cache MMapFile), no ETag;
#   /                  the same file, through AliasMatch and the default handler (unmeasured);
#                      APACHE_HELLO=file: the plain default handler (open, stat, mmap per
#                      request, ETag), APACHE_HELLO=lua: the Lua handler, for comparison
#   /io /cpu /file /bytes   mod_lua (apache-workload.lua), loaded only when PEER_PATHS asks
#                      for one of them (every path when PEER_PATHS is unset); every thread's
#                      Lua state is built before the script reports ready (prime)
#   anything else      404 (with mod_lua: through ErrorDocument, the Go models' text bodies)
# usage: apache.sh [--mpm MPM] PORT [CPULIST] -> prints the parent's PID, then a `settings
#        {JSON}` line; SIGTERM to the parent stops every child.
#        apache.sh [--mpm MPM] --endpoints | --check
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
mpm=${APACHE_MPM:-}
if [ "${1:-}" = --mpm ]; then mpm=$2; shift 2; fi
case "$mpm" in worker | prefork | event) ;; *) echo "apache.sh: MPM must be worker, prefork or event, not '$mpm'" >&2; exit 2 ;; esac
mods=/usr/lib/apache2/modules
check() {
  need apache2 taskset || return 1
  local m
  for m in mpm_$mpm lua authz_core alias allowmethods file_cache; do
    [ -f "$mods/mod_$m.so" ] || { echo "missing $mods/mod_$m.so"; return 1; }
  done
}
ARG1=${1:-} peer_flags "/hello /io /cpu /file /bytes" check
port=${1:?usage: apache.sh [--mpm MPM] PORT [CPULIST]}; cpus=${2:-0}
check >&2
. "$here/apache-conf.sh"
dir=$(peer_dir "apache-$mpm")
mkdir -p "$dir/htdocs" "$dir/run"
printf 'Hello, World!\n' > "$dir/htdocs/hello"
sed "s|@DIR@|$dir|" "$here/apache-workload.lua" > "$dir/workload.lua"
# The /file file: the pattern of servers/workload, 10 MiB (it repeats every 4 KiB).
line() { local a=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/ i=$1; printf '%s%s\n' "${a:i}" "${a:0:i}" | cut -c1-63; }
for i in $(seq 0 63); do line "$i"; done > "$dir/file.bin"
for _ in $(seq 9); do cat "$dir/file.bin" "$dir/file.bin" > "$dir/2x" && mv "$dir/2x" "$dir/file.bin"; done # 2 MiB
cat "$dir/file.bin" "$dir/file.bin" "$dir/file.bin" "$dir/file.bin" "$dir/file.bin" > "$dir/2x" && mv "$dir/2x" "$dir/file.bin"
chmod -R a+rX "$dir"
if [ "$(id -u)" = 0 ]; then chmod 1777 "$dir/run"; fi # children drop root; they write run/
apache_sizing
apache_conf > "$dir/httpd.conf"
taskset -c "$cpus" apache2 -d "$dir" -f "$dir/httpd.conf" -DFOREGROUND </dev/null >/dev/null 2>"$dir/apache.log" &
parent=$!
peer_ready "$parent" "$port" "$dir"
apache_wait_sized "$parent"
apache_prime "$parent"
apache_settings
