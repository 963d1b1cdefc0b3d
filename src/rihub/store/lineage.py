"""Lineage: which initiative of one cycle continues which initiative of the cycle before.

The model proposes "continues" links between initiatives of successive cycles of one region by
the similarity of their wording (title, objective, results); a person confirms or rejects them,
and every change is a ``lineage_events`` row, like framework links. Re-proposing refreshes only
links nobody has reviewed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from rihub.analysis.diff import similarity
from rihub.errors import InputError, NotFoundError
from rihub.records import LineageLink
from rihub.store import audit
from rihub.store import schema as t
from rihub.store.common import insert_one, now, person_link

# A pair of initiatives of successive cycles is proposed when their wording is at least this
# alike (0–1) and each is the other's best match in the region; the same code alone proves
# nothing (regions renumber every cycle), so it only breaks ties.
PROPOSE = 0.45
ACTIONS = {"accept": "accepted", "reject": "rejected"}


def _texts(conn: Connection, initiatives: list[Any]) -> dict[int, str]:
    """Each initiative's wording to compare: title, objective and current results, in one query."""
    results: dict[int, list[str]] = {i.id: [] for i in initiatives}
    ids = list(results)
    for start in range(0, len(ids), 500):
        query = (
            select(t.expected_results.c.initiative_id, t.expected_results.c.text)
            .where(
                t.expected_results.c.initiative_id.in_(ids[start : start + 500]),
                t.expected_results.c.status == "current",
            )
            .order_by(t.expected_results.c.initiative_id, t.expected_results.c.id)
        )
        for initiative_id, text in conn.execute(query):
            results[initiative_id].append(text)
    return {i.id: " ".join([i.title, i.objective or "", *results[i.id]]) for i in initiatives}


def _neighbours(conn: Connection, conference_id: int) -> tuple[int | None, int | None] | None:
    """The cycles just before and after this one by (year, id), or None for a cycle without a year
    (the unknown cycle has no place in a lineage). Two index look-ups, whatever the number of cycles."""
    year = conn.scalar(select(t.conferences.c.year).where(t.conferences.c.id == conference_id))
    if year is None:
        return None
    c = t.conferences.c
    before = conn.scalar(
        select(c.id)
        .where(c.year.is_not(None), (c.year < year) | ((c.year == year) & (c.id < conference_id)))
        .order_by(c.year.desc(), c.id.desc())
        .limit(1)
    )
    after = conn.scalar(
        select(c.id)
        .where((c.year > year) | ((c.year == year) & (c.id > conference_id)))
        .order_by(c.year, c.id)
        .limit(1)
    )
    return before, after


def _initiatives(conn: Connection, conference_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(t.initiatives).where(
                t.initiatives.c.conference_id == conference_id, t.initiatives.c.status == "current"
            )
        ).all()
    )


def propose_lineage(conn: Connection, conference_id: int) -> int:
    """Refresh the proposals between this cycle and its neighbours; returns how many are proposed."""
    found = _neighbours(conn, conference_id)
    if found is None:
        return 0
    before, after = found
    pairs = [(before, conference_id)] if before is not None else []
    if after is not None:
        pairs.append((conference_id, after))
    return sum(_propose_between(conn, old, new) for old, new in pairs)


def _propose_between(conn: Connection, old_cycle: int, new_cycle: int) -> int:
    old = _initiatives(conn, old_cycle)
    new = _initiatives(conn, new_cycle)
    text = _texts(conn, [*old, *new])
    scored: dict[tuple[int, int], tuple[float]] = {}
    for n in new:
        for o in old:
            if o.region_code == n.region_code:
                tie = 0.01 if o.code[len(o.region_code) :] == n.code[len(n.region_code) :] else 0.0
                scored[(o.id, n.id)] = (similarity(text[o.id], text[n.id]) + tie,)
    # Each side's best partner: the highest score, ties to the higher id.
    best_new: dict[int, tuple[float, int]] = {}
    best_old: dict[int, tuple[float, int]] = {}
    for (o, n), s in scored.items():
        best_new[o] = max(best_new.get(o, (s[0], n)), (s[0], n))
        best_old[n] = max(best_old.get(n, (s[0], o)), (s[0], o))
    # The titles' similarity is evidence shown with a proposal: computed for the proposed pairs only.
    titles = {i.id: i.title for i in [*old, *new]}
    wanted = {
        (o, n): (s[0], similarity(titles[o], titles[n]))
        for (o, n), s in scored.items()
        if s[0] >= PROPOSE and best_new[o][1] == n and best_old[n][1] == o
    }
    existing = {
        (r.from_id, r.to_id): r
        for r in conn.execute(
            select(t.lineage_links).where(t.lineage_links.c.to_id.in_([n.id for n in new] or [0]))
        ).all()
    }
    stamp = now()
    for key, stale in existing.items():
        if key not in wanted and stale.provenance == "model" and stale.status == "proposed":
            conn.execute(delete(t.lineage_events).where(t.lineage_events.c.link_id == stale.id))
            conn.execute(delete(t.lineage_links).where(t.lineage_links.c.id == stale.id))
    fresh: list[dict[str, Any]] = []
    refreshed: list[dict[str, Any]] = []
    for (o, n), (score, title_score) in wanted.items():
        evidence = {"text_similarity": round(score, 3), "title_similarity": round(title_score, 3)}
        link = existing.get((o, n))
        if link is None:
            fresh.append(
                {
                    "from_id": o,
                    "to_id": n,
                    "provenance": "model",
                    "status": "proposed",
                    "score": round(score, 3),
                    "evidence": evidence,
                    "created_by": "rihub-lineage",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
        elif link.status == "proposed":
            refreshed.append({"b_id": link.id, "score": round(score, 3), "evidence": evidence, "updated_at": stamp})
    if fresh:
        # One batched statement; each id is told apart by its (from, to) pair, unique in the table.
        returning = insert(t.lineage_links).returning(
            t.lineage_links.c.id, t.lineage_links.c.from_id, t.lineage_links.c.to_id
        )
        ids = {(r.from_id, r.to_id): r.id for r in conn.execute(returning, fresh)}
        events = [
            {
                "link_id": ids[(f["from_id"], f["to_id"])],
                "actor": "rihub-lineage",
                "at": now(),
                "action": "propose",
                "before": None,
                "after": {"status": "proposed"},
                "reason": None,
            }
            for f in fresh
        ]
        conn.execute(insert(t.lineage_events), events)
    if refreshed:
        conn.execute(update(t.lineage_links).where(t.lineage_links.c.id == bindparam("b_id")), refreshed)
    return len(wanted)


def _event(
    conn: Connection, link_id: int, actor: str, action: str, before: Any, after: Any, reason: str | None
) -> None:
    conn.execute(
        insert(t.lineage_events).values(
            link_id=link_id, actor=actor, at=now(), action=action, before=before, after=after, reason=reason
        )
    )


def review_lineage(conn: Connection, link_id: int, action: str, actor: str, reason: str | None = None) -> LineageLink:
    """Confirm or reject a "continues" link; the status is read under the write lock the caller holds."""
    if action not in ACTIONS:
        raise InputError(f"unknown review action {action!r}; use accept or reject")
    if not actor.strip():
        raise InputError("say who is reviewing (--by NAME)")
    link = conn.execute(select(t.lineage_links).where(t.lineage_links.c.id == link_id)).first()
    if link is None:
        raise NotFoundError(f"no lineage link #{link_id}")
    status = ACTIONS[action]
    conn.execute(update(t.lineage_links).where(t.lineage_links.c.id == link_id).values(status=status, updated_at=now()))
    _event(conn, link_id, actor, action, {"status": link.status}, {"status": status}, reason)
    audit.record(
        conn,
        actor,
        action,
        "lineage",
        link_id,
        before={"status": link.status},
        after={"status": status},
        comment=reason,
    )
    return lineage_links(conn, link_id=link_id)[0]


def add_lineage(conn: Connection, from_id: int, to_id: int, actor: str, reason: str | None = None) -> LineageLink:
    """A person states that ``to_id`` continues ``from_id`` (accepting a proposal if there is one)."""
    if not actor.strip():
        raise InputError("say who is adding the link (--by NAME)")
    if from_id == to_id:
        raise InputError("an initiative cannot continue itself")
    found = conn.scalar(
        select(t.lineage_links.c.id).where(t.lineage_links.c.from_id == from_id, t.lineage_links.c.to_id == to_id)
    )
    if found is not None:
        return review_lineage(conn, int(found), "accept", actor, reason)
    new_id = insert_one(conn, t.lineage_links, from_id=from_id, to_id=to_id, **person_link(actor, reason))
    _event(conn, new_id, actor, "add", None, {"status": "accepted"}, reason)
    after = {"from_id": from_id, "to_id": to_id, "status": "accepted"}
    audit.record(conn, actor, "add", "lineage", new_id, after=after, comment=reason)
    return lineage_links(conn, link_id=new_id)[0]


def lineage_links(
    conn: Connection,
    initiative_id: int | None = None,
    status: str | None = None,
    link_id: int | None = None,
    conference: str | None = None,
) -> list[LineageLink]:
    """Links touching an initiative (either side), or a cycle (either side), or all, oldest cycle first."""
    older, newer = t.initiatives.alias("older"), t.initiatives.alias("newer")
    c_old, c_new = t.conferences.alias("c_old"), t.conferences.alias("c_new")
    query = (
        select(
            t.lineage_links,
            older.c.code.label("from_code"),
            older.c.title.label("from_title"),
            older.c.region_code.label("region"),
            c_old.c.code.label("from_cycle"),
            newer.c.code.label("to_code"),
            newer.c.title.label("to_title"),
            c_new.c.code.label("to_cycle"),
        )
        .join(older, older.c.id == t.lineage_links.c.from_id)
        .join(newer, newer.c.id == t.lineage_links.c.to_id)
        .join(c_old, c_old.c.id == older.c.conference_id)
        .join(c_new, c_new.c.id == newer.c.conference_id)
        .order_by(c_old.c.year, older.c.position, t.lineage_links.c.id)
    )
    if initiative_id is not None:
        query = query.where((t.lineage_links.c.from_id == initiative_id) | (t.lineage_links.c.to_id == initiative_id))
    if status:
        query = query.where(t.lineage_links.c.status == status)
    if link_id is not None:
        query = query.where(t.lineage_links.c.id == link_id)
    if conference is not None:
        # Through the cycle's initiatives, so both sides are index searches (from_id, to_id).
        in_cycle = select(t.initiatives.c.id).where(
            t.initiatives.c.conference_id
            == select(t.conferences.c.id).where(t.conferences.c.code == conference).scalar_subquery()
        )
        query = query.where(t.lineage_links.c.from_id.in_(in_cycle) | t.lineage_links.c.to_id.in_(in_cycle))
    return [
        LineageLink(
            id=r.id,
            from_id=r.from_id,
            from_code=r.from_code,
            from_cycle=r.from_cycle,
            to_id=r.to_id,
            to_code=r.to_code,
            to_cycle=r.to_cycle,
            region=r.region,
            provenance=r.provenance,
            status=r.status,
            score=r.score,
            title_similarity=(r.evidence or {}).get("title_similarity"),
            from_title=r.from_title,
            to_title=r.to_title,
        )
        for r in conn.execute(query)
    ]
