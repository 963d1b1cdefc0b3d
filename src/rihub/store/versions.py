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
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from rihub.analysis.diff import RESULT_THRESHOLD, similarity
from rihub.model import STAGES
from rihub.store import schema as t
from rihub.store.common import now

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


# Ids per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 500


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def current_versions(conn: Connection, initiative_id: int) -> list[Any]:
    """The versions whose document is current, best first (the precedence above)."""
    return _current_versions(conn, [initiative_id]).get(initiative_id, [])


def _current_versions(conn: Connection, initiative_ids: Sequence[int]) -> dict[int, list[Any]]:
    """:func:`current_versions` of many initiatives in one query (per chunk of ids)."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for chunk in _chunks(initiative_ids):
        for v in conn.execute(
            select(t.initiative_versions)
            .join(t.source_documents, t.source_documents.c.id == t.initiative_versions.c.source_id)
            .where(t.initiative_versions.c.initiative_id.in_(chunk), t.source_documents.c.status == "current")
        ):
            grouped[v.initiative_id].append(v)
    return {i: sorted(found, key=lambda v: (_rank(v.stage), v.source_id), reverse=True) for i, found in grouped.items()}


def refresh(conn: Connection, initiative_id: int, flags: list[tuple[int, int | None, str]]) -> None:
    """Make the stable row show its current version; ``flags`` collects findings (source, loc, message)."""
    refresh_all(conn, [initiative_id], flags)


def refresh_all(conn: Connection, initiative_ids: Iterable[int], flags: list[tuple[int, int | None, str]]) -> None:
    """:func:`refresh` for every initiative a document touched, in id order.

    The same outcome as refreshing them one by one, in a fixed number of statements per kind of
    row rather than several per initiative and result (an ingest refreshes every initiative of the
    report, so this is most of its cost).
    """
    ids = sorted(set(initiative_ids))
    versions = _current_versions(conn, ids)
    gone = [i for i in ids if i not in versions]
    for chunk in _chunks(gone):
        conn.execute(update(t.initiatives).where(t.initiatives.c.id.in_(chunk)).values(status="withdrawn"))
    heads: list[dict[str, Any]] = []
    stated: dict[int, tuple[str, Any]] = {}
    links: dict[int, Any] = {}
    for initiative_id in ids:
        if initiative_id not in versions:
            continue
        found = versions[initiative_id]
        best = found[0]

        def first(field: str, found: list[Any] = found, best: Any = best) -> Any:
            return next((v for v in found if getattr(v, field)), best)

        objective, lead_in, results = first("objective"), first("results_lead_in"), first("results")
        heads.append(
            {
                "b_id": initiative_id,
                "source_id": best.source_id,
                "position": best.position,
                "kind": best.kind,
                "stage": best.stage,
                "title": best.title,
                "objective": objective.objective,
                "objective_kind": objective.objective_kind,
                "results_lead_in": lead_in.results_lead_in,
                "status": "current",
                "span_start": best.span_start,
                "span_end": best.span_end,
                "field_sources": {
                    "title": best.source_id,
                    "objective": objective.source_id,
                    "results_lead_in": lead_in.source_id,
                    "expected_results": results.source_id,
                },
            }
        )
        stated[initiative_id] = (best.code, results)
        mapping = first("links")
        if mapping.links:
            links[initiative_id] = mapping
    if heads:
        conn.execute(update(t.initiatives).where(t.initiatives.c.id == bindparam("b_id")), heads)
    _sync_results(conn, stated, flags)
    _sync_document_links(conn, links)


@dataclass(frozen=True)
class _ResultPlan:
    """One initiative's results after matching: the stored row of each stated result (None: a new
    row, inserted in this order) and the stored results it no longer states."""

    initiative_id: int
    code: str
    version: Any
    pairing: list[Pairing]
    withdrawn: list[StoredResult]


def _stored_results(conn: Connection, initiative_ids: Sequence[int]) -> dict[int, list[StoredResult]]:
    grouped: dict[int, list[StoredResult]] = defaultdict(list)
    for chunk in _chunks(initiative_ids):
        query = (
            select(
                t.expected_results.c.initiative_id,
                t.expected_results.c.id,
                t.expected_results.c.number,
                t.expected_results.c.text,
                t.expected_results.c.status,
            )
            .where(t.expected_results.c.initiative_id.in_(chunk))
            .order_by(t.expected_results.c.initiative_id, t.expected_results.c.id)
        )
        for r in conn.execute(query):
            grouped[r.initiative_id].append(StoredResult(r.id, r.number, r.text, r.status))
    return grouped


def _sync_results(conn: Connection, stated: dict[int, tuple[str, Any]], flags: list[Any]) -> None:
    """Match each initiative's stated results to its stored ones, then write them all at once."""
    stored = _stored_results(conn, list(stated))
    plans: list[_ResultPlan] = []
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    for initiative_id, (code, version) in stated.items():
        mine = stored.get(initiative_id, [])
        new = [(int(r["number"]), str(r["text"])) for r in version.results]
        pairing = match_results(mine, new)
        for p, result, position in zip(pairing, version.results, range(len(new)), strict=True):
            values = {
                "number": result["number"],
                "text": result["text"],
                "position": position,
                "source_id": version.source_id,
                "status": "current",
                "span_start": result["span"][0],
                "span_end": result["span"][1],
            }
            if p.result_id is None:
                inserts.append({"initiative_id": initiative_id, **values})
            else:
                updates.append({"b_id": p.result_id, **values})
        kept = {p.result_id for p in pairing if p.result_id is not None}
        withdrawn = [old for old in mine if old.id not in kept and old.status == "current"]
        plans.append(_ResultPlan(initiative_id, code, version, pairing, withdrawn))
    if updates:
        conn.execute(update(t.expected_results).where(t.expected_results.c.id == bindparam("b_id")), updates)
    # New rows in one batched statement; each id is told apart by (initiative, position), which is
    # unique in the batch (RETURNING need not keep the order of the rows).
    new_ids: dict[tuple[int, int], int] = {}
    if inserts:
        returning = insert(t.expected_results).returning(
            t.expected_results.c.id, t.expected_results.c.initiative_id, t.expected_results.c.position
        )
        new_ids = {(r.initiative_id, r.position): r.id for r in conn.execute(returning, inserts)}
    gone = [old.id for plan in plans for old in plan.withdrawn]
    for chunk in _chunks(gone):
        conn.execute(update(t.expected_results).where(t.expected_results.c.id.in_(chunk)).values(status="withdrawn"))
    reviewed = _with_reviewed_links(conn, gone)
    children: list[tuple[list[int], Any]] = []
    for plan in plans:
        version = plan.version
        by_id = {s.id: s for s in stored.get(plan.initiative_id, [])}
        ids = [
            p.result_id if p.result_id is not None else new_ids[(plan.initiative_id, position)]
            for position, p in enumerate(plan.pairing)
        ]
        for p, result in zip(plan.pairing, version.results, strict=True):
            if p.result_id is None or p.clear:
                continue
            old = by_id[p.result_id]
            _flag_match(conn, plan.initiative_id, old, version.source_id, result, p.score, "unclear")
            flags.append(
                (
                    version.source_id,
                    result["span"][0],
                    f"{plan.code} expected result {result['number']} was matched to the stored result {old.number} "
                    f"at {p.score:.0%} similarity; confirm or reject it with `rihub review matches`",
                )
            )
        for old in plan.withdrawn:
            if old.id not in reviewed:
                continue
            _flag_match(conn, plan.initiative_id, old, version.source_id, None, None, "withdrawn")
            flags.append(
                (
                    version.source_id,
                    None,
                    f"{plan.code} expected result {old.number} is no longer stated; it is kept as withdrawn with the "
                    "links people reviewed on it (`rihub review matches`)",
                )
            )
        children.append((ids, version))
    _replace_children(conn, children)


def _with_reviewed_links(conn: Connection, result_ids: Sequence[int]) -> set[int]:
    """Those of ``result_ids`` that carry a link a person made or reviewed."""
    found: set[int] = set()
    for chunk in _chunks(result_ids):
        found.update(
            conn.scalars(
                select(t.alignments.c.result_id)
                .where(t.alignments.c.result_id.in_(chunk))
                .where((t.alignments.c.provenance == "person") | (t.alignments.c.status != "proposed"))
                .distinct()
            )
        )
    return found


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


def _replace_children(conn: Connection, children: Sequence[tuple[list[int], Any]]) -> None:
    """Sub-items and footnotes are the document's words: the current version's replace the rest.

    ``children`` pairs each initiative's result ids with the version stating them, in order.
    """
    everyone = [result_id for result_ids, _ in children for result_id in result_ids]
    for chunk in _chunks(everyone):
        conn.execute(delete(t.sub_items).where(t.sub_items.c.result_id.in_(chunk)))
        conn.execute(delete(t.footnotes).where(t.footnotes.c.result_id.in_(chunk)))
    subs: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for result_ids, version in children:
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


def _sync_document_links(conn: Connection, versions: dict[int, Any]) -> None:
    """The report's own mapping, from the version that states one; people's links are left alone.

    ``versions``: initiative id → the version whose mapping counts. New links are inserted in
    batches, flushed before any delete so ids are handed out exactly as one by one.
    """
    from rihub.store.common import vocabulary_title

    existing: dict[int, dict[tuple[str, str], Any]] = defaultdict(dict)
    for chunk in _chunks(list(versions)):
        query = (
            select(t.alignments)
            .where(t.alignments.c.initiative_id.in_(chunk), t.alignments.c.result_id.is_(None))
            .order_by(t.alignments.c.initiative_id, t.alignments.c.id)
        )
        for a in conn.execute(query):
            existing[a.initiative_id][(a.framework, a.code)] = a
    stamp = now()
    updates: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        if pending:
            conn.execute(insert(t.alignments), pending)
            pending.clear()

    for initiative_id, version in versions.items():
        mine = existing.get(initiative_id, {})
        wanted = {(fw, code): (label, start, end) for fw, code, label, start, end in version.links}
        for key, stale in mine.items():
            if stale.provenance == "document" and key not in wanted:
                flush()
                conn.execute(delete(t.alignments).where(t.alignments.c.id == stale.id))
        for (fw, code), (label, start, end) in wanted.items():
            link = mine.get((fw, code))
            values = {"source_id": version.source_id, "span_start": start, "span_end": end}
            if link is not None and link.provenance == "document":
                updates.append({"b_id": link.id, **values})
                continue
            if link is not None and link.provenance == "model" and link.status == "proposed":
                flush()
                conn.execute(delete(t.alignment_events).where(t.alignment_events.c.alignment_id == link.id))
                conn.execute(delete(t.alignments).where(t.alignments.c.id == link.id))
            elif link is not None:
                continue  # a person already decided on this link; the document agrees or not, theirs stands
            pending.append(
                {
                    "initiative_id": initiative_id,
                    "result_id": None,
                    "framework": fw,
                    "code": code,
                    "label": label or vocabulary_title(fw, code) or f"{fw} {code}",
                    "provenance": "document",
                    "status": "accepted",
                    "score": None,
                    "evidence": {"source": "the report's own mapping table"},
                    "created_by": "ingest",
                    "created_at": stamp,
                    "updated_at": stamp,
                    **values,
                }
            )
    flush()
    if updates:
        conn.execute(update(t.alignments).where(t.alignments.c.id == bindparam("b_id")), updates)
