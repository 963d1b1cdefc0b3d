"""The registry's recalibration of model proposals (table ``align_calibration``) and its inputs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from rihub.store import schema as t
from rihub.store.common import now

__all__ = ["ReviewedLink", "clear", "read", "rescore_proposals", "reviewed_links", "save"]


@dataclass(frozen=True)
class ReviewedLink:
    """A link a person settled: accepted/rejected model proposals and links people added."""

    initiative_id: int
    result_id: int | None
    framework: str
    code: str
    provenance: str
    accepted: bool
    model_score: float | None  # the raw model score (None for an added link the model never proposed)


def reviewed_links(conn: Connection) -> list[ReviewedLink]:
    """Every reviewed model link and every person-added link, structural (rule) links left out."""
    a = t.alignments
    rows = conn.execute(
        select(a).where(
            ((a.c.provenance == "model") & a.c.status.in_(("accepted", "rejected")))
            | ((a.c.provenance == "person") & (a.c.status == "accepted"))
        )
    )
    out = []
    for r in rows:
        ev: dict[str, Any] = r.evidence or {}
        if ev.get("basis") == "structural":
            continue
        raw = ev.get("model_score", r.score) if r.provenance == "model" else None
        out.append(
            ReviewedLink(
                r.initiative_id,
                r.result_id,
                r.framework,
                r.code,
                r.provenance,
                r.status == "accepted",
                None if raw is None else float(raw),
            )
        )
    return out


def read(conn: Connection) -> dict[str, dict[str, Any]]:
    """Framework -> the stored recalibration row, with its per-label ``offsets`` (code -> logit)
    (empty: the shipped calibration applies)."""
    out = {r.framework: dict(r._mapping) | {"offsets": {}} for r in conn.execute(select(t.align_calibration))}
    for r in conn.execute(select(t.align_label_calibration)):
        if r.framework in out:
            out[r.framework]["offsets"][r.code] = r.logit_offset
    return out


def save(conn: Connection, rows: Iterable[dict[str, Any]], label_rows: Iterable[dict[str, Any]], actor: str) -> None:
    """Replace the stored recalibration by ``rows`` (framework, slope, intercept, reviews, accepted)
    and its per-label part by ``label_rows`` (framework, code, logit_offset, reviews, accepted)."""
    clear(conn)
    stamp = now()
    for row in rows:
        conn.execute(insert(t.align_calibration).values(**row, fitted_by=actor, fitted_at=stamp))
    for row in label_rows:
        conn.execute(insert(t.align_label_calibration).values(**row))


def clear(conn: Connection) -> int:
    """Forget the registry's recalibration; returns how many frameworks it covered."""
    conn.execute(delete(t.align_label_calibration))
    return int(conn.execute(delete(t.align_calibration)).rowcount or 0)


def rescore_proposals(conn: Connection, probability: Callable[[str, str, float], float]) -> int:
    """Recompute the score of every open model proposal from its stored raw ``model_score``
    (``probability(framework, code, raw)``)."""
    a = t.alignments
    rows = conn.execute(
        select(a.c.id, a.c.framework, a.c.code, a.c.evidence).where(
            (a.c.provenance == "model") & (a.c.status == "proposed")
        )
    ).all()
    changed = 0
    for r in rows:
        ev = r.evidence or {}
        if parts := ev.get("part_scores"):  # an initiative's roll-up: noisy-OR of its parts
            miss = 1.0
            for raw in parts:
                miss *= 1.0 - probability(r.framework, r.code, float(raw))
            score = 1.0 - miss
        elif (raw := ev.get("model_score")) is not None:
            score = probability(r.framework, r.code, float(raw))
        else:
            continue
        conn.execute(update(a).where(a.c.id == r.id).values(score=round(score, 4)))
        changed += 1
    return changed
