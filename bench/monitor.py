"""A bounded loopback load on the monitoring API: reads and concurrent writes for 60 s against
PostgreSQL, served by `rihub serve --writable --workers 4`.

A throwaway PostgreSQL cluster is started on 127.0.0.1 (Debian's binaries, as tests/pg_server.py
does) and the demo report ingested; one project on AFR1 result 16 has four indicators, each with
a 2026 period, and every contributor is assigned to it. Clients are threads with keep-alive
connections and their own API tokens; three requests in four are reads (pages, dashboards, JSON,
the activity feed), one is a write:

- contributors edit the four shared indicators (read the version, ``PATCH`` the title): two
  clients often read the same version, so one of them must get 409 — the expected conflicts;
- contributors add an update on a period and submit it; the reviewer approves submitted updates.

Afterwards the database is checked: every acknowledged write (2xx) is in the database and has
exactly its audit entry (no lost update: an indicator's final version is 1 + its acknowledged
edits, and its audit entries chain, each ``before`` being the previous ``after``); no error other
than the 409s. Prints requests, conflicts, errors, p50/p95 of reads and writes.

    .venv/bin/python bench/monitor.py [--seconds 60] [--clients 8] [--workers 4]

Only 127.0.0.1 is contacted; the server and the cluster stop by themselves.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select

from rihub.accounts import operator
from rihub.hub import Hub
from rihub.records import IndicatorInput, PeriodInput, ProjectInput
from rihub.store import schema as t

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from pg_server import server as postgres
from web import free_port, wait_until_up

READS = [
    "/projects",
    "/api/projects",
    "/initiatives/AFR1/progress",
    "/regions/AFR/progress.json",
    "/initiatives/AFR1/results/16",
    "/api/updates?status=submitted",
    "/activity.json",
]
INDICATORS = 4


@dataclass
class Setup:
    tokens: dict[str, str]  # username → API token secret
    reviewer: str
    indicators: list[int]
    periods: list[int]
    watermark: int  # the last audit entry written by the setup


def prepare(url: str, clients: int) -> Setup:
    hub = Hub(url)
    hub.ingest_demo()
    admin = operator()
    people = [f"c{n}" for n in range(clients - 1)]
    tokens = {}
    for name in [*people, "rev"]:
        hub.user_add(name, "reviewer" if name == "rev" else "contributor")
        tokens[name] = hub.user_token(name, "bench/monitor.py").secret
    project = hub.project_add(admin, ProjectInput(title="Early warning load test", status="on-track"), ["AFR1.16"])
    for name in people:
        hub.user_assign(name, project.id)
    result_id = project.results[0].result_id
    indicators, periods = [], []
    for n in range(INDICATORS):
        data = IndicatorInput(project_id=project.id, result_id=result_id, title=f"Indicator {n}", baseline_value=0)
        indicator = hub.indicator_add(admin, data)
        indicators.append(indicator.id)
        period = PeriodInput(
            indicator_id=indicator.id,
            start_date="2026-01-01",
            end_date="2026-12-31",
            target=100,  # type: ignore[arg-type]
        )
        periods.append(hub.period_add(admin, period).id)
    watermark = hub.activity(limit=1)[0][0].id
    return Setup(tokens, "rev", indicators, periods, watermark)


@dataclass
class Results:
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    acked: Counter[tuple[str, str]] = field(default_factory=Counter)  # (object type, action) → 2xx writes
    edits: dict[int, list[tuple[int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # indicator → (version, title)
    updates: dict[int, str] = field(default_factory=dict)  # update id → last acknowledged status
    by_path: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)


def _shape(url: str) -> str:
    """/api/updates/17/approve → /api/updates/{id}/approve, so writes group by route."""
    return "/".join("{id}" if part.isdigit() else part for part in url.split("?")[0].split("/"))


def run(base: str, setup: Setup, seconds: float) -> Results:
    out = Results()
    stop = time.monotonic() + seconds

    def timed(c: httpx.Client, kind: str, method: str, url: str, **kw: object) -> httpx.Response:
        started = time.perf_counter()
        response = c.request(method, url, **kw)  # type: ignore[arg-type]
        spent = time.perf_counter() - started
        with out.lock:
            out.latency[kind].append(spent)
            out.by_path[url.split("?")[0] if kind == "read" else f"{method} {_shape(url)}"].append(spent)
            if response.status_code == 409:
                out.conflicts += 1
            elif response.status_code >= 400:
                out.errors.append(f"{method} {url}: {response.status_code} {response.text[:120]}")
        return response

    def contributor_write(c: httpx.Client, name: str, k: int) -> None:
        if k % 2 == 0:  # edit a shared indicator on the version just read
            indicator = setup.indicators[k // 2 % INDICATORS]
            version = timed(c, "read", "GET", f"/api/indicators/{indicator}").json()["version"]
            title = f"Indicator {indicator} by {name} #{k}"
            r = timed(c, "write", "PATCH", f"/api/indicators/{indicator}", json={"version": version, "title": title})
            if r.status_code == 200:
                with out.lock:
                    out.acked["indicator", "update"] += 1
                    out.edits[indicator].append((r.json()["version"], title))
            return
        period = setup.periods[k % INDICATORS]
        r = timed(c, "write", "POST", "/api/updates", json={"period_id": period, "value": k % 100, "narrative": name})
        if r.status_code != 201:
            return
        made = r.json()
        with out.lock:
            out.acked["update", "create"] += 1
            out.updates[made["id"]] = "draft"
        r = timed(c, "write", "POST", f"/api/updates/{made['id']}/submit", json={"version": made["version"]})
        if r.status_code == 200:
            with out.lock:
                out.acked["update", "submit"] += 1
                out.updates[made["id"]] = "submitted"

    def reviewer_write(c: httpx.Client) -> None:
        waiting = timed(c, "read", "GET", "/api/updates?status=submitted&_size=5").json()["data"]
        for u in waiting:
            r = timed(c, "write", "POST", f"/api/updates/{u['id']}/approve", json={"version": u["version"]})
            if r.status_code == 200:
                with out.lock:
                    out.acked["update", "approve"] += 1
                    out.updates[u["id"]] = "approved"

    def client(name: str) -> None:
        reads = itertools.cycle(READS)
        auth = {"Authorization": f"Bearer {setup.tokens[name]}"}
        with httpx.Client(base_url=base, timeout=30, headers=auth) as c:
            for k in itertools.count():
                if time.monotonic() > stop:
                    return
                if k % 4 != 3:
                    path = next(reads)
                    timed(c, "read", "GET", path)
                elif name == setup.reviewer:
                    reviewer_write(c)
                else:
                    contributor_write(c, name, k // 4)

    threads = [threading.Thread(target=client, args=(name,)) for name in setup.tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def check(hub: Hub, setup: Setup, out: Results) -> list[str]:
    """Every acknowledged write in the database and in the audit trail; what is wrong, if anything."""
    problems = []
    with hub.engine.connect() as conn:
        a = t.audit_log.c
        entries = conn.execute(select(t.audit_log).where(a.id > setup.watermark).order_by(a.id)).all()
    counted = Counter((e.object_type, e.action) for e in entries)
    for key, acked in out.acked.items():
        if counted[key] != acked:
            problems.append(f"{key}: {acked} acknowledged, {counted[key]} audit entries")
    for indicator, edits in out.edits.items():
        stored = hub.indicator(indicator)
        if stored.version != 1 + len(edits):
            problems.append(f"indicator {indicator}: version {stored.version}, {len(edits)} acknowledged edits")
        if stored.title != max(edits)[1]:
            problems.append(f"indicator {indicator}: title {stored.title!r} is not the last acknowledged one")
        trail = [e for e in entries if e.object_type == "indicator" and e.object_id == indicator]
        if any(x.after["version"] != y.before["version"] for x, y in itertools.pairwise(trail)):
            problems.append(f"indicator {indicator}: audit entries do not chain")
        if sorted(v for v, _ in edits) != [e.after["version"] for e in trail]:
            problems.append(f"indicator {indicator}: acknowledged versions differ from the audit trail's")
    statuses = {u.id: u.status for p in setup.periods for u in hub.updates(period_id=p)}
    for update_id, status in out.updates.items():
        if statuses.get(update_id) != status:
            problems.append(f"update {update_id}: acknowledged {status}, stored {statuses.get(update_id)}")
    return problems


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def report(out: Results, problems: list[str], workers: int, seconds: float) -> None:
    total = sum(len(v) for v in out.latency.values())
    print(f"PostgreSQL, {workers} workers, {len(out.latency) and total} requests in {seconds:.0f} s")
    print(f"expected conflicts (409) {out.conflicts}; other errors {len(out.errors)}")
    for line in out.errors[:5]:
        print("  ", line)
    print(f"{'kind':6} {'n':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, values in sorted(out.latency.items()):
        print(f"{kind:6} {len(values):6d} {statistics.median(values) * 1000:8.1f} {_p95(values) * 1000:8.1f}")
    print("per route (p95 ms): " + ", ".join(f"{k} {_p95(v) * 1000:.0f}" for k, v in sorted(out.by_path.items())))
    print("acknowledged writes: " + ", ".join(f"{k[0]} {k[1]} {n}" for k, n in sorted(out.acked.items())))
    print(f"lost or unaudited writes: {len(problems)}")
    for line in problems[:10]:
        print("  ", line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8, help="client threads; one of them is the reviewer")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with postgres() as url:
        setup = prepare(url, args.clients)
        port = free_port()
        env = os.environ | {"HF_HUB_OFFLINE": "1"}
        command = [sys.executable, "-m", "rihub.cli", "--db", url, "serve", "--writable"]
        command += ["--workers", str(args.workers), "--port", str(port)]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base + "/api/stats", server, timeout=90)
            for path in READS:  # every worker answers once before the clock starts
                for _ in range(args.workers):
                    httpx.get(base + path, timeout=60)
            out = run(base, setup, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        report(out, check(Hub(url), setup, out), args.workers, args.seconds)


if __name__ == "__main__":
    main()
