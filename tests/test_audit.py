"""The audit trail commits and rolls back with the write it describes."""

from __future__ import annotations

import datetime as dt

import pytest

from rihub.hub import Hub
from rihub.records import Actor
from rihub.store import audit
from rihub.store.db import write_transaction

ADMIN = Actor(user_id=None, username="cli:test", role="admin")


def test_an_entry_commits_with_its_write_and_keeps_no_secret(empty_hub: Hub) -> None:
    with write_transaction(empty_hub.engine) as conn:
        before = {"title": "old", "start_date": dt.date(2026, 1, 1), "password_hash": "$argon2id$x"}
        audit.record(conn, ADMIN, "update", "project", 7, before=before, after={"title": "new"}, comment="why")
    with empty_hub.engine.connect() as conn:
        [entry] = audit.history(conn, "project", 7)
        page, total = audit.activity(conn, object_type="project")
    assert (entry.actor, entry.action, entry.comment) == ("cli:test", "update", "why")
    assert entry.before == {"title": "old", "start_date": "2026-01-01"}
    assert entry.after == {"title": "new"}
    assert total == 1 and page[0].id == entry.id


def test_a_failed_write_leaves_no_entry(empty_hub: Hub) -> None:
    with pytest.raises(RuntimeError), write_transaction(empty_hub.engine) as conn:
        audit.record(conn, ADMIN, "create", "project", 1, after={"title": "x"})
        raise RuntimeError("the write fails after its entry")
    with empty_hub.engine.connect() as conn:
        assert audit.history(conn, "project", 1) == []
        assert audit.activity(conn) == ([], 0)
