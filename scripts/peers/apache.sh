#!/bin/bash
# Start Apache httpd 2.4 (Debian's apache2) as a reference peer, with the MPM named by the
# script (apache-worker.sh, apache-prefork.sh, apache-event.sh), APACHE_MPM, or --mpm MPM.
# Its own config in a temporary directory (no system config), in the foreground, pinned to
# CPULIST; keep-alive with no request cap and a 120 s timeout; no access log.
#   / and /hello       a static file ("Hello, World!\n", text/plain), Apache's default handler
#   /io /cpu /file /bytes   mod_lua (apache-workload.lua): r:usleep, a calibrated busy loop,
#                      a read of the file, the pattern from memory
#   anything else      404 through ErrorDocument, with the Go models' text bodies
# usage: apache.sh [--mpm MPM] PORT [CPULIST] -> prints the parent's PID; SIGTERM to it stops
#        every child.  apache.sh [--mpm MPM] --endpoints | --check
# Sizes (README.md): worker and event 64 threads per child, up to 160 children (10240
# threads); prefork up to 10000 processes. Worker and prefork start with a thread (a
# process) for each of the PEER_CONNECTIONS connections the caller will open, as an admin
# sizes StartServers for a known load; event starts with one child and grows on demand.
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
  for m in mpm_$mpm lua authz_core alias allowmethods; do
    [ -f "$mods/mod_$m.so" ] || { echo "missing $mods/mod_$m.so"; return 1; }
  done
}
ARG1=${1:-} peer_flags "/hello /io /cpu /file /bytes" check
port=${1:?usage: apache.sh [--mpm MPM] PORT [CPULIST]}; cpus=${2:-0}
check >&2
dir=$(peer_dir "apache-$mpm")
mkdir -p "$dir/htdocs" "$dir/run"
printf 'Hello, World!\n' > "$dir/htdocs/hello.txt"
sed "s|@DIR@|$dir|" "$here/apache-workload.lua" > "$dir/workload.lua"
# The /file file: the pattern of servers/workload, 10 MiB (it repeats every 4 KiB).
line() { local a=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/ i=$1; printf '%s%s\n' "${a:i}" "${a:0:i}" | cut -c1-63; }
for i in $(seq 0 63); do line "$i"; done > "$dir/file.bin"
for _ in $(seq 9); do cat "$dir/file.bin" "$dir/file.bin" > "$dir/2x" && mv "$dir/2x" "$dir/file.bin"; done # 2 MiB
cat "$dir/file.bin" "$dir/file.bin" "$dir/file.bin" "$dir/file.bin" "$dir/file.bin" > "$dir/2x" && mv "$dir/2x" "$dir/file.bin"
chmod -R a+rX "$dir"
user=""
if [ "$(id -u)" = 0 ]; then # children drop root; they write the /cpu calibration to run/
  user="User www-data
Group www-data"
  id www-data >/dev/null 2>&1 || user="User nobody
Group nogroup"
  chmod 1777 "$dir/run"
fi
conns=${PEER_CONNECTIONS:-0}
start=1
case "$mpm" in
  worker) start=$(((conns + 63) / 64 + 1)); [ "$start" -le 160 ] || start=160 ;;
  prefork) start=$((conns + 1)); [ "$start" -le 10000 ] || start=10000 ;;
esac
start=${APACHE_START_SERVERS:-$start}
case "$mpm" in
  prefork) sizing="StartServers $start
MinSpareServers 1
MaxSpareServers 10000
ServerLimit 10000
MaxRequestWorkers 10000" ;;
  *) sizing="StartServers $start
ThreadsPerChild 64
ThreadLimit 64
ServerLimit 160
MaxRequestWorkers 10240
MinSpareThreads 16
MaxSpareThreads 10240" ;;
esac
# / and /hello: a static file (the default), or APACHE_HELLO=lua for the Lua handler.
hello="AliasMatch \"^/(hello)?\$\" \"$dir/htdocs/hello.txt\"" luahello=""
if [ "${APACHE_HELLO:-static}" = lua ]; then hello="" luahello="|hello|"; fi
cat > "$dir/httpd.conf" <<CONF
ServerRoot $dir
ServerName 127.0.0.1
DefaultRuntimeDir $dir/run
PidFile $dir/run/httpd.pid
ErrorLog $dir/error.log
LogLevel warn
$user
LoadModule mpm_${mpm}_module $mods/mod_mpm_$mpm.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule alias_module $mods/mod_alias.so
LoadModule allowmethods_module $mods/mod_allowmethods.so
LoadModule lua_module $mods/mod_lua.so
Listen $(peer_listen "$port")
ListenBacklog 4096
$sizing
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 120
Timeout 60
LimitRequestBody 1048576
DocumentRoot $dir/htdocs
$hello
<Directory />
  Require all denied
</Directory>
<Directory $dir/htdocs>
  Require all granted
  ForceType text/plain
</Directory>
<Location />
  AllowMethods GET POST HEAD
</Location>
LuaScope thread
LuaCodeCache forever
LuaMapHandler "^/(io|cpu|file|bytes$luahello)\$" $dir/workload.lua handle
LuaMapHandler "^/__failure\$" $dir/workload.lua failure
ErrorDocument 400 /__failure
ErrorDocument 404 /__failure
ErrorDocument 405 /__failure
ErrorDocument 413 /__failure
ErrorDocument 500 /__failure
ErrorDocument 501 /__failure
CONF
taskset -c "$cpus" apache2 -d "$dir" -f "$dir/httpd.conf" -DFOREGROUND </dev/null >/dev/null 2>"$dir/apache.log" &
parent=$!
peer_ready "$parent" "$port" "$dir"
# Ready means sized too: wait up to 40 s until the StartServers children and their threads
# exist, so that a measurement never times Apache forking them (the caller allows 60 s).
want=$start
[ "$mpm" = prefork ] || want=$((start * 64))
for i in $(seq 800); do
  have=0
  for c in $(pgrep -P "$parent" 2>/dev/null); do
    [ "$mpm" = prefork ] && have=$((have + 1)) && continue
    t=$(ls "/proc/$c/task" 2>/dev/null | wc -l) && have=$((have + t - 1)) # less the listener
  done
  [ "$have" -lt "$want" ] || break
  [ "$i" != 800 ] || echo "apache.sh: only $have of $want threads (or processes) after 40 s; measuring it still growing" >&2
  sleep 0.05
done
