#!/usr/bin/env python3
"""One level of scripts/loadgen-vs-wrk.sh: the clients take turns on one nginx.

Every client (wrk -t1, the closed engine, vegeta's closed loop) is started at once against
the same nginx, all pinned to the client CPU, and each holds its connections for the whole
level. Once nginx holds all of them, the clients take turns: in each turn one runs and the
others are stopped (SIGSTOP), it settles for SETTLE (a client resumed from a stop first
answers the responses that waited for it, and wrk runs up to a third faster for 0.8 s after
it is resumed at c = 4000), then WINDOW is measured. The order is reversed every other
round (A B then B A), so a slow stretch of the machine falls on both sides of a pair.

What a turn measures, with the same meters for every client:
  - requests: nginx's own count (stub_status, the peer started with NGINX_STUB_STATUS=1),
    not each client's report of itself;
  - the client's CPU time: the sum of /proc/PID/task/*/schedstat over its threads, in ns;
  - nginx's worker's CPU time, the same way: its share says whether nginx was the limit.
A turn's latency is not measured: a stopped client's requests wait for it.

A client is named by its kind (wrk, closed, vegeta), or KIND#TAG for a second one of a
kind: `--clients "wrk wrk#b"` puts wrk against itself, which must read 1.00 (the turns
favour neither side).

Rows are appended to OUT as round,client,concurrency,rps,client_cpu_pct,nginx_cpu_pct; a
client that exits, or a level whose connections never all open, gives rows with rps 0, a
failed run for the summary. Every client is killed when this script ends, however it ends
(and by the kernel if the script itself is killed: PR_SET_PDEATHSIG).
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
    ap.add_argument("--settle", type=float, default=1.2, help="seconds after a resume, not measured")
    ap.add_argument("--cpu", default="1", help="the clients' CPU")
    ap.add_argument("--ramp", action="store_true", help="the suite's engines load with --ramp")
    ap.add_argument("--out", required=True, help="CSV to append rows to")
    return ap.parse_args()


def die_with_parent():
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def status(port):
    """nginx's stub_status page: (active connections, requests taken so far)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /nginx_status HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    active = re.search(rb"Active connections:\s*(\d+)", data)
    counts = re.search(rb"\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n", data)
    if not active or not counts:
        raise RuntimeError("nginx has no stub_status page (start it with NGINX_STUB_STATUS=1)")
    return int(active.group(1)), int(counts.group(3))


def cpu_ns(pid):
    """CPU time of every thread of pid so far, in ns (threads that ended are not counted:
    none of the clients ends a thread while it loads)."""
    total = 0
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def worker_of(master):
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(path) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            return int(path.split("/")[2])
    raise RuntimeError(f"nginx {master} has no worker")


def command(name, a, url, lasting):
    kind = name.split("#")[0]
    if kind not in ("wrk", "closed", "vegeta"):
        raise SystemExit(f"loadgen-vs-wrk: unknown client {name!r} (wrk, closed, vegeta, or KIND#TAG)")
    pin = ["taskset", "-c", a.cpu]
    if kind == "wrk":
        return pin + ["wrk", "-t1", f"-c{a.level}", f"-d{lasting}s", "--timeout", f"{lasting}s", url]
    ramp = ["--ramp"] if a.ramp and kind == "closed" else []
    return pin + [a.bench, "load", "--engine", kind, "--url", url, "-c", str(a.level), "--cpus", a.cpu,
                  "--duration", f"{lasting}s", "--warmup", "1s", "--timeout", f"{lasting}s"] + ramp


def wait_connected(a, clients, procs):
    """Waits until nginx holds every connection of wrk and the closed engine (vegeta's
    closed loop opens its connections as its workers start) and reports whether it did."""
    want = a.level * sum(1 for k in clients if not k.startswith("vegeta")) + 1  # + the status connection
    deadline = time.monotonic() + 30 + a.level / 100
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs.values()):
            return False
        if status(a.port)[0] >= want:
            time.sleep(1)  # the closed engine's warm-up, and vegeta's workers
            return True
        time.sleep(0.1)
    return False


def turn(a, pid, worker):
    """Measures one turn of the client pid (already resumed): req/s, its CPU and nginx's, % of one core."""
    time.sleep(a.settle)
    r0, c0, n0, t0 = status(a.port)[1], cpu_ns(pid), cpu_ns(worker), time.monotonic()
    time.sleep(a.window)
    r1, c1, n1, t1 = status(a.port)[1], cpu_ns(pid), cpu_ns(worker), time.monotonic()
    span = t1 - t0
    requests = r1 - r0 - 1  # the status request that ended the window
    return requests / span, 100 * (c1 - c0) / 1e9 / span, 100 * (n1 - n0) / 1e9 / span


def run(a, clients, procs, worker, out):
    for rnd in range(1, a.rounds + 1):
        order = clients if rnd % 2 else clients[::-1]
        for name in order:
            for other in clients:
                if other != name:
                    os.kill(procs[other].pid, signal.SIGSTOP)
            os.kill(procs[name].pid, signal.SIGCONT)
            rps, cpu, ngx = turn(a, procs[name].pid, worker)
            if procs[name].poll() is not None or not os.path.exists(f"/proc/{a.nginx_pid}"):
                rps = cpu = ngx = 0
            out.write(f"{rnd},{name},{a.level},{rps:.0f},{cpu:.1f},{ngx:.1f}\n")
            out.flush()
            print(f"{rnd:>5} {name:<8} {a.level:>6} {rps:>10.0f} {cpu:>5.0f} {ngx:>6.0f}", flush=True)


def main():
    a = parse_args()
    clients = a.clients.split()
    if len(set(clients)) != len(clients):
        raise SystemExit(f"loadgen-vs-wrk: a client named twice in {a.clients!r} (a second one of a kind is KIND#TAG)")
    url = f"http://127.0.0.1:{a.port}/"
    lasting = int(a.rounds * len(clients) * (a.settle + a.window) + 120)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    procs = {}
    try:
        worker = worker_of(a.nginx_pid)
        for name in clients:
            procs[name] = subprocess.Popen(command(name, a, url, lasting), stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
        with open(a.out, "a") as out:
            if wait_connected(a, clients, procs):
                run(a, clients, procs, worker, out)
            else:
                print(f"c = {a.level}: the clients' connections did not all open", file=sys.stderr)
                for rnd in range(1, a.rounds + 1):
                    for name in clients:
                        out.write(f"{rnd},{name},{a.level},0,,\n")
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
