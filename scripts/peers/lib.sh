# Shared by the peer scripts (sourced, not run): the contract's flags, the temporary
# directory, and the wait for the port. See README.md in this directory.

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

# peer_ready PID PORT DIR waits up to 10 s for 127.0.0.1:PORT to accept a connection, then
# records PID in DIR/pid and prints it: the contract's first line. If the server dies or the
# port stays closed, it prints the server's log (DIR/*.log) to stderr, stops the server
# (SIGTERM, then SIGKILL), and fails.
peer_ready() {
  local pid=$1 port=$2 dir=$3 i
  for i in $(seq 200); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "peer: the server exited while starting" >&2; break
    fi
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
      echo "$pid" > "$dir/pid"
      echo "$pid"
      return 0
    fi
    sleep 0.05
  done
  [ "$i" = 200 ] && echo "peer: 127.0.0.1:$port not open after 10 s" >&2
  cat "$dir"/*.log >&2 2>/dev/null || true
  echo "$pid" > "$dir/pid"
  kill -TERM "$pid" 2>/dev/null && sleep 1 && kill -KILL "$pid" 2>/dev/null
  return 1
}
