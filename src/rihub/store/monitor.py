"""Monitoring rows: projects, their links to expected results, assignments, indicators, periods and
updates — the SQL only. Who may write what is decided in :mod:`rihub.monitor.service`, which calls
these functions inside one :func:`rihub.store.db.write_transaction`.

Every write records its audit entry on the same connection (:func:`rihub.store.audit.record`), and
every edit of an existing row bumps its ``version`` (the optimistic-concurrency check compares the
version a person's form was read at with the locked row's, before calling :func:`change`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from sqlalchemy import Connection, delete, func, insert, select, update

from rihub.records import Actor, Evidence, Indicator, Period, Project, ResultRef, Update
from rihub.store import audit
from rihub.store import schema as t
from rihub.store.common import insert_one, now

Row = dict[str, Any]

TABLES: Final = {"project": t.projects, "indicator": t.indicators, "period": t.periods, "update": t.updates}
STAMPED: Final = frozenset({"project", "indicator", "update"})  # tables with created_at/updated_at


def get(conn: Connection, kind: str, row_id: int, lock: bool = False) -> Row | None:
    """One row by id (``lock``: ``FOR UPDATE`` on PostgreSQL, for a read-modify-write)."""
    table = TABLES[kind]
    query = select(table).where(table.c.id == row_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    return dict(row._mapping) if row else None


def create(conn: Connection, actor: Actor, kind: str, values: Mapping[str, Any]) -> Row:
    """Insert a row (version 1) with its audit entry; returns the row as stored."""
    stamps = {"created_at": now(), "updated_at": now()} if kind in STAMPED else {}
    row_id = insert_one(conn, TABLES[kind], **values, **stamps, version=1)
    row = get(conn, kind, row_id)
    assert row is not None
    audit.record(conn, actor, "create", kind, row_id, after=row)
    return row


def change(
    conn: Connection,
    actor: Actor,
    kind: str,
    before: Row,
    values: Mapping[str, Any],
    action: str = "update",
    comment: str | None = None,
) -> Row:
    """Write ``values`` over the (locked) row ``before``, bump its version, record the entry."""
    table = TABLES[kind]
    stamps = {"updated_at": now()} if kind in STAMPED else {}
    conn.execute(
        update(table).where(table.c.id == before["id"]).values(**values, **stamps, version=before["version"] + 1)
    )
    after = get(conn, kind, before["id"])
    assert after is not None
    audit.record(conn, actor, action, kind, before["id"], before=before, after=after, comment=comment)
    return after


# --- expected results by stable id ------------------------------------------------------------


def _result_query() -> Any:
    e, i, c = t.expected_results, t.initiatives, t.conferences
    return (
        select(
            e.c.id.label("result_id"),
            c.c.code.label("cycle"),
            i.c.code.label("initiative"),
            i.c.region_code.label("region"),
            e.c.number,
            e.c.text,
            e.c.status,
        )
        .join(i, i.c.id == e.c.initiative_id)
        .join(c, c.c.id == i.c.conference_id)
    )


def result_refs(conn: Connection, result_ids: Iterable[int]) -> dict[int, ResultRef]:
    ids = sorted(set(result_ids))
    if not ids:
        return {}
    rows = conn.execute(_result_query().where(t.expected_results.c.id.in_(ids)))
    return {r.result_id: ResultRef.model_validate(dict(r._mapping)) for r in rows}


def find_result(conn: Connection, cycle: str, code: str, number: int) -> ResultRef | None:
    """The current expected result ``number`` of initiative ``code`` in ``cycle``."""
    e, i, c = t.expected_results, t.initiatives, t.conferences
    query = _result_query().where(
        c.c.code == cycle, i.c.code == code, e.c.number == number, e.c.status == "current", i.c.status == "current"
    )
    row = conn.execute(query).first()
    return ResultRef.model_validate(dict(row._mapping)) if row else None


def results_of(
    conn: Connection, cycle: str, region: str | None = None, codes: Sequence[str] | None = None
) -> list[ResultRef]:
    """The current expected results of a cycle's current initiatives (one region's, or some codes')."""
    e, i, c = t.expected_results, t.initiatives, t.conferences
    query = _result_query().where(c.c.code == cycle, e.c.status == "current", i.c.status == "current")
    if region:
        query = query.where(i.c.region_code == region)
    if codes:
        query = query.where(i.c.code.in_(list(codes)))
    rows = conn.execute(query.order_by(i.c.position, e.c.position))
    return [ResultRef.model_validate(dict(r._mapping)) for r in rows]


# --- projects ---------------------------------------------------------------------------------


def linked(conn: Connection, project_id: int) -> list[int]:
    pr = t.project_results.c
    return [r[0] for r in conn.execute(select(pr.result_id).where(pr.project_id == project_id))]


def link(conn: Connection, actor: Actor, project_id: int, result_id: int) -> bool:
    """Link a project to an expected result; False when it already was (nothing written)."""
    if result_id in linked(conn, project_id):
        return False
    conn.execute(insert(t.project_results).values(project_id=project_id, result_id=result_id))
    audit.record(conn, actor, "link", "project", project_id, after={"result_id": result_id})
    return True


def unlink(conn: Connection, actor: Actor, project_id: int, result_id: int) -> bool:
    pr = t.project_results.c
    gone = conn.execute(delete(t.project_results).where(pr.project_id == project_id, pr.result_id == result_id))
    if not gone.rowcount:
        return False
    audit.record(conn, actor, "unlink", "project", project_id, before={"result_id": result_id})
    return True


def is_assigned(conn: Connection, user_id: int, project_id: int) -> bool:
    a = t.assignments.c
    query = select(func.count()).select_from(t.assignments).where(a.user_id == user_id, a.project_id == project_id)
    return bool(conn.execute(query).scalar_one())


def assign(conn: Connection, actor: Actor, user_id: int, project_id: int) -> bool:
    """Assign the contributor who creates a project to it; False when they already were. (An admin's
    assignments are the accounts' ``user assign``.)"""
    if is_assigned(conn, user_id, project_id):
        return False
    conn.execute(insert(t.assignments).values(user_id=user_id, project_id=project_id))
    audit.record(conn, actor, "assign", "project", project_id, after={"user_id": user_id})
    return True


def user(conn: Connection, *, user_id: int | None = None, username: str | None = None) -> Row | None:
    u = t.users.c
    query = select(u.id, u.username, u.role, u.disabled)
    row = conn.execute(query.where(u.id == user_id if user_id is not None else u.username == username)).first()
    return dict(row._mapping) if row else None


def projects(
    conn: Connection,
    ids: Sequence[int] | None = None,
    result_ids: Sequence[int] | None = None,
    status: str | None = None,
    assignee: int | None = None,
) -> list[Project]:
    """Projects with their results and assignees, oldest first, filtered."""
    p, pr = t.projects, t.project_results
    query = select(p)
    if ids is not None:
        query = query.where(p.c.id.in_(list(ids)))
    if result_ids is not None:
        query = query.where(p.c.id.in_(select(pr.c.project_id).where(pr.c.result_id.in_(list(result_ids)))))
    if status:
        query = query.where(p.c.status == status)
    if assignee is not None:
        mine = select(t.assignments.c.project_id).where(t.assignments.c.user_id == assignee)
        query = query.where(p.c.id.in_(mine))
    rows = [dict(r._mapping) for r in conn.execute(query.order_by(p.c.id))]
    found = [r["id"] for r in rows]
    links: dict[int, list[int]] = defaultdict(list)
    people: dict[int, list[str]] = defaultdict(list)
    if found:
        for pid, rid in conn.execute(select(pr.c.project_id, pr.c.result_id).where(pr.c.project_id.in_(found))):
            links[pid].append(rid)
        a, u = t.assignments, t.users
        query_people = (
            select(a.c.project_id, u.c.username)
            .join(u, u.c.id == a.c.user_id)
            .where(a.c.project_id.in_(found))
            .order_by(u.c.username)
        )
        for pid, name in conn.execute(query_people):
            people[pid].append(name)
    refs = result_refs(conn, (rid for rids in links.values() for rid in rids))
    return [
        Project.model_validate(
            r
            | {
                "results": sorted((refs[i] for i in links[r["id"]]), key=lambda x: (x.cycle, x.initiative, x.number)),
                "assignees": people[r["id"]],
            }
        )
        for r in rows
    ]


# --- indicators, periods, updates -------------------------------------------------------------


def indicators(
    conn: Connection,
    ids: Sequence[int] | None = None,
    project_ids: Sequence[int] | None = None,
    result_ids: Sequence[int] | None = None,
) -> list[Indicator]:
    i = t.indicators.c
    query = select(t.indicators)
    for column, wanted in ((i.id, ids), (i.project_id, project_ids), (i.result_id, result_ids)):
        if wanted is not None:
            query = query.where(column.in_(list(wanted)))
    return [Indicator.model_validate(dict(r._mapping)) for r in conn.execute(query.order_by(i.id))]


def periods(
    conn: Connection, ids: Sequence[int] | None = None, indicator_ids: Sequence[int] | None = None
) -> list[Period]:
    p = t.periods.c
    query = select(t.periods)
    if ids is not None:
        query = query.where(p.id.in_(list(ids)))
    if indicator_ids is not None:
        query = query.where(p.indicator_id.in_(list(indicator_ids)))
    rows = conn.execute(query.order_by(p.indicator_id, p.start_date, p.end_date))
    return [Period.model_validate(dict(r._mapping)) for r in rows]


def period_by_dates(conn: Connection, indicator_id: int, start: Any, end: Any) -> Row | None:
    p = t.periods.c
    query = select(t.periods).where(p.indicator_id == indicator_id, p.start_date == start, p.end_date == end)
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def updates(
    conn: Connection,
    ids: Sequence[int] | None = None,
    period_ids: Sequence[int] | None = None,
    status: str | None = None,
    project_id: int | None = None,
) -> list[Update]:
    """Updates with their authors' and reviewers' usernames, oldest first (evidence named, not read)."""
    u = t.updates
    author, reviewer = t.users.alias("author"), t.users.alias("reviewer")
    query = (
        select(
            *(c for c in u.c if c.name not in ("evidence", "created_by", "reviewed_by")),
            func.length(u.c.evidence).label("evidence_size"),
            u.c.created_by.label("created_by_id"),
            author.c.username.label("created_by"),
            reviewer.c.username.label("reviewed_by"),
        )
        .join(author, author.c.id == u.c.created_by)
        .outerjoin(reviewer, reviewer.c.id == u.c.reviewed_by)
    )
    if ids is not None:
        query = query.where(u.c.id.in_(list(ids)))
    if period_ids is not None:
        query = query.where(u.c.period_id.in_(list(period_ids)))
    if status:
        query = query.where(u.c.status == status)
    if project_id is not None:
        p, i = t.periods, t.indicators
        owned = select(p.c.id).join(i, i.c.id == p.c.indicator_id).where(i.c.project_id == project_id)
        query = query.where(u.c.period_id.in_(owned))
    return [Update.model_validate(dict(r._mapping)) for r in conn.execute(query.order_by(u.c.id))]


def evidence(conn: Connection, update_id: int) -> Evidence | None:
    u = t.updates.c
    row = conn.execute(select(u.evidence_name, u.evidence_type, u.evidence).where(u.id == update_id)).first()
    if row is None or row.evidence is None:
        return None
    return Evidence(row.evidence_name or "evidence", row.evidence_type or "application/octet-stream", row.evidence)


def project_of_period(conn: Connection, period_id: int) -> int | None:
    p, i = t.periods, t.indicators
    query = select(i.c.project_id).join(p, p.c.indicator_id == i.c.id).where(p.c.id == period_id)
    return conn.execute(query).scalar()


def period_reviews(conn: Connection, period_ids: Sequence[int]) -> dict[int, tuple[bool, str | None, int]]:
    """Period id → (has an approved update, the latest approved one's status word, submitted count)."""
    u = t.updates.c
    found: dict[int, tuple[bool, str | None, int]] = {}
    if not period_ids:
        return found
    query = (
        select(u.period_id, u.status, u.progress)
        .where(u.period_id.in_(list(period_ids)), u.status.in_(("approved", "submitted")))
        .order_by(u.period_id, u.reviewed_at, u.id)
    )
    for period_id, status, progress in conn.execute(query):
        approved, word, pending = found.get(period_id, (False, None, 0))
        if status == "approved":
            found[period_id] = (True, progress, pending)
        else:
            found[period_id] = (approved, word, pending + 1)
    return found
