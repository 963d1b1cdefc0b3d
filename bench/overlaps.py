"""Overlap clusters: calibration on pairs judged by reading, and the speed of /overlaps.

Usage: python bench/overlaps.py [--db sqlite:///aligned.db]   (without --db: the bundled report is
ingested and aligned in a temporary registry, ~15 s)

SAME are cross-region pairs of the bundled WTDC-25 report that ask for the same thing; DIFFERENT
are hard negatives: pairs MiniLM ranks among the closest that ask for different things (judged by
reading both texts). For each threshold it prints how many of each end up in one cluster.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from fastapi.testclient import TestClient

from rihub.analysis import overlaps as ov
from rihub.analysis.overlap_index import load
from rihub.hub import Hub
from rihub.web.app import create_app

SAME = """ASP1.4 AMS1.2|ASP5.9 AMS5.5|ASP5.10 AMS1.3|ASP2.4 AMS2.1|ASP2.1 AFR1.1|ASP1.3 AFR1.11|EUR1.3 ASP5.5|
EUR2.3 ASP5.4|ASP5.4 AMS1.2|AFR3.11 CIS3.2|ASP5.2 AFR3.2|EUR4.1 AMS4.1|EUR2.4 ASP2.1|EUR4.3 AMS4.1|EUR3.4 ASP2.4|
AMS2.2 AFR1.4|AFR3.5 CIS3.3|EUR4.4 AFR3.5|EUR1.3 AMS1.2|EUR1.5 AMS1.5|EUR3.4 AMS2.1|EUR3.4 AMS2.2|EUR5.1 AFR4.1|
AMS4.1 AFR3.1|AMS5.2 AFR2.5|ASP5.10 CIS1.2|ASP2.4 AMS2.2|ASP3.3 AMS1.1|AMS4.1 AFR3.6|ASP5.1 AMS4.1|EUR4.6 AFR3.10|
AMS4.2 AFR3.8|ASP3.6 AMS1.4|EUR4.4 ASP5.1|EUR5.1 ASP4.6|EUR4.4 CIS3.3|ASP5.1 CIS3.3|EUR2.3 AMS1.2|EUR2.3 AFR1.16|
ASP5.4 AFR1.16|AMS1.2 AFR1.16|ASP5.6 AFR1.16|CIS2.1 EUR3.1|EUR4.5 ASP5.2|EUR4.5 CIS3.4|ASP4.4 AFR4.10|ASP3.6 CIS1.1|
ASP5.8 AMS1.3"""
DIFFERENT = """AMS5.1 AFR1.6|ASP5.1 AFR3.2|AMS1.2 AFR5.8|ASP1.1 AFR5.8|ASP1.3 AMS1.2|EUR3.5 ASP2.4|ASP4.6 AFR1.6|
EUR1.5 AMS1.1|ASP2.6 CIS4.1|ASP2.6 AFR1.10|ASP1.1 AMS1.2|EUR2.4 AFR1.8|ASP2.6 AFR5.8|ASP1.3 AFR5.8|ASP2.1 AFR1.10|
AMS1.2 AFR1.11|ASP4.6 AMS5.1|EUR2.4 ASP4.6|ASP2.6 AFR1.1|ASP5.2 AFR3.8|AMS5.1 AFR3.9|ASP1.5 AMS1.2|ASP1.1 AFR1.11|
AMS2.1 AFR4.1|AMS3.5 AFR4.2|EUR5.1 CIS4.1|EUR3.5 ASP2.6|EUR3.5 AFR1.8|ASP2.4 AFR5.6|EUR2.4 AMS4.1|ASP2.4 AMS3.5|
EUR2.4 AMS3.5|EUR4.2 AFR3.3|ASP2.3 AFR5.5|AFR3.5 ASP5.4|EUR4.4 ASP5.4|CIS3.3 AFR1.16|ASP5.8 EUR3.1|CIS5.3 ASP5.8|
AFR3.5 AFR1.16|EUR4.4 EUR2.3|AFR3.5 CIS5.3"""


def pairs(text: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in (p.split() for p in text.replace("\n", "").split("|"))]


def together(c: ov.Clustering, threshold: float, wanted: list[tuple[str, str]]) -> int:
    groups = ov.average_linkage(c.similarity, [it.region for it in c.items], threshold, ov.MAX_SIZE)
    owner = {f"{c.items[m].code}.{c.items[m].number}": g for g, members in enumerate(groups) for m in members}
    return sum(owner[a] == owner[b] for a, b in wanted)


def calibrate(hub: Hub) -> None:
    same, different = pairs(SAME), pairs(DIFFERENT)
    with hub.engine.connect() as conn:
        cc = load(conn, hub.cycle())
    combined = cc.clustering
    lexical = ov.cluster(combined.items, None)
    print(f"{len(same)} same-thing pairs, {len(different)} different-thing pairs (hard negatives)")
    for name, c, chosen in (("combined", combined, ov.THRESHOLD), ("lexical", lexical, ov.LEXICAL_THRESHOLD)):
        for t in sorted({chosen, *(round(chosen + d, 2) for d in (-0.06, -0.04, -0.02, 0.02, 0.04, 0.06))}):
            mark = "  <- shipped" if t == chosen else ""
            print(
                f"{name:9} {t:.2f}: same {together(c, t, same):2}/{len(same)}  "
                f"different {together(c, t, different):2}/{len(different)}{mark}"
            )


def speed(hub: Hub, n: int = 100) -> None:
    with TestClient(create_app(hub)) as client:
        start = time.perf_counter()
        client.get("/overlaps")
        first = time.perf_counter() - start
        for path in ("/overlaps", "/overlaps.json", "/compare?codes=EUR1,EUR2,ASP1,ASP5,AMS1,AFR1"):
            times = []
            for _ in range(n):
                start = time.perf_counter()
                client.get(path)
                times.append(time.perf_counter() - start)
            times.sort()
            print(f"{path}: p50 {times[n // 2] * 1000:.1f} ms, p95 {times[int(n * 0.95)] * 1000:.1f} ms ({n} requests)")
    print(f"first /overlaps (clustering computed): {first * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an aligned registry (default: build one from the bundled report)")
    args = parser.parse_args()
    if args.db:
        hub = Hub(args.db)
    else:
        hub = Hub(f"sqlite:///{Path(tempfile.mkdtemp()) / 'rihub.db'}")
        hub.ingest_demo()
        hub.align()
    calibrate(hub)
    speed(hub)


if __name__ == "__main__":
    main()
