"""Consolidation pages at one client: p50 / p95 of the matrix, overlaps and compare pages.

Usage: python bench/consolidation.py [--db sqlite:///aligned.db] [--requests 60]
(without --db: the bundled report is ingested and aligned in a temporary registry, ~15 s)

The target is an absolute one (< 100 ms p95 at one client, issue #10); because the machine is noisy
the script also times a cheap reference page (/api/stats) in the same interleaved loop and prints
each page's p95 as a ratio to it. The first request of each page (which computes themes or clusters
after an ingest or `rihub align`) is reported apart as "cold". The server warms up as `rihub serve`
does (``Hub.warm``); ``--cold-heap`` skips that, to show the full-collection pauses it removes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from fastapi.testclient import TestClient

from rihub.hub import Hub
from rihub.web.app import create_app

EMERGENCY = "EUR1,EUR2,ASP1,ASP5,AMS1,AFR1"
PAGES = {
    "reference /api/stats": "/api/stats",
    "/matrix (themes)": "/matrix",
    "/matrix?by=SDG&include=proposed": "/matrix?by=SDG&include=document,accepted,proposed",
    "/api/matrix?by=WSIS": "/api/matrix?by=WSIS",
    "/matrix.csv": "/matrix.csv",
    "/overlaps": "/overlaps",
    "/overlaps?theme=cybersecurity": "/overlaps?theme=cybersecurity",
    "/api/overlaps?topic=emergency": "/api/overlaps?topic=emergency",
    "/compare (six emergency initiatives)": "/compare?" + "&".join(f"codes={c}" for c in EMERGENCY.split(",")),
}


def registry(db: str | None) -> Hub:
    if db:
        return Hub(db)
    path = Path(tempfile.mkdtemp()) / "rihub.db"
    hub = Hub(f"sqlite:///{path}")
    hub.ingest_demo()
    hub.align()
    return hub


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument(
        "--cold-heap", action="store_true", help="skip Hub.warm() (no gc.freeze), to see why it is there"
    )
    args = parser.parse_args()
    hub = registry(args.db)
    client = TestClient(create_app(hub))
    if not args.cold_heap:
        hub.warm()  # as `rihub serve` does before its first request
    cold: dict[str, float] = {}
    for name, url in PAGES.items():
        start = time.perf_counter()
        assert client.get(url).status_code == 200, url
        cold[name] = time.perf_counter() - start
    times: dict[str, list[float]] = {name: [] for name in PAGES}
    for _ in range(args.requests):  # interleaved, so a busy spell hits every page alike
        for name, url in PAGES.items():
            start = time.perf_counter()
            client.get(url)
            times[name].append(time.perf_counter() - start)
    reference = percentile(times["reference /api/stats"], 0.95)
    print(f"{'page':40} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'p95 / ref':>10}")
    for name, values in times.items():
        p95 = percentile(values, 0.95)
        print(
            f"{name:40} {cold[name] * 1000:8.1f} {statistics.median(values) * 1000:8.1f} "
            f"{p95 * 1000:8.1f} {p95 / reference:10.2f}"
        )
    worst = max(percentile(v, 0.95) for n, v in times.items() if not n.startswith("reference"))
    print(f"worst p95 {worst * 1000:.1f} ms (target < 100 ms at one client)")


if __name__ == "__main__":
    main()
