"""Latency and throughput of the web app on loopback, against Datasette serving the same SQLite file.

A bounded run: a fresh registry with the bundled report, then for each server a warm-up and a fixed
number of requests per endpoint from a few concurrent clients. Prints p50/p95 latency (ms) and
requests/s. Each server runs in its own process (uvicorn for rihub, `datasette serve`), one at a time.
Each endpoint is driven at every concurrency in --clients: one client measures latency without
queueing; several clients on the same two cores measure throughput under saturation (there p50/p95
mostly show time spent waiting in the queue).

    .venv/bin/python bench/web.py [--requests 400] [--clients 1,4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

RIHUB_ENDPOINTS = ["/api/initiatives", "/initiatives/AFR1", "/search?q=digital"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def drive(base: str, path: str, requests: int, clients: int) -> dict[str, float]:
    """``requests`` GETs of ``path`` spread over ``clients`` threads, each with its own keep-alive client."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    errors: list[str] = []

    def worker(n: int) -> None:
        mine: list[float] = []
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(n):
                start = time.perf_counter()
                response = client.get(path)
                mine.append(time.perf_counter() - start)
                if response.status_code != 200:
                    errors.append(f"{path}: HTTP {response.status_code}")
        with lock:
            latencies.extend(mine)

    with httpx.Client(base_url=base, timeout=10) as warm:
        for _ in range(20):
            warm.get(path)
    threads = [threading.Thread(target=worker, args=(n,)) for n in per_client]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(errors[0])
    ordered = sorted(latencies)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000,
        "rps": len(ordered) / elapsed,
    }


def serve(command: list[str], url: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_until_up(url, proc)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per endpoint (default 400)")
    parser.add_argument("--clients", default="1,4", help="concurrency levels, comma-separated (default 1,4)")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    workdir = Path(tempfile.mkdtemp(prefix="rihub-bench-"))
    db = workdir / "rihub.db"
    levels = [int(n) for n in args.clients.split(",") if n.strip()]
    results: list[tuple[str, str, int, dict[str, float]]] = []
    try:
        subprocess.run(
            [str(bin_dir / "rihub"), "--db", f"sqlite:///{db}", "ingest", "--demo"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        env_cmd = [
            sys.executable,
            "-c",
            "import sys, uvicorn; from rihub.hub import Hub; from rihub.web.app import create_app; "
            "uvicorn.run(create_app(Hub(sys.argv[1])), host='127.0.0.1', port=int(sys.argv[2]), "
            "log_level='warning', access_log=False)",
            f"sqlite:///{db}",
            str(port),
        ]
        base = f"http://127.0.0.1:{port}"
        proc = serve(env_cmd, base + "/api/stats")
        try:
            for clients in levels:
                for path in RIHUB_ENDPOINTS:
                    results.append(("rihub", path, clients, drive(base, path, args.requests, clients)))
        finally:
            stop(proc)

        datasette = shutil.which("datasette", path=str(bin_dir)) or shutil.which("datasette")
        if datasette is None:
            print("datasette is not installed: skipping the comparison", file=sys.stderr)
        else:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            path = f"/{db.stem}/initiatives.json"
            proc = serve([datasette, "serve", str(db), "--host", "127.0.0.1", "--port", str(port)], base + path)
            try:
                for clients in levels:
                    results.append(("datasette", path, clients, drive(base, path, args.requests, clients)))
            finally:
                stop(proc)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"{args.requests} requests per endpoint and concurrency, {os.cpu_count()} CPU(s), loopback")
    print(f"{'server':<10} {'endpoint':<28} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8}")
    for server, path, clients, r in sorted(results, key=lambda x: (x[2], x[0] != "rihub")):
        print(f"{server:<10} {path:<28} {clients:>7} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['rps']:>8.0f}")


if __name__ == "__main__":
    main()
