"""Framework links in the database: the vocabulary, model proposals, human review and its audit trail.

Rules kept here, in one place:
- links with provenance ``document`` (the report's own tables) are never changed or duplicated;
- re-running the model refreshes its ``proposed`` links, withdraws the ones it no longer proposes and
  leaves every reviewed link (accepted or rejected) alone;
- every change a person makes is an ``alignment_events`` row: who, when, before, after, why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from rihub.errors import InputError, NotFoundError
from rihub.records import AlignmentEvent, AlignmentRecord, VectorOwner
from rihub.store import audit
from rihub.store import schema as t
from rihub.store.common import insert_one, now, person_link
from rihub.store.read import records

ACTIONS = {"accept": "accepted", "reject": "rejected"}


@dataclass(frozen=True)
class VocabularyItem:
    framework: str
    code: str
    title: str
    description: str
    parent: str | None
    version: str


@dataclass(frozen=True)
class LinkProposal:
    """A model proposal for one subject: an initiative (result_id None) or one of its expected results."""

    initiative_id: int
    result_id: int | None
    framework: str
    code: str
    score: float | None  # None for a structural (rule) link: no model measured it
    evidence: dict[str, Any]
    label: str | None = None


def _rounded(score: float | None) -> float | None:
    return None if score is None else round(score, 4)


def sync_vocabulary(conn: Connection, items: Iterable[VocabularyItem]) -> int:
    """Make ``framework_items`` hold exactly the shipped vocabulary (insert new, update changed)."""
    existing = {(r.framework, r.code): r for r in conn.execute(select(t.framework_items))}
    changed = 0
    for item in items:
        values = {
            "title": item.title,
            "description": item.description,
            "parent_code": item.parent,
            "version": item.version,
        }
        old = existing.get((item.framework, item.code))
        if old is None:
            conn.execute(insert(t.framework_items).values(framework=item.framework, code=item.code, **values))
            changed += 1
        elif any(getattr(old, k) != v for k, v in values.items()):
            conn.execute(update(t.framework_items).where(t.framework_items.c.id == old.id).values(**values))
            changed += 1
    return changed


def _label(conn: Connection, framework: str, code: str) -> str:
    title = conn.scalar(
        select(t.framework_items.c.title).where(
            t.framework_items.c.framework == framework, t.framework_items.c.code == code
        )
    )
    if title is None:
        raise InputError(f"{framework} {code} is not in the {framework} vocabulary; `rihub frameworks` lists the codes")
    return str(title)


def _snapshot(link: Any) -> dict[str, Any]:
    return {"status": link.status, "provenance": link.provenance, "score": link.score}


def _event(
    conn: Connection,
    alignment_id: int,
    actor: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str | None,
) -> None:
    conn.execute(
        insert(t.alignment_events).values(
            alignment_id=alignment_id, actor=actor, at=now(), action=action, before=before, after=after, reason=reason
        )
    )


def store_proposals(conn: Connection, proposals: Sequence[LinkProposal], actor: str = "rihub-align") -> dict[str, int]:
    """Refresh the model's proposals for the subjects covered; returns counts of what changed."""
    subjects = {(p.initiative_id, p.result_id) for p in proposals}
    initiative_ids = {s[0] for s in subjects}
    current = conn.execute(select(t.alignments).where(t.alignments.c.initiative_id.in_(initiative_ids))).all()
    taken: dict[tuple[int, int | None, str, str], Any] = {
        (a.initiative_id, a.result_id, a.framework, a.code): a for a in current
    }
    document = {(a.initiative_id, a.framework, a.code) for a in current if a.provenance == "document"}
    stamp = now()
    counts = {"added": 0, "updated": 0, "withdrawn": 0, "kept_reviewed": 0, "skipped_document": 0}
    wanted: set[tuple[int, int | None, str, str]] = set()
    for p in proposals:
        key = (p.initiative_id, p.result_id, p.framework, p.code)
        if p.result_id is None and (p.initiative_id, p.framework, p.code) in document:
            counts["skipped_document"] += 1
            continue
        wanted.add(key)
        existing = taken.get(key)
        if existing is None:
            new_id = conn.execute(
                insert(t.alignments).values(
                    initiative_id=p.initiative_id,
                    result_id=p.result_id,
                    framework=p.framework,
                    code=p.code,
                    label=p.label or _label(conn, p.framework, p.code),
                    provenance="model",
                    status="proposed",
                    score=_rounded(p.score),
                    evidence=p.evidence,
                    created_by=actor,
                    created_at=stamp,
                    updated_at=stamp,
                )
            ).inserted_primary_key
            assert new_id is not None
            _event(
                conn,
                int(new_id[0]),
                actor,
                "propose",
                None,
                {"status": "proposed", "provenance": "model", "score": _rounded(p.score)},
                None,
            )
            counts["added"] += 1
        elif existing.provenance == "model" and existing.status == "proposed":
            conn.execute(
                update(t.alignments)
                .where(t.alignments.c.id == existing.id)
                .values(score=_rounded(p.score), evidence=p.evidence, updated_at=stamp)
            )
            counts["updated"] += 1
        else:
            counts["kept_reviewed"] += 1
    for key, existing in taken.items():
        if (
            (key[0], key[1]) in subjects
            and key not in wanted
            and existing.provenance == "model"
            and existing.status == "proposed"
        ):
            conn.execute(delete(t.alignments).where(t.alignments.c.id == existing.id))
            counts["withdrawn"] += 1
    return counts


def review(conn: Connection, alignment_id: int, action: str, actor: str, reason: str | None = None) -> AlignmentRecord:
    """Accept or reject one link; document links are the report's own and cannot be reviewed away."""
    if action not in ACTIONS:
        raise InputError(f"unknown review action {action!r}; use accept or reject")
    if not actor.strip():
        raise InputError("say who is reviewing (--by NAME)")
    # FOR UPDATE: on PostgreSQL the row stays locked until commit, so the ``before`` recorded is the
    # state this review replaces (SQLite: the caller's BEGIN IMMEDIATE already holds the lock).
    link = conn.execute(select(t.alignments).where(t.alignments.c.id == alignment_id).with_for_update()).first()
    if link is None:
        raise NotFoundError(f"no alignment #{alignment_id}")
    if link.provenance == "document":
        raise InputError(f"alignment #{alignment_id} is the report's own mapping; it cannot be reviewed")
    status = ACTIONS[action]
    after = {"status": status, "provenance": link.provenance, "score": link.score}
    conn.execute(update(t.alignments).where(t.alignments.c.id == alignment_id).values(status=status, updated_at=now()))
    _event(conn, alignment_id, actor, action, _snapshot(link), after, reason)
    audit.record(conn, actor, action, "alignment", alignment_id, before=_snapshot(link), after=after, comment=reason)
    return alignment(conn, alignment_id)


def add_link(
    conn: Connection,
    initiative_id: int,
    result_id: int | None,
    framework: str,
    code: str,
    actor: str,
    reason: str | None = None,
) -> AlignmentRecord:
    """A person adds a link the model did not propose (or confirms one by adding it)."""
    if not actor.strip():
        raise InputError("say who is adding the link (--by NAME)")
    label = _label(conn, framework, code)
    existing = _link_of(conn, initiative_id, result_id, framework, code)
    if existing is None:
        try:
            with conn.begin_nested():  # the unique index settles a race between two editors
                new_id = insert_one(
                    conn,
                    t.alignments,
                    initiative_id=initiative_id,
                    result_id=result_id,
                    framework=framework,
                    code=code,
                    label=label,
                    **person_link(actor, reason),
                )
        except IntegrityError:
            existing = _link_of(conn, initiative_id, result_id, framework, code)
            if existing is None:
                raise
        else:
            after = {"status": "accepted", "provenance": "person", "score": None}
            _event(conn, new_id, actor, "add", None, after, reason)
            subject = {"initiative_id": initiative_id, "result_id": result_id, "framework": framework, "code": code}
            audit.record(conn, actor, "add", "alignment", new_id, after={**subject, **after}, comment=reason)
            return alignment(conn, new_id)
    if existing.status == "accepted":
        return alignment(conn, existing.id)
    return review(conn, existing.id, "accept", actor, reason)


def _link_of(conn: Connection, initiative_id: int, result_id: int | None, framework: str, code: str) -> Any:
    return conn.execute(
        select(t.alignments)
        .where(
            t.alignments.c.initiative_id == initiative_id,
            t.alignments.c.result_id.is_(None) if result_id is None else t.alignments.c.result_id == result_id,
            t.alignments.c.framework == framework,
            t.alignments.c.code == code,
        )
        .with_for_update()
    ).first()


def alignment(conn: Connection, alignment_id: int) -> AlignmentRecord:
    found = alignments(conn, alignment_id=alignment_id)
    if not found:
        raise NotFoundError(f"no alignment #{alignment_id}")
    return found[0]


def alignments(
    conn: Connection,
    status: str | None = None,
    provenance: str | None = None,
    code: str | None = None,
    alignment_id: int | None = None,
    framework: str | None = None,
    min_score: float | None = None,
    conference: str | None = None,
) -> list[AlignmentRecord]:
    """Links with the initiative code, cycle and result number they belong to (the review queue)."""
    query = (
        select(
            t.alignments,
            t.initiatives.c.code.label("initiative"),
            t.initiatives.c.region_code.label("region"),
            t.conferences.c.code.label("cycle"),
            t.expected_results.c.number.label("result"),
            t.expected_results.c.status.label("result_status"),
        )
        .join(t.initiatives, t.initiatives.c.id == t.alignments.c.initiative_id)
        .join(t.conferences, t.conferences.c.id == t.initiatives.c.conference_id)
        .outerjoin(t.expected_results, t.expected_results.c.id == t.alignments.c.result_id)
        .order_by(
            t.initiatives.c.source_id,
            t.initiatives.c.position,
            t.expected_results.c.position.nulls_first(),
            t.alignments.c.framework,
            t.alignments.c.score.desc().nulls_last(),
        )
    )
    if status:
        query = query.where(t.alignments.c.status == status)
    if provenance:
        query = query.where(t.alignments.c.provenance == provenance)
    if code:
        query = query.where(t.initiatives.c.code == code.upper())
    if alignment_id is not None:
        query = query.where(t.alignments.c.id == alignment_id)
    if framework:
        query = query.where(t.alignments.c.framework == framework.upper())
    if min_score is not None:
        query = query.where(t.alignments.c.score >= min_score)
    if conference is not None and alignment_id is None:
        query = query.where(t.conferences.c.code == conference)
    return records(conn, query, AlignmentRecord)


def history(conn: Connection, alignment_id: int) -> list[AlignmentEvent]:
    return records(
        conn,
        select(t.alignment_events)
        .where(t.alignment_events.c.alignment_id == alignment_id)
        .order_by(t.alignment_events.c.id),
        AlignmentEvent,
    )


# --- embeddings ---------------------------------------------------------------------------------


def store_embeddings(
    conn: Connection, model: str, items: Sequence[tuple[int, int | None]], vectors: np.ndarray
) -> None:
    """Replace the vectors of these subjects (initiative id, result id or None) for ``model``."""
    for initiative_id, result_id in items:
        conn.execute(
            delete(t.embeddings).where(
                t.embeddings.c.model == model,
                t.embeddings.c.initiative_id == initiative_id,
                t.embeddings.c.result_id.is_(None) if result_id is None else t.embeddings.c.result_id == result_id,
            )
        )
    matrix = np.asarray(vectors, dtype=np.float32)
    conn.execute(
        insert(t.embeddings),
        [
            {
                "initiative_id": i,
                "result_id": r,
                "model": model,
                "dim": int(matrix.shape[1]),
                "vector": matrix[n].tobytes(),
            }
            for n, (i, r) in enumerate(items)
        ],
    )


def load_embeddings(conn: Connection, results: bool = True) -> tuple[list[VectorOwner], np.ndarray]:
    """All stored vectors of expected results (or of initiatives) with who they belong to."""
    query = (
        select(
            t.embeddings.c.vector,
            t.embeddings.c.dim,
            t.embeddings.c.initiative_id,
            t.embeddings.c.result_id,
            t.initiatives.c.code,
            t.initiatives.c.region_code,
            t.initiatives.c.title,
            t.initiatives.c.conference_id,
            t.expected_results.c.number,
            t.expected_results.c.text,
        )
        .join(t.initiatives, t.initiatives.c.id == t.embeddings.c.initiative_id)
        .outerjoin(t.expected_results, t.expected_results.c.id == t.embeddings.c.result_id)
        .where(t.embeddings.c.result_id.is_not(None) if results else t.embeddings.c.result_id.is_(None))
        .where(t.initiatives.c.status == "current")
        .where(t.embeddings.c.result_id.is_(None) | (t.expected_results.c.status == "current"))
        .order_by(t.embeddings.c.id)
    )
    found = conn.execute(query).all()
    if not found:
        return [], np.zeros((0, 0), dtype=np.float32)
    matrix = np.vstack([np.frombuffer(r.vector, dtype=np.float32) for r in found])
    meta = [
        VectorOwner(
            initiative_id=r.initiative_id,
            result_id=r.result_id,
            code=r.code,
            region=r.region_code,
            title=r.title,
            conference_id=r.conference_id,
            number=r.number,
            text=r.text,
        )
        for r in found
    ]
    return meta, matrix
