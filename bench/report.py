"""Report speed: the consolidated report of the bundled data in all five formats.

Target: docx + pdf + html + md + xlsx together in < 10 s on 2 cores. Each format is timed cold
(the first run in this process, imports included, as `rihub report` pays it) and warm (median of
the next runs). Timings are also given as ratios to one reference on the same machine — parsing
the bundled report (`parse_bytes`), timed in the same process — so runs on a busier or faster
machine compare.
Run: .venv/bin/python bench/report.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from rihub.hub import Hub, demo_report_bytes
from rihub.ingest import parse_bytes
from rihub.report import FORMATS


def timed(func: object, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        func()  # type: ignore[operator]
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="warm runs per format after the cold one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        hub = Hub(f"sqlite:///{Path(tmp) / 'bench.db'}")
        hub.ingest_demo()
        data = demo_report_bytes()
        reference = statistics.median(timed(lambda: parse_bytes(data, "report.txt"), 20))
        print(f"load average {os.getloadavg()[0]:.2f}; reference (parse the bundled report) {reference * 1000:.1f} ms")
        print(f"{'format':<6} {'cold s':>8} {'warm s':>8} {'warm/ref':>9} {'size KiB':>9}")
        cold_total = warm_total = 0.0
        for fmt in FORMATS:
            size = 0

            def once(fmt: str = fmt) -> None:
                nonlocal size
                size = len(hub.report("consolidated", format=fmt))

            cold = timed(once, 1)[0]
            warm = statistics.median(timed(once, args.runs))
            cold_total += cold
            warm_total += warm
            print(f"{fmt:<6} {cold:>8.2f} {warm:>8.2f} {warm / reference:>8.0f}× {size / 1024:>9.0f}")
        print(f"{'total':<6} {cold_total:>8.2f} {warm_total:>8.2f} {warm_total / reference:>8.0f}×  (target < 10 s)")


if __name__ == "__main__":
    main()
