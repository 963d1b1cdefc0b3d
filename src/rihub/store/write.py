"""Writing an ingested report: one transaction, idempotent, newer versions supersede older ones."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from rihub.model import REGIONS, Outline, Span
from rihub.store import schema as t

Row = dict[str, Any]


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


@functools.cache
def _titles() -> dict[tuple[str, str], str]:
    from rihub import frameworks

    return {(i.framework, i.code): i.title for i in frameworks.all_items()}


def vocabulary_title(framework: str, code: str) -> str | None:
    """The shipped vocabulary's title of a framework item ("SDG 9" → "Industry, innovation…")."""
    return _titles().get((framework, code))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


def _insert_one(conn: Connection, table: Any, **values: Any) -> int:
    key = conn.execute(insert(table).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def _ids(conn: Connection, table: Any, rows: list[dict[str, Any]], key: tuple[str, ...]) -> list[int]:
    """Insert rows of one source in a single batch and return their ids in the order given.

    The ids are read back by a key unique within the source (cheaper than RETURNING row by row).
    """
    if not rows:
        return []
    conn.execute(insert(table), rows)
    columns = [table.c[name] for name in key]
    found = conn.execute(select(table.c.id, *columns).where(table.c.source_id == rows[0]["source_id"]))
    by_key = {tuple(r[1:]): r[0] for r in found}
    return [by_key[tuple(row[name] for name in key)] for row in rows]


def _conference_id(conn: Connection, outline: Outline) -> int | None:
    conf = outline.conference
    if conf is None:
        return None
    values = {
        "title": conf.title,
        "city": conf.city,
        "country": conf.country,
        "start_date": conf.start_date,
        "end_date": conf.end_date,
    }
    found = conn.scalar(select(t.conferences.c.id).where(t.conferences.c.code == conf.code))
    if found is not None:
        conn.execute(update(t.conferences).where(t.conferences.c.id == found).values(**values))
        return int(found)
    return _insert_one(conn, t.conferences, code=conf.code, **values)


def save_outline(conn: Connection, outline: Outline, findings: Sequence[Finding] = ()) -> IngestOutcome:
    """Store one parsed report inside the caller's transaction.

    The same bytes again change nothing. Another version of the same report (same key:
    conference and regions covered) replaces the older rows; reviewed alignments that
    people or the model added to the older rows move over to the matching new rows.
    """
    source = outline.source
    seed_regions(conn)
    current = conn.execute(
        select(t.source_documents.c.id, t.source_documents.c.sha256).where(
            t.source_documents.c.key == (source.key or source.filename), t.source_documents.c.status == "current"
        )
    ).first()
    counts = {
        "initiatives": len(outline.initiatives),
        "expected_results": outline.expected_result_count,
        "meetings": len(outline.meetings),
    }
    if current is not None and current.sha256 == source.sha256:
        _event(conn, current.id, "unchanged", source.filename, source.sha256, "same content as already stored")
        return IngestOutcome(source.filename, "unchanged", current.id, **counts)
    conference_id = _conference_id(conn, outline)
    source_id = _insert_one(
        conn,
        t.source_documents,
        key=source.key or source.filename,
        filename=source.filename,
        format=source.format,
        sha256=source.sha256,
        size=source.size,
        title=source.title,
        language=source.language,
        conference_id=conference_id,
        status="current",
        supersedes_id=current.id if current else None,
        ingested_at=now(),
    )
    reviewed: list[tuple[Row, list[Row]]] = []
    if current is not None:
        reviewed = _reviewed_alignments(conn, current.id)
        _retire(conn, current.id, source_id)
    if conference_id is not None:
        _release_codes(conn, conference_id, [i.code for i in outline.initiatives])
    _insert_blocks(conn, source_id, outline)
    _insert_meetings(conn, source_id, conference_id, outline)
    keys = _insert_initiatives(conn, source_id, conference_id, outline)
    _insert_findings(conn, source_id, findings)
    if current is not None:
        _restore_alignments(conn, reviewed, keys)
        _event(conn, source_id, "replaced", source.filename, source.sha256, f"supersedes source #{current.id}")
        return IngestOutcome(source.filename, "replaced", source_id, replaced_id=current.id, **counts)
    _event(conn, source_id, "ingested", source.filename, source.sha256, "")
    return IngestOutcome(source.filename, "ingested", source_id, **counts)


def _event(conn: Connection, source_id: int | None, action: str, filename: str, sha256: str, detail: str) -> None:
    conn.execute(
        insert(t.ingest_events).values(
            source_id=source_id, at=now(), action=action, filename=filename, sha256=sha256, detail=detail
        )
    )


def _release_codes(conn: Connection, conference_id: int, codes: list[str]) -> None:
    """A different report restating initiatives of the same cycle takes them over."""
    old_sources = set(
        conn.scalars(
            select(t.initiatives.c.source_id).where(
                t.initiatives.c.conference_id == conference_id, t.initiatives.c.code.in_(codes)
            )
        )
    )
    for old in old_sources:
        conn.execute(
            delete(t.initiatives).where(and_(t.initiatives.c.source_id == old, t.initiatives.c.code.in_(codes)))
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
        }
        for position, block in enumerate(outline.blocks)
    ]
    if rows:
        conn.execute(insert(t.source_blocks), rows)


def _insert_meetings(conn: Connection, source_id: int, conference_id: int | None, outline: Outline) -> None:
    meeting_rows = [
        {
            "source_id": source_id,
            "conference_id": conference_id,
            "region_code": m.region,
            "kind": m.kind,
            "start_date": m.start_date,
            "end_date": m.end_date,
            "city": m.city,
            "country": m.country,
            "report_label": m.report_label,
            "video_label": m.video_label,
            "contributions": m.contributions,
            **_span(m.span),
        }
        for m in outline.meetings
    ]
    officer_rows: list[dict[str, Any]] = []
    document_rows: list[dict[str, Any]] = []
    for meeting_id, meeting in zip(
        _ids(conn, t.meetings, meeting_rows, ("region_code",)), outline.meetings, strict=True
    ):
        for position, o in enumerate(meeting.officers):
            officer_rows.append(
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
            )
        for position, d in enumerate(meeting.documents_reviewed):
            document_rows.append(
                {
                    "meeting_id": meeting_id,
                    "source_id": source_id,
                    "position": position,
                    "number": d.number,
                    "description": d.description,
                    **_span(d.span),
                }
            )
    if officer_rows:
        conn.execute(insert(t.officers), officer_rows)
    if document_rows:
        conn.execute(insert(t.reviewed_documents), document_rows)


def _insert_initiatives(
    conn: Connection, source_id: int, conference_id: int | None, outline: Outline
) -> dict[tuple[str, int | None], tuple[int, int | None]]:
    """Insert initiatives and their children; returns (code, result number) → (initiative id, result id)."""
    stamp = now()
    initiative_rows = [
        {
            "source_id": source_id,
            "conference_id": conference_id,
            "region_code": i.region,
            "code": i.code,
            "position": position,
            "kind": i.kind,
            "stage": i.stage,
            "title": i.title,
            "objective": i.objective,
            "objective_kind": i.objective_kind,
            "results_lead_in": i.results_lead_in,
            **_span(i.span),
        }
        for position, i in enumerate(outline.initiatives)
    ]
    keys: dict[tuple[str, int | None], tuple[int, int | None]] = {}
    result_rows: list[dict[str, Any]] = []
    owners: list[tuple[int, Any]] = []
    alignment_rows: list[dict[str, Any]] = []
    initiative_ids = _ids(conn, t.initiatives, initiative_rows, ("position",))
    code_of = {iid: i.code for iid, i in zip(initiative_ids, outline.initiatives, strict=True)}
    for initiative_id, initiative in zip(initiative_ids, outline.initiatives, strict=True):
        keys[(initiative.code, None)] = (initiative_id, None)
        for position, r in enumerate(initiative.expected_results):
            result_rows.append(
                {
                    "initiative_id": initiative_id,
                    "source_id": source_id,
                    "position": position,
                    "number": r.number,
                    "text": r.text,
                    **_span(r.span),
                }
            )
            owners.append((initiative_id, r))
        for a in initiative.alignments:
            alignment_rows.append(
                {
                    "initiative_id": initiative_id,
                    "result_id": None,
                    "framework": a.framework,
                    "code": a.code,
                    "label": a.label or vocabulary_title(a.framework, a.code) or f"{a.framework} {a.code}",
                    "provenance": "document",
                    "status": "accepted",
                    "score": None,
                    "evidence": {"source": "the report's own mapping table"},
                    "created_by": "ingest",
                    "created_at": stamp,
                    "updated_at": stamp,
                    **_span(a.span),
                }
            )
    sub_rows: list[dict[str, Any]] = []
    note_rows: list[dict[str, Any]] = []
    for result_id, (initiative_id, r) in zip(
        _ids(conn, t.expected_results, result_rows, ("initiative_id", "position")), owners, strict=True
    ):
        keys[(code_of[initiative_id], r.number)] = (initiative_id, result_id)
        for position, s in enumerate(r.sub_items):
            sub_rows.append(
                {
                    "result_id": result_id,
                    "source_id": source_id,
                    "position": position,
                    "label": s.label,
                    "text": s.text,
                    **_span(s.span),
                }
            )
        for n in r.footnotes:
            note_rows.append(
                {"result_id": result_id, "source_id": source_id, "marker": n.marker, "text": n.text, **_span(n.span)}
            )
    for table, rows in ((t.sub_items, sub_rows), (t.footnotes, note_rows), (t.alignments, alignment_rows)):
        if rows:
            conn.execute(insert(table), rows)
    return keys


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


def _reviewed_alignments(conn: Connection, old_source_id: int) -> list[tuple[Row, list[Row]]]:
    """Model and person alignments of the old version, with their review history."""
    found = conn.execute(
        select(t.alignments, t.initiatives.c.code.label("initiative_code"), t.expected_results.c.number.label("number"))
        .join(t.initiatives, t.initiatives.c.id == t.alignments.c.initiative_id)
        .outerjoin(t.expected_results, t.expected_results.c.id == t.alignments.c.result_id)
        .where(t.initiatives.c.source_id == old_source_id, t.alignments.c.provenance != "document")
    ).all()
    out = []
    for row in found:
        events = conn.execute(
            select(t.alignment_events)
            .where(t.alignment_events.c.alignment_id == row.id)
            .order_by(t.alignment_events.c.id)
        ).all()
        out.append((dict(row._mapping), [dict(e._mapping) for e in events]))
    return out


def _restore_alignments(
    conn: Connection, reviewed: list[tuple[Row, list[Row]]], keys: dict[tuple[str, int | None], tuple[int, int | None]]
) -> None:
    """Re-attach reviewed links to the new rows with the same code and number; history comes along."""
    for link, events in reviewed:
        target = keys.get((link["initiative_code"], link["number"]))
        if target is None:
            continue
        values = {k: v for k, v in link.items() if k not in ("id", "initiative_code", "number")}
        values.update(initiative_id=target[0], result_id=target[1])
        new_id = _insert_one(conn, t.alignments, **values)
        for event in events:
            conn.execute(
                insert(t.alignment_events).values(
                    **({k: v for k, v in event.items() if k != "id"} | {"alignment_id": new_id})
                )
            )


def _retire(conn: Connection, old_source_id: int, new_source_id: int) -> None:
    """Mark the older version superseded and drop the rows extracted from it (its record stays)."""
    for table in (t.initiatives, t.meetings, t.findings, t.source_blocks):
        conn.execute(delete(table).where(table.c.source_id == old_source_id))
    conn.execute(update(t.source_documents).where(t.source_documents.c.id == old_source_id).values(status="superseded"))
    conn.execute(
        update(t.ingest_events)
        .where(t.ingest_events.c.source_id == old_source_id, t.ingest_events.c.action == "ingested")
        .values(detail=func.coalesce(t.ingest_events.c.detail, "") + f" (superseded by source #{new_source_id})")
    )
