"""A person settles a result match the ingest flagged (``result_matches``).

- ``unclear`` (a new wording attached to a stored result at middling similarity): *accept* keeps
  the pairing; *reject* splits it: the new wording becomes a result of its own and the stored
  result goes back to its old wording as withdrawn, keeping every link people made on it.
- ``withdrawn`` (a result no longer stated, with reviewed links): *accept* acknowledges it;
  *reject* records that the person disagrees (the result stays withdrawn until a document states
  it again, when it is matched back by its text).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from rihub.errors import InputError, NotFoundError
from rihub.records import ResultMatch
from rihub.store import audit, read
from rihub.store import schema as t
from rihub.store.common import insert_one, now

ACTIONS = {"accept": "accepted", "reject": "rejected"}


def review_match(conn: Connection, match_id: int, action: str, actor: str, reason: str | None) -> ResultMatch:
    if action not in ACTIONS:
        raise InputError(f"unknown review action {action!r}; use accept or reject")
    if not actor.strip():
        raise InputError("say who is reviewing (--by NAME)")
    item = conn.execute(select(t.result_matches).where(t.result_matches.c.id == match_id)).first()
    if item is None:
        raise NotFoundError(f"no result match #{match_id}")
    if item.status != "proposed":
        raise InputError(f"result match #{match_id} was already {item.status} by {item.decided_by}")
    if action == "reject" and item.kind == "unclear":
        _split(conn, item)
    conn.execute(
        update(t.result_matches)
        .where(t.result_matches.c.id == match_id)
        .values(status=ACTIONS[action], decided_by=actor, decided_at=now(), reason=reason)
    )
    before, after = {"status": item.status, "kind": item.kind}, {"status": ACTIONS[action], "kind": item.kind}
    audit.record(conn, actor, action, "result-match", match_id, before=before, after=after, comment=reason)
    return read.result_matches(conn, match_id=match_id)[0]


def _split(conn: Connection, item: Any) -> None:
    """The new wording gets its own row (sub-items and footnotes move with it); the old goes back."""
    row = conn.execute(select(t.expected_results).where(t.expected_results.c.id == item.result_id)).first()
    assert row is not None
    new_id = insert_one(
        conn,
        t.expected_results,
        initiative_id=row.initiative_id,
        source_id=row.source_id,
        position=row.position,
        number=row.number,
        text=row.text,
        status=row.status,
        span_start=row.span_start,
        span_end=row.span_end,
    )
    for table in (t.sub_items, t.footnotes):
        conn.execute(update(table).where(table.c.result_id == item.result_id).values(result_id=new_id))
    conn.execute(
        update(t.expected_results)
        .where(t.expected_results.c.id == item.result_id)
        .values(number=item.old_number, text=item.old_text, status="withdrawn")
    )
