"""Small helpers every writer in ``store/`` shares."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import Connection, insert


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def insert_one(conn: Connection, table: Any, **values: Any) -> int:
    key = conn.execute(insert(table).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


@functools.cache
def _titles() -> dict[tuple[str, str], str]:
    from rihub import frameworks

    return {(i.framework, i.code): i.title for i in frameworks.all_items()}


def vocabulary_title(framework: str, code: str) -> str | None:
    """The shipped vocabulary's title of a framework item ("SDG 9" → "Industry, innovation…")."""
    return _titles().get((framework, code))


def person_link(actor: str, reason: str | None) -> dict[str, Any]:
    """The columns of a link a person adds (framework or lineage): accepted, unscored, theirs."""
    stamp = now()
    return {
        "provenance": "person",
        "status": "accepted",
        "score": None,
        "evidence": {"reason": reason} if reason else None,
        "created_by": actor,
        "created_at": stamp,
        "updated_at": stamp,
    }
