#!/usr/bin/env python3
"""One level of scripts/loadgen-vs-wrk.sh: the clients take turns on one nginx.

Every client (wrk -t1, the closed engine, vegeta's closed loop) is started against the same
nginx, all pinned to the client CPU, and each holds its connections for the whole level.
Once nginx holds all of them, the clients take turns in a fixed order (A B A B ...): a
turn resumes one client (SIGCONT), lets it settle for SETTLE, measures WINDOW, and stops
it again (SIGSTOP), so every turn starts alike, from a stop of the same length (the other
clients' turns). The settle is not measured: a client resumed from a stop first answers
the responses that waited for it, and wrk at c = 4000 runs up to half again as fast for
about 0.9 s after it is resumed (after stops of 0.5 and 2.2 s). The summary compares each
turn of one client with the mean of the other's turns just before and just after it, which
cancels a machine that drifts steadily.

What a turn measures, with the same meters for every client:
  - requests: nginx's own count (stub_status, the peer started with NGINX_STUB_STATUS=1),
    not each client's report of itself; a turn fails when nginx accepted any connection
    since the last turn besides the status requests, or holds fewer than the clients'
    (a client that reconnected or lost connections: its requests would not all be round
    trips on held connections); a client's timeouts or non-2xx answers are not seen;
  - the client's CPU time: its process CPU clock (every thread, those that ended too), and
    nginx's worker's the same way: its share says whether nginx was the limit;
  - the client CPU's busy time from /proc/stat (user, system, irq and softirq): only the
    running client runs there, so this also counts kernel work there outside its process
    (softirqs, ksoftirqd). On loopback a packet's receive work runs on the sender's CPU, so
    the delivery of nginx's responses is in nginx's share, not here.
A turn's latency is not measured: a stopped client's requests wait for it.

A client is named by its kind (wrk, closed, vegeta), or KIND#TAG for a second one of a
kind: `--clients "wrk wrk#b"` puts wrk against itself, which must read 1.00.

Rows are appended to OUT as
turn,round,client,concurrency,rps,client_cpu_pct,nginx_cpu_pct,cpu_busy_pct; a client that
exits, a turn with new connections, or a level whose connections never all open gives rows
with rps 0: a failed turn for the summary. Every client is killed when this script ends,
however it ends (and by the kernel if the script itself is killed: PR_SET_PDEATHSIG).
"""
import argparse
import ctypes
import glob
import os
import re
import signal
import socket
import subprocess
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", required=True, help="the bench binary")
    ap.add_argument("--port", type=int, required=True, help="nginx's port on 127.0.0.1")
    ap.add_argument("--nginx-pid", type=int, required=True, help="nginx's master")
    ap.add_argument("--level", type=int, required=True, help="connections per client")
    ap.add_argument("--clients", default="wrk closed vegeta")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--window", type=float, default=1.0, help="seconds measured per turn")
    ap.add_argument("--settle", type=float, default=1.5, help="seconds after a resume, not measured")
    ap.add_argument("--cpu", type=int, default=1, help="the clients' CPU")
    ap.add_argument("--driver-cpu", type=int, default=0, help="this script's CPU (nginx's, not the clients')")
    ap.add_argument("--ramp", action="store_true", help="the closed engine loads with --ramp, as bench run does")
    ap.add_argument("--out", required=True, help="CSV to append rows to")
    return ap.parse_args()


def die_with_parent(parent):
    def hook():
        if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL) != 0 or os.getppid() != parent:
            os._exit(1)  # PR_SET_PDEATHSIG refused, or the parent already gone
    return hook


def status(port):
    """nginx's stub_status page: (active connections, accepted, requests taken so far)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /nginx_status HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    active = re.search(rb"Active connections:\s*(\d+)", data)
    counts = re.search(rb"\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n", data)
    if not active or not counts:
        raise RuntimeError("nginx has no stub_status page (start it with NGINX_STUB_STATUS=1)")
    return int(active.group(1)), int(counts.group(1)), int(counts.group(3))


def cpu_ns(pid):
    """The process CPU clock of pid (CPUCLOCK_SCHED of the whole process): every thread's
    CPU time so far, those that ended included."""
    ns = time.clock_gettime_ns(((~pid) << 3) | 2)
    if ns <= 0:
        raise RuntimeError(f"no CPU clock for process {pid}")
    return ns


def busy_ns(cpu):
    """CPU cpu's busy time so far from /proc/stat: user, nice, system, irq, softirq."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith(f"cpu{cpu} "):
                user, nice, system, _idle, _iowait, irq, softirq = map(int, line.split()[1:8])
                return (user + nice + system + irq + softirq) * 1e9 / os.sysconf("SC_CLK_TCK")
    raise RuntimeError(f"no cpu{cpu} in /proc/stat")


def worker_of(master):
    """nginx's worker: the master's child (waited for up to 5 s: the master listens before
    it forks it)."""
    for _ in range(50):
        for path in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(path) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                return int(path.split("/")[2])
        time.sleep(0.1)
    raise RuntimeError(f"nginx {master} has no worker")


def command(name, a, url, timeout_s):
    kind = name.split("#")[0]
    if kind not in ("wrk", "closed", "vegeta"):
        raise SystemExit(f"loadgen-vs-wrk: unknown client {name!r} (wrk, closed, vegeta, or KIND#TAG)")
    lasting = int(a.rounds * len(a.clients.split()) * (a.settle + a.window) + 120)
    pin = ["taskset", "-c", str(a.cpu)]
    if kind == "wrk":
        return pin + ["wrk", "-t1", f"-c{a.level}", f"-d{lasting}s", "--timeout", f"{timeout_s}s", url]
    ramp = ["--ramp"] if a.ramp and kind == "closed" else []
    return pin + [a.bench, "load", "--engine", kind, "--url", url, "-c", str(a.level), "--cpus", str(a.cpu),
                  "--duration", f"{lasting}s", "--warmup", "1s", "--timeout", f"{timeout_s}s"] + ramp


def wait_for(what, deadline_s, ok, procs):
    """Polls ok() every 0.1 s up to deadline_s; False when a client exits or time runs out.
    A status request that fails (a SYN lost in a storm of connects) is a poll that is not
    ready yet."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs.values()):
            print(f"c = {what}: a client exited while connecting", file=sys.stderr)
            return False
        try:
            if ok():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def holders(clients):
    """The clients whose connections nginx's count can wait for: all but vegeta's, whose
    workers open connections as they start."""
    return [n for n in clients if not n.startswith("vegeta")]


def held_connections(a, clients):
    """The connections nginx holds at the least while a level runs: the holders' and one
    status request's."""
    return a.level * len(holders(clients)) + 1


def start_all(a, clients, url, procs):
    """Starts the clients and reports whether nginx came to hold every connection of wrk's
    and the closed engine's; vegeta's start after those (its workers open connections as
    they start, so nginx's count cannot tell when they all have), then all are stopped."""
    timeout_s = max(30, int(3 * (len(clients) - 1) * (a.settle + a.window)))  # above the longest stop
    if not wait_for(a.level, 30, lambda: status(a.port)[0] <= 1, procs):
        print(f"c = {a.level}: nginx still holds the previous level's connections", file=sys.stderr)
        return False
    held = holders(clients)
    start = lambda name: subprocess.Popen(command(name, a, url, timeout_s), stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, preexec_fn=die_with_parent(os.getpid()))
    for name in held:
        procs[name] = start(name)
    if not wait_for(a.level, 30 + a.level / 100, lambda: status(a.port)[0] >= held_connections(a, clients), procs):
        print(f"c = {a.level}: the clients' connections did not all open", file=sys.stderr)
        return False
    for name in clients:
        if name not in held:
            procs[name] = start(name)
    time.sleep(1)  # the closed engine's warm-up, and vegeta's workers
    for p in procs.values():
        os.kill(p.pid, signal.SIGSTOP)
    time.sleep((len(clients) - 1) * (a.settle + a.window))  # the first turn, too, starts from a whole stop
    return True


def turn(a, pid, worker):
    """One turn of the stopped client pid: resumes it, settles, measures, stops it. Returns
    req/s, its CPU, nginx's and the client CPU's busy share (% of one core), and nginx's
    active connections and accepted count at the window's end."""
    os.kill(pid, signal.SIGCONT)
    time.sleep(a.settle)
    _, _, r0 = status(a.port)
    c0, n0, b0, t0 = cpu_ns(pid), cpu_ns(worker), busy_ns(a.cpu), time.monotonic()
    time.sleep(a.window)
    active, accepted, r1 = status(a.port)
    c1, n1, b1, t1 = cpu_ns(pid), cpu_ns(worker), busy_ns(a.cpu), time.monotonic()
    os.kill(pid, signal.SIGSTOP)
    span = t1 - t0
    pct = lambda ns: 100 * ns / 1e9 / span
    return (r1 - r0 - 1) / span, pct(c1 - c0), pct(n1 - n0), pct(b1 - b0), active, accepted


def run(a, clients, procs, worker, out):
    """Every turn; a turn fails (rps 0) when its client or nginx exited, when nginx accepted
    a connection since the last turn's end other than the two status requests of this turn
    (settle and window included), or when it holds fewer connections than wrk's and the
    closed engine's."""
    held = held_connections(a, clients)
    n, before = 0, status(a.port)[1]
    for rnd in range(1, a.rounds + 1):
        for name in clients:
            n += 1
            rps, cpu, ngx, busy, active, accepted = turn(a, procs[name].pid, worker)
            opened, before = accepted - before - 2, accepted
            if procs[name].poll() is not None or not os.path.exists(f"/proc/{a.nginx_pid}"):
                print(f"c = {a.level}: {name if procs[name].poll() is not None else 'nginx'} exited", file=sys.stderr)
                rps = 0
            if opened or active < held:
                print(f"c = {a.level}: turn {n} ({name}): {opened} connection(s) opened, {active} held of {held}",
                      file=sys.stderr)
                rps = 0
            out.write(f"{n},{rnd},{name},{a.level},{rps:.0f},{cpu:.1f},{ngx:.1f},{busy:.1f}\n")
            out.flush()
            print(f"{rnd:>5} {name:<8} {a.level:>6} {rps:>10.0f} {cpu:>5.0f} {busy:>5.0f} {ngx:>6.0f}", flush=True)


def main():
    a = parse_args()
    clients = a.clients.split()
    if len(set(clients)) != len(clients):
        raise SystemExit(f"loadgen-vs-wrk: a client named twice in {a.clients!r} (a second one of a kind is KIND#TAG)")
    os.sched_setaffinity(0, {a.driver_cpu})
    url = f"http://127.0.0.1:{a.port}/"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    procs = {}
    try:
        worker = worker_of(a.nginx_pid)
        with open(a.out, "a") as out:
            if start_all(a, clients, url, procs):
                run(a, clients, procs, worker, out)
            else:
                for rnd in range(1, a.rounds + 1):
                    for name in clients:
                        out.write(f"0,{rnd},{name},{a.level},0,,,\n")
    finally:
        for p in procs.values():
            try:
                os.kill(p.pid, signal.SIGCONT)
                p.kill()
            except ProcessLookupError:
                pass
            p.wait()


if __name__ == "__main__":
    main()
