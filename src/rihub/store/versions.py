"""Versions of an initiative and the current one: precedence, field provenance, result matching.

Every document that states an initiative adds an ``initiative_versions`` row. The stable
``initiatives`` row (one per cycle and code, kept for life) shows the current version:

- **Precedence.** Among the versions whose document is current (not superseded by a newer copy
  of the same file), the later stage wins (``model.STAGES``: draft < consolidated < adopted <
  report); within a stage, the later document (higher source id: ingested later) wins.
- **Field provenance.** Title and kind come from the winning version; the objective, the results'
  lead-in and the expected results come from the first version in precedence order that states
  them, so a later document that leaves a field out does not erase it. ``field_sources`` records
  the source document of each field.
- **Results keep their ids.** The current results are matched to the stored ones by text:
  identical text first (whatever the number), then the best one-to-one pairing by similarity.
  A clear pair updates the stored row (number, text, span) so every link on it follows; an
  unclear pair still attaches but is flagged (a finding and a ``result_matches`` item); a stored
  result left without a partner is ``withdrawn``, never deleted, and flagged when people's links
  hang on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from rihub.analysis.diff import RESULT_THRESHOLD, similarity
from rihub.model import STAGES
from rihub.store import schema as t
from rihub.store.common import insert_one, now

# Similarity (0–1, ``rihub.analysis.diff.similarity``) of two wordings of one expected result. The
# diff engine's calibration holds here too: different results of one region of the bundled report
# score at most 0.62, hand-written rewordings 0.73–0.86. At or above ATTACH (the diff's
# RESULT_THRESHOLD) a new wording attaches to the stored result; it is *clear* at CLEAR, or at
# CLEAR_SAME_NUMBER when the number is kept too; an attached pair below that is flagged for a person.
ATTACH = RESULT_THRESHOLD
CLEAR_SAME_NUMBER = 0.7
CLEAR = 0.85


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


@dataclass(frozen=True)
class StoredResult:
    id: int
    number: int
    text: str
    status: str


@dataclass(frozen=True)
class Pairing:
    """A new-version result (index into the version's results) and the stored row it becomes."""

    index: int
    result_id: int | None
    score: float
    clear: bool


def match_results(stored: Sequence[StoredResult], new: Sequence[tuple[int, str]]) -> list[Pairing]:
    """Pair each new (number, text) with a stored result, one to one; None where none fits.

    Current stored results are preferred over withdrawn ones (a withdrawn result comes back only
    when a version states its text again).
    """
    from scipy.optimize import linear_sum_assignment

    pairs: dict[int, Pairing] = {}
    free = list(stored)
    for index, (_, text) in enumerate(new):
        exact = next((s for s in free if _norm(s.text) == _norm(text) and s.status == "current"), None)
        exact = exact or next((s for s in free if _norm(s.text) == _norm(text)), None)
        if exact is not None:
            pairs[index] = Pairing(index, exact.id, 1.0, True)
            free.remove(exact)
    rest = [i for i in range(len(new)) if i not in pairs]
    if rest and free:
        scores = [[similarity(new[i][1], s.text) for s in free] for i in rest]
        weight = [
            [
                score + (0.05 if new[i][0] == s.number else 0) - (0.1 if s.status != "current" else 0)
                for s, score in zip(free, row, strict=True)
            ]
            for i, row in zip(rest, scores, strict=True)
        ]
        rows, cols = linear_sum_assignment(weight, maximize=True)
        for r, c in zip(rows, cols, strict=True):
            score, s, index = scores[r][c], free[c], rest[r]
            if score < ATTACH:
                continue
            clear = score >= CLEAR or (score >= CLEAR_SAME_NUMBER and s.number == new[index][0])
            pairs[index] = Pairing(index, s.id, round(score, 3), clear)
    return [pairs.get(i, Pairing(i, None, 0.0, True)) for i in range(len(new))]


def _rank(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else 0


def current_versions(conn: Connection, initiative_id: int) -> list[Any]:
    """The versions whose document is current, best first (the precedence above)."""
    found = conn.execute(
        select(t.initiative_versions)
        .join(t.source_documents, t.source_documents.c.id == t.initiative_versions.c.source_id)
        .where(t.initiative_versions.c.initiative_id == initiative_id, t.source_documents.c.status == "current")
    ).all()
    return sorted(found, key=lambda v: (_rank(v.stage), v.source_id), reverse=True)


def refresh(conn: Connection, initiative_id: int, flags: list[tuple[int, int | None, str]]) -> None:
    """Make the stable row show its current version; ``flags`` collects findings (source, loc, message)."""
    versions = current_versions(conn, initiative_id)
    if not versions:
        conn.execute(update(t.initiatives).where(t.initiatives.c.id == initiative_id).values(status="withdrawn"))
        return
    best = versions[0]

    def first(field: str) -> Any:
        return next((v for v in versions if getattr(v, field)), best)

    objective, lead_in, stated = first("objective"), first("results_lead_in"), first("results")
    conn.execute(
        update(t.initiatives)
        .where(t.initiatives.c.id == initiative_id)
        .values(
            source_id=best.source_id,
            position=best.position,
            kind=best.kind,
            stage=best.stage,
            title=best.title,
            objective=objective.objective,
            objective_kind=objective.objective_kind,
            results_lead_in=lead_in.results_lead_in,
            status="current",
            span_start=best.span_start,
            span_end=best.span_end,
            field_sources={
                "title": best.source_id,
                "objective": objective.source_id,
                "results_lead_in": lead_in.source_id,
                "expected_results": stated.source_id,
            },
        )
    )
    _sync_results(conn, initiative_id, best.code, stated, flags)
    links = first("links")
    if links.links:
        _sync_document_links(conn, initiative_id, links)


def _sync_results(conn: Connection, initiative_id: int, code: str, version: Any, flags: list[Any]) -> None:
    stored = [
        StoredResult(r.id, r.number, r.text, r.status)
        for r in conn.execute(
            select(t.expected_results).where(t.expected_results.c.initiative_id == initiative_id)
        ).all()
    ]
    new = [(int(r["number"]), str(r["text"])) for r in version.results]
    pairing = match_results(stored, new)
    by_id = {s.id: s for s in stored}
    kept: set[int] = set()
    ids: list[int] = []
    for p, stated, position in zip(pairing, version.results, range(len(new)), strict=True):
        values = {
            "number": stated["number"],
            "text": stated["text"],
            "position": position,
            "source_id": version.source_id,
            "status": "current",
            "span_start": stated["span"][0],
            "span_end": stated["span"][1],
        }
        if p.result_id is None:
            ids.append(insert_one(conn, t.expected_results, initiative_id=initiative_id, **values))
            continue
        old = by_id[p.result_id]
        conn.execute(update(t.expected_results).where(t.expected_results.c.id == p.result_id).values(**values))
        kept.add(p.result_id)
        ids.append(p.result_id)
        if not p.clear:
            _flag_match(conn, initiative_id, old, version.source_id, stated, p.score, "unclear")
            flags.append(
                (
                    version.source_id,
                    stated["span"][0],
                    f"{code} expected result {stated['number']} was matched to the stored result {old.number} "
                    f"at {p.score:.0%} similarity; confirm or reject it with `rihub review matches`",
                )
            )
    for old in stored:
        if old.id in kept or old.status != "current":
            continue
        conn.execute(update(t.expected_results).where(t.expected_results.c.id == old.id).values(status="withdrawn"))
        if _has_reviewed_links(conn, old.id):
            _flag_match(conn, initiative_id, old, version.source_id, None, None, "withdrawn")
            flags.append(
                (
                    version.source_id,
                    None,
                    f"{code} expected result {old.number} is no longer stated; it is kept as withdrawn with the "
                    "links people reviewed on it (`rihub review matches`)",
                )
            )
    _replace_children(conn, ids, version)


def _has_reviewed_links(conn: Connection, result_id: int) -> bool:
    return (
        conn.scalar(
            select(t.alignments.c.id)
            .where(t.alignments.c.result_id == result_id)
            .where((t.alignments.c.provenance == "person") | (t.alignments.c.status != "proposed"))
            .limit(1)
        )
        is not None
    )


def _flag_match(
    conn: Connection,
    initiative_id: int,
    old: StoredResult,
    source_id: int,
    stated: dict[str, Any] | None,
    score: float | None,
    kind: str,
) -> None:
    """One open review item per stored result and kind: a re-ingest does not pile up duplicates."""
    open_item = conn.scalar(
        select(t.result_matches.c.id).where(
            t.result_matches.c.result_id == old.id,
            t.result_matches.c.kind == kind,
            t.result_matches.c.status == "proposed",
        )
    )
    values = {
        "source_id": source_id,
        "old_number": old.number,
        "old_text": old.text,
        "new_number": stated["number"] if stated else None,
        "new_text": stated["text"] if stated else None,
        "score": score,
    }
    if open_item is not None:
        conn.execute(update(t.result_matches).where(t.result_matches.c.id == open_item).values(**values))
        return
    conn.execute(
        insert(t.result_matches).values(
            initiative_id=initiative_id, result_id=old.id, kind=kind, status="proposed", created_at=now(), **values
        )
    )


def _replace_children(conn: Connection, result_ids: list[int], version: Any) -> None:
    """Sub-items and footnotes are the document's words: the current version's replace the rest."""
    if result_ids:
        conn.execute(delete(t.sub_items).where(t.sub_items.c.result_id.in_(result_ids)))
        conn.execute(delete(t.footnotes).where(t.footnotes.c.result_id.in_(result_ids)))
    subs: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for result_id, stated in zip(result_ids, version.results, strict=True):
        for position, (label, text, start, end) in enumerate(stated["sub_items"]):
            subs.append(
                {
                    "result_id": result_id,
                    "source_id": version.source_id,
                    "position": position,
                    "label": label,
                    "text": text,
                    "span_start": start,
                    "span_end": end,
                }
            )
        for marker, text, start, end in stated["footnotes"]:
            notes.append(
                {
                    "result_id": result_id,
                    "source_id": version.source_id,
                    "marker": marker,
                    "text": text,
                    "span_start": start,
                    "span_end": end,
                }
            )
    if subs:
        conn.execute(insert(t.sub_items), subs)
    if notes:
        conn.execute(insert(t.footnotes), notes)


def _sync_document_links(conn: Connection, initiative_id: int, version: Any) -> None:
    """The report's own mapping, from the version that states one; people's links are left alone."""
    from rihub.store.common import vocabulary_title

    existing = {
        (a.framework, a.code): a
        for a in conn.execute(
            select(t.alignments).where(
                t.alignments.c.initiative_id == initiative_id, t.alignments.c.result_id.is_(None)
            )
        ).all()
    }
    wanted = {(fw, code): (label, start, end) for fw, code, label, start, end in version.links}
    stamp = now()
    for key, stale in existing.items():
        if stale.provenance == "document" and key not in wanted:
            conn.execute(delete(t.alignments).where(t.alignments.c.id == stale.id))
    for (fw, code), (label, start, end) in wanted.items():
        link = existing.get((fw, code))
        values = {"source_id": version.source_id, "span_start": start, "span_end": end}
        if link is not None and link.provenance == "document":
            conn.execute(update(t.alignments).where(t.alignments.c.id == link.id).values(**values))
            continue
        if link is not None and link.provenance == "model" and link.status == "proposed":
            conn.execute(delete(t.alignment_events).where(t.alignment_events.c.alignment_id == link.id))
            conn.execute(delete(t.alignments).where(t.alignments.c.id == link.id))
        elif link is not None:
            continue  # a person already decided on this link; the document agrees or not, theirs stands
        conn.execute(
            insert(t.alignments).values(
                initiative_id=initiative_id,
                result_id=None,
                framework=fw,
                code=code,
                label=label or vocabulary_title(fw, code) or f"{fw} {code}",
                provenance="document",
                status="accepted",
                score=None,
                evidence={"source": "the report's own mapping table"},
                created_by="ingest",
                created_at=stamp,
                updated_at=stamp,
                **values,
            )
        )
