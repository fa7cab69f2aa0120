# Shared by the peer scripts (sourced, not run): the contract's flags, the temporary
# directory, the address to listen on, and the wait for the port. See README.md in this
# directory.

# PEER_BIND is the address the server listens on (default 127.0.0.1; 0.0.0.0 or :: for
# every address, as on a server host that clients reach from other machines).
bind=${PEER_BIND:-127.0.0.1}

# peer_listen PORT prints the listen address HOST:PORT ([HOST]:PORT for IPv6).
peer_listen() {
  case "$bind" in
    *:*) echo "[$bind]:$1" ;;
    *) echo "$bind:$1" ;;
  esac
}

# peer_host prints the address a client on this machine reaches the server at: PEER_BIND,
# or loopback when it binds every address.
peer_host() {
  case "$bind" in
    0.0.0.0) echo 127.0.0.1 ;;
    ::) echo ::1 ;;
    *) echo "$bind" ;;
  esac
}

# peer_flags ENDPOINTS CHECK_CMD... handles `--endpoints` (prints ENDPOINTS) and `--check`
# (runs CHECK_CMD, which prints why the peer cannot run and fails, or succeeds) and exits;
# with any other arguments it returns.
peer_flags() {
  local endpoints=$1; shift
  case "${ARG1:-}" in
    --endpoints) echo "$endpoints"; exit 0 ;;
    --check) "$@"; exit $? ;;
  esac
}

# need CMD... fails with "missing CMD" for the first command not on PATH.
need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "missing $c"; return 1; }
  done
}

# peer_dir NAME makes a fresh temporary directory for one instance and prints it. It first
# removes the directories earlier instances of NAME left, once the PID in their `pid` file
# no longer runs (the server cannot remove its own directory: it reads from it until it dies).
peer_dir() {
  local base=${TMPDIR:-/tmp} d p
  for d in "$base"/peer-"$1".*; do
    [ -d "$d" ] || continue
    p=$(cat "$d/pid" 2>/dev/null || true)
    if [ -n "$p" ] && ! kill -0 "$p" 2>/dev/null; then rm -rf "$d"; fi
  done
  mktemp -d "$base/peer-$1.XXXXXX"
}

# peer_ready PID PORT DIR waits up to 10 s for PEER_BIND:PORT (loopback when it binds every
# address) to accept a connection, then
# records PID in DIR/pid and prints it: the contract's first line. If the server dies or the
# port stays closed, it prints the server's log (DIR/*.log) to stderr, stops the server
# (SIGTERM, then SIGKILL), and fails.
peer_ready() {
  local pid=$1 port=$2 dir=$3 i host
  host=$(peer_host)
  for i in $(seq 200); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "peer: the server exited while starting" >&2; break
    fi
    if (exec 3<>/dev/tcp/"$host"/"$port") 2>/dev/null; then
      echo "$pid" > "$dir/pid"
      echo "$pid"
      return 0
    fi
    sleep 0.05
  done
  [ "$i" = 200 ] && echo "peer: $host:$port not open after 10 s" >&2
  cat "$dir"/*.log >&2 2>/dev/null || true
  echo "$pid" > "$dir/pid"
  kill -TERM "$pid" 2>/dev/null && sleep 1 && kill -KILL "$pid" 2>/dev/null
  return 1
}

# peer_settings JSON LOG prints the contract's second line, `settings {JSON}`: the server's
# effective settings (a JSON object; {} when empty) with "log", the instance's log, added.
peer_settings() {
  local js=${1:-"{}"}
  js=${js%\}}
  [ "$js" = "{" ] || js="$js,"
  printf 'settings %s"log":"%s"}\n' "$js" "$2"
}
