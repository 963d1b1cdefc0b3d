"""Ingestion speed: parse time of the bundled report, and a generated corpus of 1,000 reports.

Targets: parse < 100 ms; 1,000 reports ingested (parse + lint + store) in < 60 s on 2 cores.
Run: .venv/bin/python bench/ingest.py [--reports 1000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from rihub.hub import Hub, demo_report_bytes
from rihub.ingest import parse_bytes


def corpus(directory: Path, count: int, seed: int = 7) -> list[Path]:
    """Reports of the same family: each its own cycle, with a few expected results dropped."""
    rng = random.Random(seed)
    base = demo_report_bytes().decode("utf-8")
    paths = []
    for n in range(count):
        cycle = 100 + n
        lines = base.replace("WTDC-25", f"WTDC-{cycle}").split("\n")
        results = [i for i, line in enumerate(lines) if line[:3].rstrip(".").isdigit() and i > 120]
        for index in rng.sample(results, rng.randint(0, 3)):
            lines[index] = ""
        path = directory / f"rpm-report-{cycle}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1000)
    args = parser.parse_args()
    data = demo_report_bytes()
    parse_bytes(data, "warm-up.txt")
    timings = []
    for _ in range(30):
        start = time.perf_counter()
        parse_bytes(data, "report.txt")
        timings.append(time.perf_counter() - start)
    print(
        f"parse bundled report: median {statistics.median(timings) * 1000:.1f} ms, "
        f"min {min(timings) * 1000:.1f} ms (target < 100 ms)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = corpus(folder, args.reports)
        hub = Hub(f"sqlite:///{folder / 'bench.db'}")
        start = time.perf_counter()
        outcomes = hub.ingest(paths)
        elapsed = time.perf_counter() - start
        stats = hub.stats()
        print(
            f"ingest {len(outcomes)} reports: {elapsed:.1f} s ({elapsed / len(outcomes) * 1000:.1f} ms/report; "
            f"{stats.expected_results} expected results, {stats.initiatives + stats.priorities} "
            f"initiatives stored; target < 60 s)"
        )


if __name__ == "__main__":
    main()
