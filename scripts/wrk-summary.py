#!/usr/bin/env python3
"""Summarise a scripts/wrk-compare.sh CSV: per server and level, the median req/s, p99 and
threads over the rounds, the largest RSS and error count, the fewest connections answered
when the window began (bench load only; "-" for wrk), and the ratio of the median req/s to nginx's and to the C thread
server's at the same level (when they ran)."""
import csv
import statistics
import sys
from collections import defaultdict


def main(path):
    rows = defaultdict(list)
    order = []
    with open(path) as f:
        for r in csv.DictReader(f):
            key = (r["server"], int(r["concurrency"]))
            if key not in rows:
                order.append(key)
            rows[key].append(r)
    med = {k: statistics.median(float(r["rps"]) for r in v) for k, v in rows.items()}
    print(f"{'server':15} {'conns':>6} {'rounds':>6} {'req/s':>9} {'p99 us':>9} {'threads':>8} {'RSS MB':>7} {'errors':>7} {'up':>6} {'x nginx':>8} {'x cthreads':>10}")
    for server, c in sorted(order, key=lambda k: (k[1], order.index(k))):
        v = rows[(server, c)]
        p99 = statistics.median(float(r["lat_p99_us"] or 0) for r in v)
        threads = max(int(r["threads"] or 0) for r in v)
        rss = max(int(r.get("rss_kb") or 0) for r in v) / 1024
        errors = max(int(r["errors"] or 0) for r in v)
        ups = [int(r["conns_up"]) for r in v if (r.get("conns_up") or "").isdigit()]
        up = str(min(ups)) if ups else "-"
        ratio = lambda ref: f"{med[(server, c)] / med[(ref, c)]:.2f}" if med.get((ref, c)) else "-"
        print(f"{server:15} {c:>6} {len(v):>6} {med[(server, c)]:>9.0f} {p99:>9.0f} {threads:>8} {rss:>7.1f} {errors:>7} {up:>6} {ratio('nginx'):>8} {ratio('cthreads'):>10}")


if __name__ == "__main__":
    main(sys.argv[1])
