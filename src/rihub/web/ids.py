"""Ids in URLs: ASCII digits only, within the database's integer range.

``str.isdigit()`` accepts superscripts ("²") that ``int()`` then refuses, and Python's ints are
unbounded while SQLite's and PostgreSQL's are 64-bit: both used to reach the database as a 500.
Every id a route reads goes through here (path segments) or through ``ID``/``NUMBER`` (typed
parameters), so a bad one is a 404 or 422 like any other unknown record.
"""

from __future__ import annotations

import re

from fastapi import Path

from rihub.errors import NotFoundError

MAX_ID = 2**63 - 1
MAX_NUMBER = 9999  # expected results are numbered 1, 2, … — never thousands
_DIGITS = re.compile(r"[0-9]{1,19}")


def ascii_id(text: str | None, what: str, limit: int = MAX_ID) -> int | None:
    """``text`` as a positive id, or None when it is not one."""
    if text is None or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= limit else None


def path_id(text: str, what: str, limit: int = MAX_ID) -> int:
    """A path segment that must be an id: anything else is "no such record" (404)."""
    value = ascii_id(text, what, limit)
    if value is None:
        raise NotFoundError(f"no {what} {text[:40]!r}")
    return value


def ID(description: str = "a record id") -> int:
    """A typed path id, bounded so it can always be compared with a 64-bit column."""
    result: int = Path(ge=1, le=MAX_ID, description=description)
    return result


def NUMBER(description: str = "an expected-result number") -> int:
    result: int = Path(ge=1, le=MAX_NUMBER, description=description)
    return result
