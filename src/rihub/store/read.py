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


def source_documents(conn: Connection, source_id: int | None = None, conference: str | None = None) -> list[Row]:
    """Source documents, newest first: one, those of one cycle (``conference``), or all."""
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
        t.source_documents.c.stage,
        t.source_documents.c.supersedes_id,
        t.source_documents.c.ingested_at,
        t.conferences.c.code.label("conference"),
    ).outerjoin(t.conferences, t.conferences.c.id == t.source_documents.c.conference_id)
    if source_id is not None:
        query = query.where(t.source_documents.c.id == source_id)
    if conference is not None:
        query = query.where(t.source_documents.c.conference_id == _cycle_id(conference))
    return rows(conn, query.order_by(t.source_documents.c.id.desc()))


def _cycle_id(conference: str) -> Any:
    """The id of the cycle with this code, as a scalar subquery (an index search on the code)."""
    return select(t.conferences.c.id).where(t.conferences.c.code == conference).scalar_subquery()


def conferences(conn: Connection, code: str | None = None) -> list[Row]:
    """Cycles newest first (by the conference's year; a cycle no document named comes last); or the one
    with ``code``."""
    query = select(t.conferences).order_by(t.conferences.c.year.desc().nulls_last(), t.conferences.c.id)
    if code is not None:
        query = query.where(t.conferences.c.code == code)
    return rows(conn, query)


def latest_cycle(conn: Connection) -> str | None:
    """The newest cycle that holds initiatives: what every read surface shows by default."""
    code = conn.scalar(
        select(t.conferences.c.code)
        .where(select(t.initiatives.c.id).where(t.initiatives.c.conference_id == t.conferences.c.id).exists())
        .order_by(t.conferences.c.year.desc().nulls_last(), t.conferences.c.id.desc())
        .limit(1)
    )
    return str(code) if code is not None else None


def cycle_exists(conn: Connection, code: str) -> bool:
    return conn.scalar(select(t.conferences.c.id).where(t.conferences.c.code == code)) is not None


def cycles_of(conn: Connection, code: str) -> list[Row]:
    """Every cycle holding an initiative with this code, newest first: "the same code elsewhere"."""
    query = (
        select(t.conferences.c.code.label("cycle"), t.initiatives.c.id, t.initiatives.c.title, t.initiatives.c.status)
        .join(t.conferences, t.conferences.c.id == t.initiatives.c.conference_id)
        .where(t.initiatives.c.code == code.upper())
        .order_by(t.conferences.c.year.desc().nulls_last(), t.conferences.c.id)
    )
    return rows(conn, query)


def current_cycles_of(conn: Connection, code: str) -> list[tuple[str, int]]:
    """(cycle, initiative id) of every current initiative with this code, newest cycle first.

    One lean query (tuples, not dicts): an initiative page reads it on every request, and a code
    recurs in every cycle of the registry.
    """
    query = (
        select(t.conferences.c.code, t.initiatives.c.id)
        .join(t.conferences, t.conferences.c.id == t.initiatives.c.conference_id)
        .where(t.initiatives.c.code == code.upper(), t.initiatives.c.status == "current")
        .order_by(t.conferences.c.year.desc().nulls_last(), t.conferences.c.id)
    )
    return [(str(c), int(i)) for c, i in conn.execute(query)]


def versions(conn: Connection, initiative_id: int) -> list[Row]:
    """Every document's statement of one initiative, oldest first, with its document and stage."""
    query = (
        select(
            t.initiative_versions,
            t.source_documents.c.filename,
            t.source_documents.c.status.label("source_status"),
            t.source_documents.c.ingested_at,
        )
        .join(t.source_documents, t.source_documents.c.id == t.initiative_versions.c.source_id)
        .where(t.initiative_versions.c.initiative_id == initiative_id)
        .order_by(t.initiative_versions.c.source_id)
    )
    return rows(conn, query)


def version(conn: Connection, version_id: int) -> Row | None:
    found = rows(conn, select(t.initiative_versions).where(t.initiative_versions.c.id == version_id))
    return found[0] if found else None


def versions_of_source(conn: Connection, source_id: int) -> list[Row]:
    query = (
        select(t.initiative_versions, t.initiatives.c.region_code.label("region"))
        .join(t.initiatives, t.initiatives.c.id == t.initiative_versions.c.initiative_id)
        .where(t.initiative_versions.c.source_id == source_id)
        .order_by(t.initiative_versions.c.position)
    )
    return rows(conn, query)


def result_matches(conn: Connection, status: str | None = None, match_id: int | None = None) -> list[Row]:
    """Result matches waiting for a person (or decided), with the initiative they concern."""
    query = (
        select(t.result_matches, t.initiatives.c.code, t.conferences.c.code.label("cycle"))
        .join(t.initiatives, t.initiatives.c.id == t.result_matches.c.initiative_id)
        .join(t.conferences, t.conferences.c.id == t.initiatives.c.conference_id)
        .order_by(t.result_matches.c.id)
    )
    if status:
        query = query.where(t.result_matches.c.status == status)
    if match_id is not None:
        query = query.where(t.result_matches.c.id == match_id)
    return rows(conn, query)


def regions(conn: Connection) -> list[Row]:
    return rows(conn, select(t.regions).order_by(t.regions.c.position))


def meetings(conn: Connection, region: str | None = None, conference: str | None = None) -> list[Row]:
    """Meetings with their officers and documents reviewed, in chronological order."""
    query = (
        select(t.meetings, t.regions.c.name.label("region_name"), t.conferences.c.code.label("conference"))
        .join(t.regions, t.regions.c.code == t.meetings.c.region_code)
        .outerjoin(t.conferences, t.conferences.c.id == t.meetings.c.conference_id)
        .order_by(t.meetings.c.start_date.nulls_last(), t.regions.c.position)
    )
    if region:
        query = query.where(t.meetings.c.region_code == region.upper())
    if conference:
        query = query.where(t.conferences.c.code == conference)
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


def _initiative_filter(
    query: Select[Any],
    region: str | None,
    kind: str | None,
    codes: Iterable[str] | None,
    conference: str | None,
    ids: Iterable[int] | None = None,
) -> Select[Any]:
    query = query.where(t.initiatives.c.status == "current")
    if region:
        query = query.where(t.initiatives.c.region_code == region.upper())
    if kind:
        query = query.where(t.initiatives.c.kind == kind)
    if codes is not None:
        query = query.where(t.initiatives.c.code.in_([c.upper() for c in codes]))
    if conference:
        query = query.where(t.initiatives.c.conference_id == _cycle_id(conference))
    if ids is not None:
        query = query.where(t.initiatives.c.id.in_(list(ids)))
    return query


def count_initiatives(
    conn: Connection,
    region: str | None = None,
    kind: str | None = None,
    codes: Iterable[str] | None = None,
    conference: str | None = None,
) -> int:
    query = _initiative_filter(select(func.count()).select_from(t.initiatives), region, kind, codes, conference)
    return int(conn.scalar(query) or 0)


def initiatives(
    conn: Connection,
    region: str | None = None,
    kind: str | None = None,
    codes: Iterable[str] | None = None,
    conference: str | None = None,
    nested: bool = True,
    limit: int | None = None,
    offset: int = 0,
    ids: Iterable[int] | None = None,
) -> list[Row]:
    """Current initiatives in cycle and document order, with expected results, sub-items,
    footnotes and alignments; ``limit``/``offset`` page in SQL."""
    query = (
        select(t.initiatives, t.conferences.c.code.label("conference"), t.regions.c.name.label("region_name"))
        .join(t.conferences, t.conferences.c.id == t.initiatives.c.conference_id)
        .join(t.regions, t.regions.c.code == t.initiatives.c.region_code)
        .order_by(
            t.conferences.c.year.desc().nulls_last(),
            t.initiatives.c.conference_id,
            t.regions.c.position,
            t.initiatives.c.position,
            t.initiatives.c.id,
        )
    )
    query = _initiative_filter(query, region, kind, codes, conference, ids)
    if limit is not None:
        query = query.limit(limit).offset(offset)
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
            "status": i["status"],
            "title": i["title"],
            "objective": i["objective"],
            "objective_kind": i["objective_kind"],
            "results_lead_in": i["results_lead_in"],
            "field_sources": i["field_sources"] or {},
            "span": _span(i),
        }
        if not nested:
            item["expected_result_count"] = counts.get(i["id"], 0)
            out.append(item)
            continue
        by_result: dict[int | None, list[Row]] = defaultdict(list)
        for link in links[i["id"]]:
            by_result[link["result_id"]].append(_alignment(link))
        stated = [
            {
                "id": r["id"],
                "number": r["number"],
                "text": r["text"],
                "status": r["status"],
                "sub_items": [{"label": s["label"], "text": s["text"], "span": _span(s)} for s in subs[r["id"]]],
                "footnotes": [{"marker": n["marker"], "text": n["text"]} for n in notes[r["id"]]],
                "alignments": by_result[r["id"]],
                "span": _span(r),
            }
            for r in results[i["id"]]
        ]
        item["expected_results"] = [r for r in stated if r["status"] == "current"]
        # No longer stated by the current version, kept with the links people made on them.
        item["withdrawn_results"] = [r for r in stated if r["status"] != "current"]
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
        .where(t.expected_results.c.initiative_id.in_(ids), t.expected_results.c.status == "current")
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


def stats(conn: Connection, conference: str | None = None) -> dict[str, Any]:
    """Counts per region and totals for one cycle (all cycles when None): `rihub stats` and the home page."""
    cycle_id = _cycle_id(conference) if conference else None
    current = [t.initiatives.c.status == "current"]
    if cycle_id is not None:
        current.append(t.initiatives.c.conference_id == cycle_id)
    in_cycle = [t.meetings.c.conference_id == cycle_id] if cycle_id is not None else []
    results = t.expected_results.join(t.initiatives, t.initiatives.c.id == t.expected_results.c.initiative_id)
    result_ok = [*current, t.expected_results.c.status == "current"]

    def count(table: Any, *where: Any) -> int:
        return int(conn.scalar(select(func.count()).select_from(table).where(*where)) or 0)

    def grouped(table: Any, key: Any, *where: Any) -> dict[str, int]:
        query = select(key, func.count()).select_from(table).where(*where).group_by(key)
        return {str(k): int(n) for k, n in conn.execute(query)}

    meeting_join = t.meetings
    per_kind = {
        kind: grouped(t.initiatives, t.initiatives.c.region_code, *current, t.initiatives.c.kind == kind)
        for kind in ("initiative", "priority")
    }
    per_results = grouped(results, t.initiatives.c.region_code, *result_ok)
    officer_join = t.officers.join(meeting_join, t.meetings.c.id == t.officers.c.meeting_id)
    document_join = t.reviewed_documents.join(meeting_join, t.meetings.c.id == t.reviewed_documents.c.meeting_id)
    per_officers = grouped(officer_join, t.meetings.c.region_code, *in_cycle)
    per_documents = grouped(document_join, t.meetings.c.region_code, *in_cycle)
    per_region = [
        {
            "region": r["code"],
            "name": r["name"],
            "initiatives": per_kind["initiative"].get(r["code"], 0),
            "priorities": per_kind["priority"].get(r["code"], 0),
            "expected_results": per_results.get(r["code"], 0),
            "officers": per_officers.get(r["code"], 0),
            "documents_reviewed": per_documents.get(r["code"], 0),
        }
        for r in regions(conn)
    ]
    subs = t.sub_items.join(t.expected_results, t.expected_results.c.id == t.sub_items.c.result_id).join(
        t.initiatives, t.initiatives.c.id == t.expected_results.c.initiative_id
    )
    notes = t.footnotes.join(t.expected_results, t.expected_results.c.id == t.footnotes.c.result_id).join(
        t.initiatives, t.initiatives.c.id == t.expected_results.c.initiative_id
    )
    links = t.alignments.join(t.initiatives, t.initiatives.c.id == t.alignments.c.initiative_id)
    sources = [t.source_documents.c.status == "current"]
    if cycle_id is not None:
        sources.append(t.source_documents.c.conference_id == cycle_id)
    return {
        "cycle": conference,
        "source_documents": count(t.source_documents, *sources),
        "meetings": count(t.meetings, *in_cycle),
        "officers": count(officer_join, *in_cycle),
        "chairs": count(officer_join, *in_cycle, t.officers.c.role == "chair"),
        "vice_chairs": count(officer_join, *in_cycle, t.officers.c.role == "vice-chair"),
        "documents_reviewed": count(document_join, *in_cycle),
        "initiatives": count(t.initiatives, *current, t.initiatives.c.kind == "initiative"),
        "priorities": count(t.initiatives, *current, t.initiatives.c.kind == "priority"),
        "expected_results": count(results, *result_ok),
        "sub_items": count(subs, *result_ok),
        "footnotes": count(notes, *result_ok),
        "alignments": count(links, *current),
        "document_alignments": count(links, *current, t.alignments.c.provenance == "document"),
        "findings": count(
            t.findings.join(t.source_documents, t.source_documents.c.id == t.findings.c.source_id), *sources
        ),
        "regions": per_region,
    }
