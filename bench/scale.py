"""Scale: the same pages on a registry of 600 reports (≈ 100k expected results) and of one report.

Builds two SQLite registries in a temporary folder: the bundled WTDC-25 report alone, and 600
reports of the same family, each its own cycle (WTDC-25 and WTDC-2101 … WTDC-2699, so the latest
cycle is not WTDC-25, and 0–3 expected results dropped at random except in the latest). Then, on
both, it times what a person or a script does most:

- ``/api/initiatives`` (first page), ``/initiatives/EUR1``, ``/regions/EUR``: HTTP GETs from one
  keep-alive client to a real uvicorn server on 127.0.0.1 (one process per registry, in turn);
- ``rihub export --format json --cycle WTDC-25``: ``Hub.export_json("WTDC-25")`` in process,
  repeated, and the CLI itself (in process, ``typer.testing.CliRunner``, engine opening included);
- the hub calls behind each page, in process (the store's share, without HTTP and templates).

It prints median and p95 per operation and registry, the ratio large/small of the medians with
PASS/FAIL against 2×, and the SQL statements each page runs on both (a ``before_cursor_execute``
count through ``fastapi.testclient``): the same numbers on both registries mean a bounded page.

    .venv/bin/python bench/scale.py [--reports 600] [--requests 200] [--strict]
"""

from __future__ import annotations

import argparse
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from rihub.hub import Hub, demo_report_bytes

TARGET = 2.0
PAGES = ["/api/initiatives", "/initiatives/EUR1", "/regions/EUR"]
EXPORT = "export --format json --cycle WTDC-25"


def corpus(directory: Path, count: int, seed: int = 7) -> list[Path]:
    """The bundled WTDC-25 report and ``count - 1`` copies, each its own cycle (WTDC-2101, …)."""
    rng = random.Random(seed)
    base = demo_report_bytes().decode("utf-8")
    paths = []
    for n in range(count):
        code = "WTDC-25" if n == 0 else f"WTDC-{2100 + n}"
        lines = base.replace("WTDC-25", code).split("\n")
        if 0 < n < count - 1:  # the latest cycle (what the pages show) states everything, like WTDC-25
            results = [i for i, line in enumerate(lines) if line[:3].rstrip(".").isdigit() and i > 120]
            for index in rng.sample(results, rng.randint(0, 3)):
                lines[index] = ""
        path = directory / f"rpm-report-{code}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def summary(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "median": statistics.median(ordered) * 1000,
        "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000,
        "n": len(ordered),
    }


def repeat(call: Callable[[], Any], times: int, warm: int = 5) -> dict[str, float]:
    for _ in range(warm):
        call()
    timings = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        timings.append(time.perf_counter() - start)
    return summary(timings)


# --- HTTP through uvicorn (as bench/web.py) --------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "import sys, uvicorn; from rihub.hub import Hub; from rihub.web.app import create_app; "
        "uvicorn.run(create_app(Hub(sys.argv[1])), host='127.0.0.1', port=int(sys.argv[2]), "
        "log_level='warning', access_log=False)",
        url,
        str(port),
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(base + "/api/stats", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not come up")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def http_figures(url: str, requests: int) -> dict[str, dict[str, float]]:
    proc, base = serve(url)
    out = {}
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for path in PAGES:

                def get(path: str = path) -> None:
                    response = client.get(path)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: HTTP {response.status_code}")

                out[path] = repeat(get, requests, warm=20)
    finally:
        stop(proc)
    return out


# --- in process ------------------------------------------------------------------------------------


def statements_per_page(hub: Hub) -> dict[str, int]:
    """SQL statements each page runs (one request through the app in process)."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from rihub.web.app import create_app

    count = [0]

    def counted(*_: Any) -> None:
        count[0] += 1

    out = {}
    with TestClient(create_app(hub)) as client:
        for path in PAGES:
            client.get(path)  # warm (templates, caches)
            event.listen(hub.engine, "before_cursor_execute", counted)
            try:
                count[0] = 0
                assert client.get(path).status_code == 200
                out[path] = count[0]
            finally:
                event.remove(hub.engine, "before_cursor_execute", counted)
    return out


def hub_figures(hub: Hub, times: int) -> dict[str, dict[str, float]]:
    from rihub.web import data

    return {
        "hub.initiatives_page(50)": repeat(lambda: hub.initiatives_page(50), times),
        'hub.initiative("EUR1")': repeat(lambda: hub.initiative("EUR1"), times),
        'web.data.region(hub, "EUR")': repeat(lambda: data.region(hub, "EUR"), times),
        EXPORT: repeat(lambda: hub.export_json("WTDC-25"), max(20, times // 4), warm=2),
    }


def cli_export(url: str, target: Path, times: int = 5) -> dict[str, float]:
    """The command as a person types it (engine opening included), in process: one warm-up, then ``times``."""
    from typer.testing import CliRunner

    from rihub.cli import app

    def run() -> None:
        args = ["--db", url, "export", "--format", "json", "--cycle", "WTDC-25", "--output", str(target)]
        result = CliRunner().invoke(app, args)
        if result.exit_code != 0:
            raise RuntimeError(f"rihub export failed: {result.output}")

    return repeat(run, times, warm=1)


def build(folder: Path, name: str, paths: list[Path]) -> tuple[Hub, float]:
    hub = Hub(f"sqlite:///{folder / name}")
    start = time.perf_counter()
    hub.ingest(paths)
    return hub, time.perf_counter() - start


def describe(hub: Hub) -> str:
    from rihub.store import read

    with hub.engine.connect() as conn:
        every = read.stats(conn)
    latest = hub.stats()
    return (
        f"{len(hub.cycles())} cycles, {every.initiatives + every.priorities} initiatives and "
        f"{every.expected_results} expected results in all; latest cycle {latest.cycle}: "
        f"{latest.initiatives + latest.priorities} initiatives, {latest.expected_results} results"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=600, help="reports in the large registry (default 600)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when an operation misses the 2× target")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rihub-scale-"))
    try:
        paths = corpus(folder, max(2, args.reports))
        small, small_build = build(folder, "small.db", paths[:1])
        large, large_build = build(folder, "large.db", paths)
        print(f"small registry: 1 report, built in {small_build:.1f} s — {describe(small)}")
        print(
            f"large registry: {len(paths)} reports, built in {large_build:.1f} s "
            f"({large_build / len(paths) * 1000:.0f} ms a report, Hub.ingest) — {describe(large)}"
        )
        hubs = {"small": small, "large": large}
        figures = {name: http_figures(h.url, args.requests) | hub_figures(h, args.requests) for name, h in hubs.items()}
        queries = {label: statements_per_page(h) for label, h in hubs.items()}
        cli = {label: cli_export(h.url, folder / f"{label}.json") for label, h in hubs.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print()
    print(f"HTTP: {args.requests} GETs per page from one keep-alive client to uvicorn on 127.0.0.1, after 20 warm-up")
    print("in process: the hub call behind each page; export = Hub.export_json('WTDC-25');")
    print("CLI: `rihub --db URL export ... --output FILE` through typer's CliRunner, 5 runs after one warm-up")
    head = f"{'operation':<40} {'small p50':>9} {'p95':>7} {'large p50':>9} {'p95':>7} {'ratio':>6}  target 2×"
    print(head)
    print("-" * len(head))
    failed = []
    for op in figures["small"]:
        s, g = figures["small"][op], figures["large"][op]
        ratio = g["median"] / s["median"]
        verdict = "PASS" if ratio <= TARGET else "FAIL"
        if verdict == "FAIL":
            failed.append(op)
        where = "HTTP " if op.startswith("/") else ""
        print(
            f"{where + op:<40} {s['median']:>9.2f} {s['p95']:>7.2f} {g['median']:>9.2f} {g['p95']:>7.2f} "
            f"{ratio:>5.2f}×  {verdict}"
        )
    s, g = cli["small"], cli["large"]
    ratio = g["median"] / s["median"]
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    if verdict == "FAIL":
        failed.append("CLI export")
    print(
        f"{'CLI rihub ' + EXPORT:<40} {s['median']:>9.2f} {s['p95']:>7.2f} {g['median']:>9.2f} {g['p95']:>7.2f} "
        f"{ratio:>5.2f}×  {verdict}"
    )
    print()
    print("SQL statements per request (one request through the app, in process):")
    for path in PAGES:
        print(f"  {path:<20} small {queries['small'][path]:>3}   large {queries['large'][path]:>3}")
    print(
        f"\n{'all within' if not failed else 'missed:'} {TARGET:.0f}× of the one-report figures"
        + (f" ({', '.join(failed)})" if failed else "")
    )
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
