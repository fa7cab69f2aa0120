#!/usr/bin/env bash
# multihost-test.sh BENCH: bench run across machines, with network namespaces as the
# machines. A coordinator namespace holds a bridge (10.77.0.1/24) and runs bench run; the
# server namespace (10.77.0.2) and two client namespaces (.3, .4) each run sshd with a
# throwaway host key and user key. Only the namespaces' own addresses are targets.
# Checks: the hello row's request count against the server's own count (bench serve
# --count-log) within the requests in flight at the window's edges, the clients' start
# skew, and no process left in any namespace and no copy of bench on any host after a
# normal run, after SIGINT and after SIGKILL of the coordinator.
set -euo pipefail

BENCH=$(realpath "${1:-./bench}")
if [ "$(uname -s)" != Linux ] || [ "$(id -u)" != 0 ]; then
	echo "multihost-test: SKIP: needs Linux and root (network namespaces, sshd)"
	exit 0
fi
command -v ip >/dev/null || { echo "multihost-test: SKIP: no ip(8)"; exit 0; }
if [ ! -x /usr/sbin/sshd ]; then
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y openssh-server >/dev/null
fi

tag=mh$$
co=${tag}co
hosts=(s c1 c2)
T=$(mktemp -d /tmp/multihost.XXXXXX)
cleanup() {
	set +e
	for h in "${hosts[@]}"; do
		[ -f "$T/sshd-$h.pid" ] && kill "$(cat "$T/sshd-$h.pid")" 2>/dev/null
	done
	for ns in "$co" "${hosts[@]/#/$tag}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "multihost-test: FAIL: $*"; exit 1; }
# copies_of LOG: the folders a bench run's log says it copied bench to.
copies_of() { sed -n 's/.*bench copied to \(\/tmp\/bench-[A-Za-z0-9]*\).*/\1/p' "$1"; }

# Namespaces: the coordinator's holds the bridge, each host joins it by a veth pair.
mkdir -p /run/sshd
ip netns add "$co"
ip -n "$co" link set lo up
ip -n "$co" link add br0 type bridge
ip -n "$co" addr add 10.77.0.1/24 dev br0
ip -n "$co" link set br0 up
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$T/id"
cp "$T/id.pub" "$T/authorized_keys"
n=2
for h in "${hosts[@]}"; do
	ns=$tag$h
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$co" link add "v$h" type veth peer name eth0 netns "$ns"
	ip -n "$co" link set "v$h" master br0 up
	ip -n "$ns" addr add "10.77.0.$n/24" dev eth0
	ip -n "$ns" link set eth0 up
	cat >"$T/sshd-$h.conf" <<CONF
ListenAddress 10.77.0.$n
HostKey $T/hostkey
PidFile $T/sshd-$h.pid
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
CONF
	ip netns exec "$ns" /usr/sbin/sshd -f "$T/sshd-$h.conf"
	cat >>"$T/ssh_config" <<CONF
Host $h
  HostName 10.77.0.$n
  User root
  IdentityFile $T/id
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
  ConnectTimeout 5
CONF
	n=$((n + 1))
done
for h in "${hosts[@]}"; do # sshd is up when it answers
	for _ in $(seq 50); do
		ip netns exec "$co" ssh -F "$T/ssh_config" -o BatchMode=yes "$h" true 2>/dev/null && continue 2
		sleep 0.1 # polling sshd's readiness, bounded to 5 s
	done
	fail "sshd in $tag$h does not answer"
done

# A peer server for the first run, started on the server host from the copy of its
# script there (the namespaces share this machine's files, and so its installed servers).
repo=$(cd "$(dirname "$0")/.." && pwd)
peer=""
design=""
if command -v gcc >/dev/null; then peer=cthreads design=threads; elif command -v nginx >/dev/null; then peer=nginx design=events; fi
# suite NAME [PEER]: the quick suite, the server's count of responses in $T/count-NAME.log;
# with PEER, that peer too.
suite() {
	local servers='"evented"' peerspec=""
	if [ -n "${2:-}" ]; then
		servers+=", \"$2\""
		peerspec=", {\"label\": \"$2\", \"external\": \"$repo/scripts/peers/$2.sh\", \"design\": \"$design\"}"
	fi
	cat >"$T/suite-$1.json" <<JSON
{
  "description": "multihost test: one model (and a peer), hello at 2 levels, short windows",
  "warmup": "1s", "duration": "2s",
  "servers": [{"label": "evented", "model": "evented", "args": ["--count-log", "$T/count-$1.log"]}$peerspec],
  "scenarios": [{"name": "hello", "kind": "closed", "path": "/hello", "restart": "scenario", "servers": [$servers], "levels": [8, 32]}]
}
JSON
	echo "$T/suite-$1.json"
}

# leftover NS: the processes in a host namespace besides its sshd listener.
leftover() {
	local ns=$1 keep=${2:-}
	for pid in $(ip netns pids "$ns"); do
		[ "$pid" = "$keep" ] || echo "$pid $(tr '\0' ' ' 2>/dev/null </proc/"$pid"/cmdline)"
	done
}
# settled: no process left anywhere within 5 s (sshd's session processes end as the
# sessions do); prints what is left otherwise.
settled() {
	for _ in $(seq 50); do
		local left=""
		left+=$(leftover "$co")
		for h in "${hosts[@]}"; do left+=$(leftover "$tag$h" "$(cat "$T/sshd-$h.pid")"); done
		[ -z "$left" ] && return 0
		sleep 0.1 # polling the namespaces' process lists, bounded to 5 s
	done
	echo "$left"
	return 1
}

echo "== multi-host run: server in $tag""s, clients in $tag""c1 and $tag""c2; peer: ${peer:-none installed}"
timeout 180 ip netns exec "$co" "$BENCH" run --suite "$(suite run "$peer")" --out "$T/run" \
	--server-host s=0 --client-hosts c1=1,c2=1 --ssh-config "$T/ssh_config" | tee "$T/run.log"
settled || fail "processes left after the run"
echo "no process left in any namespace after the run${peer:+ (no $peer either)}"
for d in $(copies_of "$T/run.log"); do
	[ ! -e "$d" ] || fail "$d, copied by the run, is still there"
done
echo "the copies of bench are removed"

# The server's own count over each window, against the row's requests.
python3 - "$T/run/summary.csv" "$T/count-run.log" "$peer" <<'PY'
import csv, sys, re, bisect
rows = list(csv.DictReader(open(sys.argv[1])))
peer = sys.argv[3]
ok = True
if peer:  # the peer on the server host: measured from both clients, without errors
    prow = [r for r in rows if r["server"] == peer]
    for r in prow:
        good = int(r["requests"]) > 0 and int(r["errors"]) == 0 and int(r["rss_peak_kb"]) > 0
        ok = ok and good
        print(f"{peer} hello c={r['concurrency']}: {r['requests']} requests, {r['errors']} errors, "
              f"server host's RSS {r['rss_peak_kb']} KB: {'OK' if good else 'FAIL'} {r['note'][:120]}")
    if len(prow) != 2:
        print(f"FAIL: {len(prow)} {peer} rows, want 2"); ok = False
rows = [r for r in rows if r["server"] == "evented"]
log = [tuple(map(int, l.split())) for l in open(sys.argv[2]) if l.strip()]
ts = [t for t, _ in log]
def count_at(t, side):  # the server's count at a logged instant at or before/after t
    i = bisect.bisect_right(ts, t) - 1 if side < 0 else bisect.bisect_left(ts, t)
    i = min(max(i, 0), len(log) - 1)
    return log[i][1]
for r in rows:
    m = re.search(r"within (\S+) of each other, the first at unix_ns=(\d+)", r["note"])
    if not m:
        print("FAIL: no window start in the note:", r["note"]); ok = False; continue
    start, dur = int(m.group(2)), float(r["duration_s"])
    end = start + int(dur * 1e9)
    lo = count_at(end, -1) - count_at(start, +1)
    hi = count_at(end, +1) - count_at(start, -1)
    conns, req = int(r["concurrency"]), int(r["requests"])
    # in flight at each edge: at most one request per connection; skew: the second
    # host's window began (and ended) that much later.
    skew_us = float(re.sub(r"[^0-9.]", "", m.group(1))) * (1000 if m.group(1).endswith("ms") else 1e-3 if m.group(1).endswith("ns") else 1)
    slack = 2 * conns + int(float(r["rps"]) * skew_us / 1e6) + 1
    good = lo - slack <= req <= hi + slack
    sampled = int(r["rss_peak_kb"]) > 0 and r["ctx_vol"] != ""  # the server host's sampler
    ok = ok and good and sampled
    print(f"{r['server']} hello c={conns}: row {req} requests; server counted {lo}..{hi} in the window; "
          f"slack {slack} (2×{conns} in flight + skew {m.group(1)}): {'OK' if good else 'FAIL'}; "
          f"server host's RSS {r['rss_peak_kb']} KB, ctx_vol {r['ctx_vol'] or 'EMPTY'}")
sys.exit(0 if ok else 1)
PY

echo "== SIGINT mid-run"
ip netns exec "$co" timeout 120 "$BENCH" run --suite "$(suite run2)" --out "$T/run2" \
	--server-host s=0 --client-hosts c1=1,c2=1 --ssh-config "$T/ssh_config" >"$T/run2.log" 2>&1 &
runner=$!
for _ in $(seq 300); do # until the first row is written or the load is under way, ≤ 30 s
	[ -f "$T/run2/summary.csv" ] && [ "$(wc -l <"$T/run2/summary.csv")" -ge 2 ] && break
	sleep 0.1
done
pkill_target=$(pgrep -P "$runner" | head -1) # timeout's child: bench run
[ -n "$pkill_target" ] || fail "bench run was not running"
kill -INT "$pkill_target"
wait "$runner" || true
tail -2 "$T/run2.log"
settled || fail "processes left after SIGINT"
echo "no process left in any namespace after SIGINT mid-run"
for d in $(copies_of "$T/run2.log"); do
	[ ! -e "$d" ] || fail "$d, copied by the interrupted run, is still there"
done
echo "the copies of bench are removed after SIGINT too"

echo "== SIGKILL of the coordinator mid-run"
# Nothing of the coordinator runs its cleanup: each host's keeper (bench keep) removes the
# copy when its ssh session ends, and the remote processes exit with theirs.
ip netns exec "$co" timeout 120 "$BENCH" run --suite "$(suite run4)" --out "$T/run4" \
	--server-host s=0 --client-hosts c1=1,c2=1 --ssh-config "$T/ssh_config" >"$T/run4.log" 2>&1 &
runner=$!
for _ in $(seq 300); do # until the first row is written, ≤ 30 s
	[ -f "$T/run4/summary.csv" ] && [ "$(wc -l <"$T/run4/summary.csv")" -ge 2 ] && break
	sleep 0.1
done
coordinator=$(pgrep -P "$runner" | head -1) # timeout's child: bench run
[ -n "$coordinator" ] || fail "bench run was not running"
copies=$(copies_of "$T/run4.log")
[ -n "$copies" ] || fail "no copy of bench in the log"
for d in $copies; do [ -x "$d/bench" ] || fail "$d/bench is not there mid-run"; done
kill -KILL "$coordinator"
wait "$runner" || true
remaining() { for d in $copies; do [ ! -e "$d" ] || echo "$d"; done; }
for _ in $(seq 100); do # until the keepers have removed the copies, ≤ 10 s
	[ -z "$(remaining)" ] && break
	sleep 0.1
done
[ -z "$(remaining)" ] || fail "copies left 10 s after SIGKILL of the coordinator: $(remaining)"
echo "the copies of bench are removed after SIGKILL of the coordinator: $(echo $copies)"
settled || fail "processes left after SIGKILL of the coordinator"
echo "no process left in any namespace after SIGKILL of the coordinator"

echo "== faults: a client host's load killed in step 1, the server killed in step 2"
# nsproc NS WORD: the PID of a bench process in NS whose command line has WORD, ≤ 30 s.
nsproc() {
	for _ in $(seq 300); do
		for pid in $(ip netns pids "$1"); do
			{ tr '\0' ' ' </proc/"$pid"/cmdline; } 2>/dev/null | grep -q "bench $2 " && { echo "$pid"; return 0; }
		done
		sleep 0.1 # polling the namespace's processes, bounded to 30 s
	done
	return 1
}
sed 's/"levels": \[8, 32\]/"levels": [8, 16, 32]/' "$(suite run3)" >"$T/suite-faults.json"
ip netns exec "$co" timeout 120 "$BENCH" run --suite "$T/suite-faults.json" --out "$T/run3" \
	--server-host s=0 --client-hosts c1=1,c2=1 --ssh-config "$T/ssh_config" >"$T/run3.log" 2>&1 &
runner=$!
pid=$(nsproc "${tag}c2" load) || fail "no bench load in ${tag}c2"
served() { tail -2 "$T/count-run3.log" 2>/dev/null | head -1 | awk '{print $2 + 0}'; }
before=$(served)
for _ in $(seq 300); do # until the server has answered 1000 more requests: the load is on, ≤ 30 s
	[ "$(served)" -ge $((${before:-0} + 1000)) ] && break
	sleep 0.1
done
kill -9 "$pid" 2>/dev/null || { grep -E '^\[|note:' "$T/run3.log"; fail "bench load $pid in ${tag}c2 ended before it was killed (load average $(cut -d' ' -f1-3 /proc/loadavg))"; }
for _ in $(seq 300); do # until step 1's row is written, ≤ 30 s
	[ -f "$T/run3/summary.csv" ] && [ "$(wc -l <"$T/run3/summary.csv")" -ge 2 ] && break
	sleep 0.1
done
pid=$(nsproc "${tag}c1" load) || fail "no bench load in ${tag}c1 for step 2"
kill -9 "$(nsproc "${tag}s" serve)"
wait "$runner" || true
grep -E '^\[|note:' "$T/run3.log"
python3 - "$T/run3/summary.csv" <<'PY' || fail "fault rows"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 3, f"{len(rows)} rows, want 3"
assert "client host c2 dropped" in rows[0]["note"] and int(rows[0]["requests"]) > 0, rows[0]["note"]
assert "server died mid-step" in rows[1]["note"], rows[1]["note"]
assert int(rows[2]["requests"]) > 0 and "dropped" not in rows[2]["note"], rows[2]["note"]
print("step 1: a row from c1 alone, noted; step 2: noted", repr(rows[1]["note"][-80:]), "; step 3: both hosts again")
PY
settled || fail "processes left after the faults"
echo "no process left in any namespace after the faults"

echo "== the same suite on this machine, single host"
timeout 120 "$BENCH" run --suite "$(suite local)" --out "$T/local" | grep -E '^\[' || true
echo "multihost-test: PASS"
