"""Writes stay correct under concurrency: threads against a live server, on SQLite and PostgreSQL.

The two races an adversarial run found: eight clients adding the same person link left duplicate
rows; 200 accept/reject calls on one link recorded a wrong ``before`` in a third of the events.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from rihub.hub import Hub
from rihub.store import schema as t
from rihub.store.alignments import LinkProposal, store_proposals
from rihub.web.app import create_app

pytest_plugins = ["web_fixtures"]
CLIENTS = 8


def _prepared(hub: Hub) -> int:
    """The demo registry with one proposed model link on EUR1; returns its id."""
    hub.ingest_demo()
    hub.sync_frameworks()
    eur1 = hub.initiative("EUR1")
    with hub.engine.begin() as conn:
        store_proposals(conn, [LinkProposal(eur1.id, None, "SDG", "11", 0.5, {"terms": ["cities"]})])
    return next(a.id for a in hub.alignments(code="EUR1") if a.code == "11")


def _together(work: Callable[[httpx.Client, int], None], rounds: int) -> None:
    """``work`` from CLIENTS threads at once, ``rounds`` times each, released by one barrier."""
    barrier = threading.Barrier(CLIENTS)
    failures: list[BaseException] = []

    def client(n: int) -> None:
        with httpx.Client(base_url=_together.url, headers=_together.auth) as c:  # type: ignore[attr-defined]
            barrier.wait()
            for k in range(rounds):
                try:
                    work(c, n * rounds + k)
                except BaseException as exc:  # reported below, with the others
                    failures.append(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:3]


def _race(hub: Hub) -> None:
    from web_fixtures import bearer, serving

    link_id = _prepared(hub)
    _together.auth = bearer(hub, "racer", "reviewer")  # type: ignore[attr-defined]
    with serving(create_app(hub, read_only=False)) as url:
        _together.url = url  # type: ignore[attr-defined]
        statuses: list[int] = []

        def add(c: httpx.Client, n: int) -> None:
            body = {"framework": "SDG", "code": "8", "reason": f"jobs {n}"}
            statuses.append(c.post("/api/initiatives/EUR1/alignments", json=body).status_code)

        for _ in range(5):  # several rounds: a race that hides once shows on another
            _together(add, 1)
        assert set(statuses) == {201}

        def flip(c: httpx.Client, n: int) -> None:
            body = {"action": "accept" if n % 2 else "reject", "reason": f"r {n}"}
            response = c.post(f"/api/alignments/{link_id}/review", json=body)
            assert response.status_code == 200, response.text

        _together(flip, 25)  # 8 × 25 = 200 reviews of one link
    with hub.engine.connect() as conn:
        eights = conn.execute(
            select(t.alignments.c.id).where(
                t.alignments.c.initiative_id == hub.initiative("EUR1").id,
                t.alignments.c.result_id.is_(None),
                t.alignments.c.framework == "SDG",
                t.alignments.c.code == "8",
            )
        ).all()
        events = conn.execute(
            select(t.alignment_events)
            .where(t.alignment_events.c.alignment_id == link_id)
            .order_by(t.alignment_events.c.id)
        ).all()
    assert len(eights) == 1  # one row per link, however many editors add it at once
    reviews = [e for e in events if e.action in ("accept", "reject")]
    assert len(reviews) == 200  # no event lost
    for previous, event in itertools.pairwise(events):
        assert event.before["status"] == previous.after["status"], (previous.id, event.id)
    assert hub.alignment(link_id).status == events[-1].after["status"]


def test_races_on_sqlite(tmp_path: Path) -> None:
    _race(Hub(f"sqlite:///{tmp_path / 'race.db'}"))


@pytest.fixture()
def fresh_postgres(postgres_url: str) -> Iterator[str]:
    """A database of its own in the session's PostgreSQL cluster."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS rihub_race"))
        conn.execute(text("CREATE DATABASE rihub_race"))
    url = postgres_url.rsplit("/", 1)[0] + "/rihub_race"
    yield url
    admin.dispose()


@pytest.mark.postgres
def test_races_on_postgres(fresh_postgres: str) -> None:
    hub = Hub(fresh_postgres)
    try:
        _race(hub)
    finally:
        hub.engine.dispose()
