# Apache's configuration and start-up steps, sourced by apache.sh (which sets mpm, mods,
# dir, port, here). The reasons for each setting are in README.md ("Apache httpd").

# apache_sizing sets the MPM's sizes from the step the caller describes (the contract's
# PEER_CONNECTIONS, PEER_ACTIVE, PEER_PATHS) and which modules the paths need.
apache_sizing() {
  conns=${PEER_CONNECTIONS:-0}
  active=${PEER_ACTIVE:-$conns}
  paths=${PEER_PATHS:-/hello /io /cpu /file /bytes}
  hello=${APACHE_HELLO:-mmap}
  case "$hello" in mmap | file | lua) ;; *) echo "apache.sh: APACHE_HELLO must be mmap, file or lua, not '$hello'" >&2; exit 2 ;; esac
  lua=no
  case " $paths " in *" /io "* | *" /cpu "* | *" /file "* | *" /bytes "*) lua=yes ;; esac
  [ "$hello" = mmap ] || lua=yes # file: the configuration before, mod_lua on every path
  start=1 threads=64 factor=2 limit=160 per_child=64
  case "$mpm" in
    worker) # a thread holds each connection, idle or not: one for each, in children of 64
      start=$(((conns + 63) / 64 + 1)); [ "$start" -le 160 ] || start=160 ;;
    prefork) # a process holds each connection
      start=$((conns + 1)); [ "$start" -le 10000 ] || start=10000; limit=10000 per_child=1 ;;
    event) # one child: a thread for each connection that sends requests, and the listener
      # holds the idle ones: it accepts while connections < threads + idle threads x factor
      threads=$((active + active / 32 + 16)); [ "$threads" -ge 64 ] || threads=64
      factor=$(((conns + 16 - threads + (threads - active) - 1) / (threads - active)))
      [ "$factor" -ge 2 ] || factor=2
      limit=1 per_child=$threads ;;
  esac
  [ "$mpm" = event ] || start=${APACHE_START_SERVERS:-$start} # event: one child, always
}

# apache_mpm_conf prints the MPM's directives.
apache_mpm_conf() {
  case "$mpm" in
    prefork) printf '%s\n' "StartServers $start" "MinSpareServers 1" "MaxSpareServers 10000" \
      "ServerLimit 10000" "MaxRequestWorkers 10000" ;;
    worker) printf '%s\n' "StartServers $start" "ThreadsPerChild 64" "ThreadLimit 64" "ServerLimit 160" \
      "MaxRequestWorkers 10240" "MinSpareThreads 16" "MaxSpareThreads 10240" ;;
    event) printf '%s\n' "StartServers 1" "ServerLimit 1" "ThreadsPerChild $threads" "ThreadLimit $threads" \
      "MaxRequestWorkers $threads" "MinSpareThreads 1" "MaxSpareThreads $((2 * threads))" \
      "AsyncRequestWorkerFactor $factor" ;;
  esac
}

# apache_hello_conf prints how / and /hello are served.
apache_hello_conf() {
  case "$hello" in
    mmap) # mod_file_cache maps the file at start and answers from memory: no open or stat
      echo "MMapFile $dir/htdocs/hello"
      echo "AliasMatch \"^/\$\" \"$dir/htdocs/hello\"" ;;
    file) echo "AliasMatch \"^/\$\" \"$dir/htdocs/hello\"" ;;
    lua) echo "LuaMapHandler \"^/(hello)?\$\" $dir/workload.lua handle" ;;
  esac
}

# apache_lua_conf prints mod_lua's handlers, each in its own <Location> so that a request
# for another path runs no Lua regex (APACHE_HELLO=file: as before, two regexes at server
# level, tried on every request), and the error documents that give the Go models' bodies.
apache_lua_conf() {
  [ "$lua" = yes ] || return 0
  echo "LuaScope thread"
  echo "LuaCodeCache forever"
  local p
  if [ "$hello" = file ]; then
    echo "LuaMapHandler \"^/(io|cpu|file|bytes)\$\" $dir/workload.lua handle"
  else
    for p in io cpu file bytes; do
      printf '<Location /%s>\n  LuaMapHandler "^/%s$" %s handle\n</Location>\n' "$p" "$p" "$dir/workload.lua"
    done
  fi
  printf '<Location /__prime>\n  LuaMapHandler "^/__prime$" %s prime\n</Location>\n' "$dir/workload.lua"
  if [ "$hello" = file ]; then
    echo "LuaMapHandler \"^/__failure\$\" $dir/workload.lua failure"
  else # an error document is an internal request for /__failure: its <Location> applies
    printf '<Location /__failure>\n  LuaMapHandler "^/__failure$" %s failure\n</Location>\n' "$dir/workload.lua"
  fi
  for p in 400 404 405 413 500 501; do echo "ErrorDocument $p /__failure"; done
}

# apache_conf prints httpd.conf.
apache_conf() {
  local user="" log="LogLevel warn"
  if [ "$(id -u)" = 0 ]; then
    user="User www-data"$'\n'"Group www-data"
    id www-data >/dev/null 2>&1 || user="User nobody"$'\n'"Group nogroup"
  fi
  [ "$mpm" != event ] || log="LogLevel warn mpm_event:trace1" # its keep-alive shutdowns
  local lean="ServerTokens Prod"$'\n'"FileETag None"
  [ "$hello" != file ] || lean="" # the configuration before: Apache's defaults
  cat <<CONF
ServerRoot $dir
ServerName 127.0.0.1
$lean
DefaultRuntimeDir $dir/run
PidFile $dir/run/httpd.pid
ErrorLog $dir/error.log
$log
$user
LoadModule mpm_${mpm}_module $mods/mod_mpm_$mpm.so
LoadModule authz_core_module $mods/mod_authz_core.so
$([ "$hello" != mmap ] || echo "LoadModule file_cache_module $mods/mod_file_cache.so")
LoadModule alias_module $mods/mod_alias.so
LoadModule allowmethods_module $mods/mod_allowmethods.so
$([ "$lua" = no ] || echo "LoadModule lua_module $mods/mod_lua.so")
Listen $(peer_listen "$port")
ListenBacklog 4096
$(apache_mpm_conf)
MaxConnectionsPerChild 0
$([ -z "${APACHE_MAX_MEM_FREE:-}" ] || echo "MaxMemFree $APACHE_MAX_MEM_FREE")
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 120
Timeout 60
LimitRequestBody 1048576
DocumentRoot $dir/htdocs
$(apache_hello_conf)
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory $dir/htdocs>
  Require all granted
  ForceType text/plain
</Directory>
<Location />
  AllowMethods GET POST HEAD
</Location>
$(apache_lua_conf)
CONF
}

# apache_threads prints the threads (prefork: processes) the parent's children hold.
apache_threads() {
  local have=0 c t
  for c in $(pgrep -P "$1" 2>/dev/null); do
    if [ "$mpm" = prefork ]; then have=$((have + 1)); continue; fi
    t=$(ls "/proc/$c/task" 2>/dev/null | wc -l) && [ "$t" -gt 2 ] && have=$((have + t - 2)) # less main and listener
  done
  echo "$have"
}

# apache_wait_sized waits up to 40 s until the children and threads it was sized for exist,
# so that a measurement never times Apache forking them (the caller allows 60 s).
apache_wait_sized() {
  want=$start
  [ "$mpm" = prefork ] || want=$((start * 64))
  [ "$mpm" != event ] || want=$threads
  local i have
  for i in $(seq 800); do
    have=$(apache_threads "$1")
    [ "$have" -lt "$want" ] || return 0
    sleep 0.05
  done
  echo "apache.sh: only $have of $want threads (or processes) after 40 s; measuring it still growing" >&2
}

# apache_rss_kb prints the summed RSS of the parent's children, in KB.
apache_rss_kb() {
  local kb=0 c v
  for c in $(pgrep -P "$1" 2>/dev/null); do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$c/status" 2>/dev/null || true)
    kb=$((kb + ${v:-0}))
  done
  echo "$kb"
}

# apache_prime builds every thread's Lua state before the load: one request per thread, all
# held at once (each blocks in /__prime on the FIFO run/gate, workload.lua), so that each
# lands on a thread of its own, and 8 more for a thread a request missed; then it opens the
# gate. The requests go out on connections this shell opens (ab opens one at a time), in
# batches of 1024, each once the last has arrived (or none arrived for 3 s), so that no SYN
# overflows the listen queue. mod_lua 2.4 has no directive that builds a state when a
# thread starts, and a state built on a thread's first request (about 1.7 ms of CPU and
# 220 KB) would be timed in the window.
apache_prime() {
  lua_states=0 lua_kb=0
  [ "$lua" = yes ] || return 0
  local host before after total=$((want + 8)) sent=0 fd fds=()
  host=$(peer_host)
  before=$(apache_rss_kb "$1")
  rm -f "$dir/run/gate" && mkfifo -m 666 "$dir/run/gate"
  while [ "$sent" -lt "$total" ]; do
    if exec {fd}<>"/dev/tcp/$host/$port"; then
      fds+=("$fd")
      printf 'GET /__prime HTTP/1.1\r\nHost: prime\r\nConnection: close\r\n\r\n' >&"$fd" || true
    fi
    sent=$((sent + 1))
    [ $((sent % 1024)) != 0 ] || apache_wait_primed $((sent < want ? sent : want))
  done
  apache_wait_primed "$want"
  exec 3<>"$dir/run/gate"                        # every blocked open returns,
  rm -f "$dir/run/gate" && : > "$dir/run/gate"  # a late one finds a file,
  exec 3>&-                                      # and every read ends
  for fd in "${fds[@]}"; do exec {fd}>&-; done
  after=$(apache_rss_kb "$1")
  lua_states=$(apache_primed)
  [ "$lua_states" -ge "$want" ] || echo "apache.sh: $lua_states of $want threads primed with a Lua state" >&2
  [ "$lua_states" -le 0 ] || lua_kb=$(((after - before) / lua_states))
}

# apache_wait_primed N waits until N Lua states exist, or none was added for 3 s.
apache_wait_primed() {
  local got last=-1 still=0
  while got=$(apache_primed) && [ "$got" -lt "$1" ] && [ "$still" -lt 60 ]; do
    if [ "$got" = "$last" ]; then still=$((still + 1)); else still=0 last=$got; fi
    sleep 0.05
  done
}

# apache_primed prints how many Lua states exist (the bytes of run/primed).
apache_primed() { stat -c %s "$dir/run/primed" 2>/dev/null || echo 0; }

# apache_settings prints the settings line: what was configured, and what it cost.
apache_settings() {
  local modules="mpm_$mpm authz_core alias allowmethods"
  [ "$hello" != mmap ] || modules="$modules file_cache"
  [ "$lua" = no ] || modules="$modules lua"
  local factor_json=null # AsyncRequestWorkerFactor is the event MPM's alone
  [ "$mpm" != event ] || factor_json=$factor
  printf 'settings {"server":"apache","version":"%s","mpm":"%s","start_servers":%d,"threads_per_child":%d,"server_limit":%d,"async_request_worker_factor":%s,"threads":%d,"keepalive_timeout_s":120,"hello":"%s","modules":"%s","lua_states":%d,"lua_state_kb":%d,"log":"%s","log_drops":"%s"}\n' \
    "$(apache2 -v | sed -n 's|^Server version: Apache/\([^ ]*\).*|\1|p')" "$mpm" "$start" "$per_child" "$limit" "$factor_json" "$want" "$hello" "$modules" \
    "$lua_states" "$lua_kb" "$dir/error.log" "$([ "$mpm" = event ] && echo "will shutdown" || true)"
}
