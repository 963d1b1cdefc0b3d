"""The audit trail: one row per write, written by the writer in its own transaction.

Every store function that changes a person's row (accounts, projects, indicators, periods,
updates, framework-link reviews) calls :func:`record` on the connection it writes with, so the
entry commits or rolls back with the change itself: an acknowledged write always has its entry,
and a failed one leaves none. ``before``/``after`` are JSON snapshots of the object (dates and
datetimes as ISO text, secrets never included).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, select

from rihub.records import Actor, AuditEntry
from rihub.store import schema as t
from rihub.store.common import insert_one, now
from rihub.store.read import records

SECRET_FIELDS = frozenset({"password_hash", "token_hash", "evidence"})


def snapshot(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A row as JSON-ready values, without secrets or file bodies (those are named, not copied)."""
    if row is None:
        return None
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in SECRET_FIELDS:
            continue
        out[key] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    return out


def record(
    conn: Connection,
    actor: Actor | str,
    action: str,
    object_type: str,
    object_id: int,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    comment: str | None = None,
) -> int:
    """Append one entry on ``conn`` (the writer's transaction); returns its id.

    ``actor`` may be a bare name (the writers of framework links and lineage take one): the entry
    then names the account of that username, if there is one.
    """
    if isinstance(actor, str):
        user_id = conn.execute(select(t.users.c.id).where(t.users.c.username == actor)).scalar()
        name = actor
    else:
        user_id, name = actor.user_id, actor.username
    return insert_one(
        conn,
        t.audit_log,
        at=now(),
        actor=name[:64],
        user_id=user_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=snapshot(before),
        after=snapshot(after),
        comment=comment,
    )


def history(conn: Connection, object_type: str, object_id: int) -> list[AuditEntry]:
    """One object's entries, oldest first."""
    a = t.audit_log.c
    query = select(t.audit_log).where(a.object_type == object_type, a.object_id == object_id).order_by(a.id)
    return records(conn, query, AuditEntry)


def activity(
    conn: Connection,
    *,
    object_type: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """The registry-wide feed, newest first, filtered; the page and the total count."""
    a = t.audit_log.c
    conditions = [
        c
        for c in (
            a.object_type == object_type if object_type else None,
            a.actor == actor if actor else None,
            a.action == action if action else None,
            a.at >= since if since else None,
        )
        if c is not None
    ]
    total = conn.execute(select(func.count()).select_from(t.audit_log).where(*conditions)).scalar_one()
    query = select(t.audit_log).where(*conditions).order_by(a.id.desc()).limit(limit).offset(offset)
    return records(conn, query, AuditEntry), int(total)
