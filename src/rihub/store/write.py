"""Writing an ingested report: one transaction, idempotent, newer versions supersede older ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from rihub.model import REGIONS, UNKNOWN_CYCLE, Outline, Span, cycle_year
from rihub.store import schema as t
from rihub.store.common import insert_one, now
from rihub.store.versions import refresh_all


@dataclass(frozen=True)
class Finding:
    """A defect in a source document, for its editors."""

    code: str
    severity: str
    loc: int | None
    message: str
    excerpt: str = ""
    suggestion: str = ""


@dataclass(frozen=True)
class IngestOutcome:
    filename: str
    action: str  # ingested | unchanged | replaced
    source_id: int
    initiatives: int
    expected_results: int
    meetings: int
    replaced_id: int | None = None
    cycle: str = UNKNOWN_CYCLE
    stage: str = "draft"
    coverage: float = 1.0  # share of the source's characters read into a field (furniture aside)
    unassigned: int = 0  # paragraphs read into no field (rihub lint lists them)
    furniture: int = 0  # blocks removed as page furniture or contents


def seed_regions(conn: Connection) -> None:
    existing = set(conn.scalars(select(t.regions.c.code)))
    rows = [
        {"code": code, "name": name, "position": index}
        for index, (code, name) in enumerate(REGIONS.items())
        if code not in existing
    ]
    if rows:
        conn.execute(insert(t.regions), rows)


def _span(span: Span | None) -> dict[str, int | None]:
    return {"span_start": span.start if span else None, "span_end": span.end if span else None}


def _conference_id(conn: Connection, outline: Outline) -> int:
    """The cycle's row, created on first sight; a document naming no WTDC goes to the unknown cycle."""
    conf = outline.conference
    code = conf.code if conf else UNKNOWN_CYCLE
    found = conn.scalar(select(t.conferences.c.id).where(t.conferences.c.code == code))
    if conf is None:
        if found is not None:
            return int(found)
        return insert_one(conn, t.conferences, code=code, title="Cycle not named in the document", year=None)
    values = {
        "title": conf.title,
        "city": conf.city,
        "country": conf.country,
        "start_date": conf.start_date,
        "end_date": conf.end_date,
        "year": cycle_year(code),
    }
    if found is not None:
        # A document that does not say where and when keeps what another one said.
        known = {k: v for k, v in values.items() if v is not None and v != ""}
        conn.execute(update(t.conferences).where(t.conferences.c.id == found).values(**known))
        return int(found)
    return insert_one(conn, t.conferences, code=code, **values)


def save_outline(conn: Connection, outline: Outline, findings: Sequence[Finding] = ()) -> IngestOutcome:
    """Store one parsed report inside the caller's transaction.

    The same bytes again change nothing. Another copy of the same report (same key: cycle and
    regions covered) supersedes the older one. Either way the report adds a version to each
    initiative it states, and the stable initiative rows are refreshed to their current
    version (``store/versions.py``); nothing people entered is deleted.
    """
    source = outline.source
    seed_regions(conn)
    key = source.key or source.filename
    current = conn.execute(
        select(t.source_documents.c.id, t.source_documents.c.sha256).where(
            t.source_documents.c.key == key, t.source_documents.c.status == "current"
        )
    ).first()
    conference_id = _conference_id(conn, outline)
    cycle = str(conn.scalar(select(t.conferences.c.code).where(t.conferences.c.id == conference_id)))
    counts: dict[str, Any] = {
        "initiatives": len(outline.initiatives),
        "expected_results": outline.expected_result_count,
        "meetings": len(outline.meetings),
        "cycle": cycle,
        "stage": source.stage,
    }
    covered = outline.coverage()
    counts |= {"coverage": covered.share, "unassigned": len(covered.unassigned), "furniture": covered.furniture}
    if current is not None and current.sha256 == source.sha256:
        _event(conn, current.id, "unchanged", source.filename, source.sha256, "same content as already stored")
        return IngestOutcome(source.filename, "unchanged", current.id, **counts)
    source_id = insert_one(
        conn,
        t.source_documents,
        key=key,
        filename=source.filename,
        format=source.format,
        sha256=source.sha256,
        size=source.size,
        title=source.title,
        language=source.language,
        conference_id=conference_id,
        status="current",
        stage=source.stage,
        supersedes_id=current.id if current else None,
        ingested_at=now(),
    )
    touched = set(_retire(conn, current.id, source_id)) if current is not None else set()
    _insert_blocks(conn, source_id, outline)
    _save_meetings(conn, source_id, conference_id, outline)
    touched.update(_insert_versions(conn, source_id, conference_id, outline))
    flags: list[tuple[int, int | None, str]] = []
    refresh_all(conn, touched, flags)
    _insert_findings(conn, source_id, [*findings, *_match_findings(flags, source_id)])
    from rihub.store.lineage import propose_lineage

    propose_lineage(conn, conference_id)
    if current is not None:
        _event(conn, source_id, "replaced", source.filename, source.sha256, f"supersedes source #{current.id}")
        return IngestOutcome(source.filename, "replaced", source_id, replaced_id=current.id, **counts)
    _event(conn, source_id, "ingested", source.filename, source.sha256, "")
    return IngestOutcome(source.filename, "ingested", source_id, **counts)


def _match_findings(flags: list[tuple[int, int | None, str]], source_id: int) -> list[Finding]:
    return [Finding("result-match", "warning", loc, message) for sid, loc, message in flags if sid == source_id]


def _event(conn: Connection, source_id: int | None, action: str, filename: str, sha256: str, detail: str) -> None:
    conn.execute(
        insert(t.ingest_events).values(
            source_id=source_id, at=now(), action=action, filename=filename, sha256=sha256, detail=detail
        )
    )


def _insert_blocks(conn: Connection, source_id: int, outline: Outline) -> None:
    rows = [
        {
            "source_id": source_id,
            "position": position,
            "loc": block.loc,
            "end_loc": max(block.loc, block.end_loc),
            "kind": block.kind,
            "text": "\t".join(block.cells) if block.kind == "row" else block.text,
            "role": block.role[:16],
        }
        for position, block in enumerate(outline.blocks)
    ]
    if rows:
        conn.execute(insert(t.source_blocks), rows)


MEETING_FIELDS = (
    "start_date",
    "end_date",
    "city",
    "country",
    "report_label",
    "report_url",
    "report_placeholder",
    "video_label",
    "video_url",
    "video_placeholder",
    "contributions",
)


def _save_meetings(conn: Connection, source_id: int, conference_id: int, outline: Outline) -> None:
    """One meeting per cycle, region and kind: a later document updates what it states.

    Fields it leaves empty keep the earlier document's values; officers and documents reviewed
    are replaced only by a document that lists them (the last meeting of the document that lists
    them, should it tell of one meeting twice).
    """
    if not outline.meetings:
        return
    found = {
        (r.region_code, r.kind): int(r.id)
        for r in conn.execute(
            select(t.meetings.c.id, t.meetings.c.region_code, t.meetings.c.kind).where(
                t.meetings.c.conference_id == conference_id
            )
        )
    }
    officers: dict[int, list[dict[str, Any]]] = {}
    documents: dict[int, list[dict[str, Any]]] = {}
    for m in outline.meetings:
        stated = {f: getattr(m, f) for f in MEETING_FIELDS if getattr(m, f) is not None}
        meeting_id = found.get((m.region, m.kind))
        if meeting_id is None:
            meeting_id = insert_one(
                conn,
                t.meetings,
                source_id=source_id,
                conference_id=conference_id,
                region_code=m.region,
                kind=m.kind,
                **stated,
                **_span(m.span),
            )
            found[(m.region, m.kind)] = meeting_id
        else:
            conn.execute(
                update(t.meetings)
                .where(t.meetings.c.id == meeting_id)
                .values(source_id=source_id, **stated, **_span(m.span))
            )
        if m.officers:
            officers[meeting_id] = [
                {
                    "meeting_id": meeting_id,
                    "source_id": source_id,
                    "position": position,
                    "role": o.role,
                    "honorific": o.honorific,
                    "name": o.name,
                    "country": o.country,
                    **_span(o.span),
                }
                for position, o in enumerate(m.officers)
            ]
        if m.documents_reviewed:
            documents[meeting_id] = [
                {
                    "meeting_id": meeting_id,
                    "source_id": source_id,
                    "position": position,
                    "number": d.number,
                    "description": d.description,
                    **_span(d.span),
                }
                for position, d in enumerate(m.documents_reviewed)
            ]
    for table, replaced in ((t.officers, officers), (t.reviewed_documents, documents)):
        if replaced:
            conn.execute(delete(table).where(table.c.meeting_id.in_(list(replaced))))
            conn.execute(insert(table), [row for rows in replaced.values() for row in rows])


def _stable_initiative_ids(conn: Connection, conference_id: int, outline: Outline) -> dict[str, int]:
    """(cycle, code) → the stable initiative id, created on first sight."""
    codes = [i.code for i in outline.initiatives]
    known = {
        code: iid
        for code, iid in conn.execute(
            select(t.initiatives.c.code, t.initiatives.c.id).where(
                t.initiatives.c.conference_id == conference_id, t.initiatives.c.code.in_(codes)
            )
        )
    }
    fresh: dict[str, dict[str, Any]] = {}
    for position, i in enumerate(outline.initiatives):
        if i.code in known or i.code in fresh:
            continue
        fresh[i.code] = {
            "source_id": None,
            "conference_id": conference_id,
            "region_code": i.region,
            "code": i.code,
            "position": position,
            "kind": i.kind,
            "stage": outline.source.stage,
            "title": i.title,
            "status": "current",
        }
    if fresh:
        # One batched statement; each id is told apart by its code (RETURNING need not keep the order).
        returning = insert(t.initiatives).returning(t.initiatives.c.id, t.initiatives.c.code)
        known.update({r.code: r.id for r in conn.execute(returning, list(fresh.values()))})
    return known


def _insert_versions(conn: Connection, source_id: int, conference_id: int, outline: Outline) -> list[int]:
    """This document's statement of each initiative, as a version row; returns the initiative ids."""
    ids = _stable_initiative_ids(conn, conference_id, outline)
    stamp = now()
    rows = []
    for position, i in enumerate(outline.initiatives):
        rows.append(
            {
                "initiative_id": ids[i.code],
                "source_id": source_id,
                "stage": outline.source.stage,
                "position": position,
                "code": i.code,
                "kind": i.kind,
                "title": i.title,
                "objective": i.objective,
                "objective_kind": i.objective_kind,
                "results_lead_in": i.results_lead_in,
                "results": [
                    {
                        "number": r.number,
                        "text": r.text,
                        "span": [r.span.start, r.span.end],
                        "sub_items": [[s.label, s.text, s.span.start, s.span.end] for s in r.sub_items],
                        "footnotes": [[n.marker, n.text, n.span.start, n.span.end] for n in r.footnotes],
                    }
                    for r in i.expected_results
                ],
                "links": [[a.framework, a.code, a.label, a.span.start, a.span.end] for a in i.alignments],
                "created_at": stamp,
                **_span(i.span),
            }
        )
    if rows:
        conn.execute(insert(t.initiative_versions), rows)
    achieved = [
        {"initiative_id": ids[i.code], "source_id": source_id, "position": n, "text": a.text, **_span(a.span)}
        for i in outline.initiatives
        for n, a in enumerate(i.achieved_results)
    ]
    if achieved:
        conn.execute(insert(t.achieved_results), achieved)
    return list(ids.values())


def _insert_findings(conn: Connection, source_id: int, findings: Sequence[Finding]) -> None:
    rows = [
        {
            "source_id": source_id,
            "code": f.code,
            "severity": f.severity,
            "loc": f.loc,
            "message": f.message,
            "excerpt": f.excerpt,
            "suggestion": f.suggestion,
        }
        for f in findings
    ]
    if rows:
        conn.execute(insert(t.findings), rows)


def _retire(conn: Connection, old_source_id: int, new_source_id: int) -> list[int]:
    """Mark the older copy superseded; returns the initiatives it stated (to refresh).

    Its blocks and versions stay, so the older wording remains browsable; its findings go
    (they describe a text no longer current).
    """
    conn.execute(delete(t.findings).where(t.findings.c.source_id == old_source_id))
    conn.execute(update(t.source_documents).where(t.source_documents.c.id == old_source_id).values(status="superseded"))
    conn.execute(
        update(t.ingest_events)
        .where(t.ingest_events.c.source_id == old_source_id, t.ingest_events.c.action == "ingested")
        .values(detail=func.coalesce(t.ingest_events.c.detail, "") + f" (superseded by source #{new_source_id})")
    )
    return list(
        conn.scalars(
            select(t.initiative_versions.c.initiative_id).where(t.initiative_versions.c.source_id == old_source_id)
        )
    )
