"""Reading the registry back as plain JSON-able dicts: one set of queries for CLI, web and export."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Select, func, select

from rihub.store import schema as t

Row = dict[str, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC).isoformat() if value.tzinfo is None else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def rows(conn: Connection, query: Select[Any]) -> list[Row]:
    return [{k: _plain(v) for k, v in r._mapping.items()} for r in conn.execute(query)]


def _span(row: Row) -> Row:
    return {"source_id": row.get("source_id"), "start": row.pop("span_start", None), "end": row.pop("span_end", None)}


def source_documents(conn: Connection, source_id: int | None = None) -> list[Row]:
    query = select(
        t.source_documents.c.id,
        t.source_documents.c.key,
        t.source_documents.c.filename,
        t.source_documents.c.format,
        t.source_documents.c.sha256,
        t.source_documents.c.size,
        t.source_documents.c.title,
        t.source_documents.c.language,
        t.source_documents.c.status,
        t.source_documents.c.supersedes_id,
        t.source_documents.c.ingested_at,
        t.conferences.c.code.label("conference"),
    ).outerjoin(t.conferences, t.conferences.c.id == t.source_documents.c.conference_id)
    if source_id is not None:
        query = query.where(t.source_documents.c.id == source_id)
    return rows(conn, query.order_by(t.source_documents.c.id.desc()))


def conferences(conn: Connection) -> list[Row]:
    return rows(conn, select(t.conferences).order_by(t.conferences.c.start_date.desc().nulls_last()))


def regions(conn: Connection) -> list[Row]:
    return rows(conn, select(t.regions).order_by(t.regions.c.position))


def meetings(conn: Connection, region: str | None = None) -> list[Row]:
    """Meetings with their officers and documents reviewed, in chronological order."""
    query = (
        select(t.meetings, t.regions.c.name.label("region_name"), t.conferences.c.code.label("conference"))
        .join(t.regions, t.regions.c.code == t.meetings.c.region_code)
        .outerjoin(t.conferences, t.conferences.c.id == t.meetings.c.conference_id)
        .order_by(t.meetings.c.start_date.nulls_last(), t.regions.c.position)
    )
    if region:
        query = query.where(t.meetings.c.region_code == region.upper())
    found = rows(conn, query)
    ids = [m["id"] for m in found]
    officers = _grouped(conn, t.officers, t.officers.c.meeting_id, ids)
    documents = _grouped(conn, t.reviewed_documents, t.reviewed_documents.c.meeting_id, ids)
    out = []
    for m in found:
        out.append(
            {
                "id": m["id"],
                "region": m["region_code"],
                "region_name": m["region_name"],
                "conference": m["conference"],
                "kind": m["kind"],
                "city": m["city"],
                "country": m["country"],
                "start_date": m["start_date"],
                "end_date": m["end_date"],
                "report_label": m["report_label"],
                "video_label": m["video_label"],
                "officers": [
                    {k: o[k] for k in ("role", "honorific", "name", "country")} | {"span": _span(o)}
                    for o in officers[m["id"]]
                ],
                "documents_reviewed": [
                    {"number": d["number"], "description": d["description"], "span": _span(d)}
                    for d in documents[m["id"]]
                ],
                "contributions": m["contributions"],
                "span": _span(m),
            }
        )
    return out


def _grouped(conn: Connection, table: Any, key: Any, ids: Iterable[int]) -> dict[int, list[Row]]:
    ids = list(ids)
    grouped: dict[int, list[Row]] = defaultdict(list)
    if not ids:
        return grouped
    order = [table.c.position] if "position" in table.c else [table.c.id]
    for row in rows(conn, select(table).where(key.in_(ids)).order_by(key, *order)):
        grouped[row[key.name]].append(row)
    return grouped


def initiatives(
    conn: Connection,
    region: str | None = None,
    kind: str | None = None,
    codes: Iterable[str] | None = None,
    conference: str | None = None,
    nested: bool = True,
) -> list[Row]:
    """Initiatives in document order, with expected results, sub-items, footnotes and alignments."""
    query = (
        select(t.initiatives, t.conferences.c.code.label("conference"), t.regions.c.name.label("region_name"))
        .outerjoin(t.conferences, t.conferences.c.id == t.initiatives.c.conference_id)
        .join(t.regions, t.regions.c.code == t.initiatives.c.region_code)
        .order_by(t.initiatives.c.source_id, t.initiatives.c.position)
    )
    if region:
        query = query.where(t.initiatives.c.region_code == region.upper())
    if kind:
        query = query.where(t.initiatives.c.kind == kind)
    if codes is not None:
        query = query.where(t.initiatives.c.code.in_([c.upper() for c in codes]))
    if conference:
        query = query.where(t.conferences.c.code == conference)
    found = rows(conn, query)
    ids = [i["id"] for i in found]
    results = _grouped(conn, t.expected_results, t.expected_results.c.initiative_id, ids) if nested else {}
    result_ids = [r["id"] for group in results.values() for r in group]
    subs = _grouped(conn, t.sub_items, t.sub_items.c.result_id, result_ids)
    notes = _grouped(conn, t.footnotes, t.footnotes.c.result_id, result_ids)
    links = _grouped(conn, t.alignments, t.alignments.c.initiative_id, ids) if nested else {}
    counts = _result_counts(conn, ids) if not nested else {}
    out = []
    for i in found:
        item: Row = {
            "id": i["id"],
            "code": i["code"],
            "region": i["region_code"],
            "region_name": i["region_name"],
            "conference": i["conference"],
            "kind": i["kind"],
            "stage": i["stage"],
            "title": i["title"],
            "objective": i["objective"],
            "objective_kind": i["objective_kind"],
            "results_lead_in": i["results_lead_in"],
            "span": _span(i),
        }
        if not nested:
            item["expected_result_count"] = counts.get(i["id"], 0)
            out.append(item)
            continue
        by_result: dict[int | None, list[Row]] = defaultdict(list)
        for link in links[i["id"]]:
            by_result[link["result_id"]].append(_alignment(link))
        item["expected_results"] = [
            {
                "id": r["id"],
                "number": r["number"],
                "text": r["text"],
                "sub_items": [{"label": s["label"], "text": s["text"], "span": _span(s)} for s in subs[r["id"]]],
                "footnotes": [{"marker": n["marker"], "text": n["text"]} for n in notes[r["id"]]],
                "alignments": by_result[r["id"]],
                "span": _span(r),
            }
            for r in results[i["id"]]
        ]
        item["alignments"] = by_result[None]
        out.append(item)
    return out


def _alignment(link: Row) -> Row:
    return {
        "id": link["id"],
        "framework": link["framework"],
        "code": link["code"],
        "label": link["label"],
        "provenance": link["provenance"],
        "status": link["status"],
        "score": link["score"],
        "evidence": link["evidence"],
        "created_by": link["created_by"],
        "updated_at": link["updated_at"],
    }


def _result_counts(conn: Connection, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    query = (
        select(t.expected_results.c.initiative_id, func.count())
        .where(t.expected_results.c.initiative_id.in_(ids))
        .group_by(t.expected_results.c.initiative_id)
    )
    return {row[0]: row[1] for row in conn.execute(query)}


def source_blocks(conn: Connection, source_id: int) -> list[Row]:
    query = select(t.source_blocks).where(t.source_blocks.c.source_id == source_id).order_by(t.source_blocks.c.position)
    return rows(conn, query)


def findings(conn: Connection, source_id: int | None = None) -> list[Row]:
    query = (
        select(t.findings, t.source_documents.c.filename)
        .join(t.source_documents, t.source_documents.c.id == t.findings.c.source_id)
        .order_by(t.findings.c.source_id, t.findings.c.loc, t.findings.c.id)
    )
    if source_id is not None:
        query = query.where(t.findings.c.source_id == source_id)
    return rows(conn, query)


def ingest_events(conn: Connection) -> list[Row]:
    return rows(conn, select(t.ingest_events).order_by(t.ingest_events.c.id.desc()))


def stats(conn: Connection) -> dict[str, Any]:
    """Counts per region and totals: what `rihub stats` and the home page show."""

    def count(table: Any, *where: Any) -> int:
        return int(conn.scalar(select(func.count()).select_from(table).where(*where)) or 0)

    per_region = []
    for region in regions(conn):
        code = region["code"]
        init_ids = select(t.initiatives.c.id).where(t.initiatives.c.region_code == code)
        meeting_ids = select(t.meetings.c.id).where(t.meetings.c.region_code == code)
        per_region.append(
            {
                "region": code,
                "name": region["name"],
                "initiatives": count(
                    t.initiatives, t.initiatives.c.region_code == code, t.initiatives.c.kind == "initiative"
                ),
                "priorities": count(
                    t.initiatives, t.initiatives.c.region_code == code, t.initiatives.c.kind == "priority"
                ),
                "expected_results": count(t.expected_results, t.expected_results.c.initiative_id.in_(init_ids)),
                "officers": count(t.officers, t.officers.c.meeting_id.in_(meeting_ids)),
                "documents_reviewed": count(t.reviewed_documents, t.reviewed_documents.c.meeting_id.in_(meeting_ids)),
            }
        )
    return {
        "source_documents": count(t.source_documents, t.source_documents.c.status == "current"),
        "meetings": count(t.meetings),
        "officers": count(t.officers),
        "chairs": count(t.officers, t.officers.c.role == "chair"),
        "vice_chairs": count(t.officers, t.officers.c.role == "vice-chair"),
        "documents_reviewed": count(t.reviewed_documents),
        "initiatives": count(t.initiatives, t.initiatives.c.kind == "initiative"),
        "priorities": count(t.initiatives, t.initiatives.c.kind == "priority"),
        "expected_results": count(t.expected_results),
        "sub_items": count(t.sub_items),
        "footnotes": count(t.footnotes),
        "alignments": count(t.alignments),
        "document_alignments": count(t.alignments, t.alignments.c.provenance == "document"),
        "findings": count(t.findings),
        "regions": per_region,
    }
