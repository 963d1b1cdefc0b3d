"""A bounded loopback load: 8 clients for 60 s on pages, API, every search mode and review writes.

The server is `rihub serve --writable` in its own process over a fresh aligned registry (so meaning
search has vectors). Clients are threads, each with a keep-alive connection, cycling through a
fixed mix; one in four requests is a write (accept or reject a link, or add the same person link
again). Afterwards the database is checked: every write that answered 2xx left exactly one audit
event, no link is duplicated, and every event's `before` is the previous event's `after`. Prints
requests, errors, p50/p95 per kind and the server's resident memory before and after.

Targets: 0 errors, no lost or duplicated write, memory flat (after/before within 1.25×).

    .venv/bin/python bench/load.py [--seconds 60] [--clients 8]

Only 127.0.0.1 is contacted; the run stops by itself.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
from sqlalchemy import func, select

from rihub.hub import Hub
from rihub.store import schema as t

sys.path.insert(0, str(Path(__file__).parent))
from web import free_port, wait_until_up

READS = [
    ("page", "/"),
    ("page", "/initiatives/AFR1"),
    ("page", "/regions/EUR"),
    ("page", "/compare?codes=EUR4,ASP5,AMS4"),
    ("api", "/api/initiatives?_size=20"),
    ("api", "/api/initiatives/EUR1"),
    ("api", "/api/alignments?_size=50"),
    ("search", "/search?q=emergency+telecommunications"),
    ("search", "/api/search?q=cybersecurity&mode=semantic"),
    ("search", "/api/search?q=digital+skills&mode=hybrid"),
]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def prepare(folder: Path) -> tuple[str, list[int], str]:
    """The registry, the links to review, and the API token of a reviewer account."""
    db = f"sqlite:///{folder / 'load.db'}"
    hub = Hub(db)
    hub.ingest_demo()
    hub.align()
    links = [a.id for a in hub.alignments(code="EUR1", status="proposed")[:4]]
    hub.user_add("load", "reviewer")
    return db, links, hub.user_token("load", "bench/load.py").secret


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, links, token = prepare(Path(tmp))
        port = free_port()
        env = os.environ | {"HF_HUB_OFFLINE": "1"}
        command = [sys.executable, "-m", "rihub.cli", "--db", db, "serve", "--writable", "--port", str(port)]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base + "/api/stats", server)
            for _, path in READS:  # warm-up: loads the model for meaning search
                httpx.get(base + path, timeout=60)
            before = rss_kib(server.pid)
            results = run(base, links, token, args.seconds, args.clients)
            after = rss_kib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        report(results, before, after, Hub(db), links)


Results = dict[str, list[float]]


def run(
    base: str, links: list[int], token: str, seconds: float, clients: int
) -> tuple[Results, list[str], dict[str, int]]:
    latencies: Results = defaultdict(list)
    errors: list[str] = []
    writes = {"review": 0, "add": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        mix = itertools.cycle(READS)
        with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as c:
            for k in itertools.count():
                if time.monotonic() > stop:
                    return
                if k % 4 == 3:
                    kind, response = write(c, links, n, k)
                else:
                    kind, path = next(mix)
                    started = time.perf_counter()
                    response = c.get(path)
                    with lock:
                        latencies[kind].append(time.perf_counter() - started)
                with lock:
                    if response.status_code >= 400:
                        errors.append(f"{response.request.method} {response.request.url.path}: {response.status_code}")
                    elif kind in writes:
                        writes[kind] += 1

    def write(c: httpx.Client, links: list[int], n: int, k: int) -> tuple[str, httpx.Response]:
        started = time.perf_counter()
        if k % 8 == 3:
            body = {"framework": "SDG", "code": "17", "reason": f"partnerships (client {n})"}
            response, kind = c.post("/api/initiatives/EUR2/alignments", json=body), "add"
        else:
            link = links[(n + k) % len(links)]
            body = {"action": "accept" if k % 3 else "reject", "reason": f"load (client {n})"}
            response, kind = c.post(f"/api/alignments/{link}/review", json=body), "review"
        with lock:
            latencies["write"].append(time.perf_counter() - started)
        return kind, response

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, writes


def report(
    run_result: tuple[Results, list[str], dict[str, int]], before: int, after: int, hub: Hub, links: list[int]
) -> None:
    latencies, errors, writes = run_result
    total = sum(len(v) for v in latencies.values())
    print(f"requests {total}, errors {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"{'kind':8} {'n':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, values in sorted(latencies.items()):
        ordered = sorted(values)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(f"{kind:8} {len(values):6d} {statistics.median(values) * 1000:8.1f} {p95 * 1000:8.1f}")
    with hub.engine.connect() as conn:
        events = conn.execute(
            select(t.alignment_events)
            .where(t.alignment_events.c.alignment_id.in_(links), t.alignment_events.c.action != "propose")
            .order_by(t.alignment_events.c.id)
        ).all()
        per_link: dict[int, list[object]] = defaultdict(list)
        chained = True
        for e in conn.execute(
            select(t.alignment_events)
            .where(t.alignment_events.c.alignment_id.in_(links))
            .order_by(t.alignment_events.c.id)
        ):
            history = per_link[e.alignment_id]
            if history and e.before != history[-1].after:  # type: ignore[attr-defined]
                chained = False
            history.append(e)
        sdg17 = conn.scalar(
            select(func.count())
            .select_from(t.alignments)
            .where(
                t.alignments.c.initiative_id == hub.initiative("EUR2").id,
                t.alignments.c.result_id.is_(None),
                t.alignments.c.framework == "SDG",
                t.alignments.c.code == "17",
            )
        )
    print(
        f"reviews answered 2xx {writes['review']}, audit events {len(events)}"
        f"  (lost or extra: {len(events) - writes['review']})"
    )
    print(f"adds answered 2xx {writes['add']}, SDG 17 links on EUR2: {sdg17} (target 1)")
    print(f"every audit 'before' equals the previous 'after': {chained}")
    print(f"server RSS {before / 1024:.0f} MiB before, {after / 1024:.0f} MiB after ({after / max(before, 1):.2f}×)")


if __name__ == "__main__":
    main()
