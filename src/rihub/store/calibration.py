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
    """Framework -> the stored recalibration row (empty: the shipped calibration applies)."""
    return {r.framework: dict(r._mapping) for r in conn.execute(select(t.align_calibration))}


def save(conn: Connection, rows: Iterable[dict[str, Any]], actor: str) -> None:
    """Replace the stored recalibration by ``rows`` (framework, slope, intercept, reviews, accepted)."""
    conn.execute(delete(t.align_calibration))
    stamp = now()
    for row in rows:
        conn.execute(insert(t.align_calibration).values(**row, fitted_by=actor, fitted_at=stamp))


def clear(conn: Connection) -> int:
    """Forget the registry's recalibration; returns how many frameworks it covered."""
    return int(conn.execute(delete(t.align_calibration)).rowcount or 0)


def rescore_proposals(conn: Connection, probability: Callable[[str, float], float]) -> int:
    """Recompute the score of every open model proposal from its stored raw ``model_score``."""
    a = t.alignments
    rows = conn.execute(
        select(a.c.id, a.c.framework, a.c.evidence).where((a.c.provenance == "model") & (a.c.status == "proposed"))
    ).all()
    changed = 0
    for r in rows:
        ev = r.evidence or {}
        if parts := ev.get("part_scores"):  # an initiative's roll-up: noisy-OR of its parts
            miss = 1.0
            for raw in parts:
                miss *= 1.0 - probability(r.framework, float(raw))
            score = 1.0 - miss
        elif (raw := ev.get("model_score")) is not None:
            score = probability(r.framework, float(raw))
        else:
            continue
        conn.execute(update(a).where(a.c.id == r.id).values(score=round(score, 4)))
        changed += 1
    return changed
