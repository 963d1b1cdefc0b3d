"""Reading the registry back as typed records (:mod:`rihub.records`): one set of queries for CLI, web and export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeVar, overload

from pydantic import BaseModel
from sqlalchemy import Connection, Select, func, select

from rihub.errors import NotFoundError
from rihub.model import UNKNOWN_CYCLE
from rihub.records import (
    AchievedResult,
    Alignment,
    Block,
    Cycle,
    ExpectedResult,
    Footnote,
    IngestEvent,
    InitiativeNested,
    InitiativeSummary,
    Meeting,
    Officer,
    Region,
    RegionCounts,
    ResultMatch,
    ReviewedDocument,
    SourceDocument,
    SourceFinding,
    Span,
    Stats,
    SubItem,
    Version,
    VersionStatement,
)
from rihub.store import schema as t

Row = dict[str, Any]  # a database row by column name, before it becomes a record
R = TypeVar("R", bound=BaseModel)


def _rows(conn: Connection, query: Select[Any]) -> list[Row]:
    return [dict(r._mapping) for r in conn.execute(query)]


def records(conn: Connection, query: Select[Any], model: type[R]) -> list[R]:
    """The query's rows as ``model`` records (columns the model does not name are left out)."""
    return [model.model_validate(dict(r._mapping)) for r in conn.execute(query)]


def source_documents(
    conn: Connection, source_id: int | None = None, conference: str | None = None
) -> list[SourceDocument]:
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
    return records(conn, query.order_by(t.source_documents.c.id.desc()), SourceDocument)


def _cycle_id(conference: str) -> Any:
    """The id of the cycle with this code, as a scalar subquery (an index search on the code)."""
    return select(t.conferences.c.id).where(t.conferences.c.code == conference).scalar_subquery()


def conferences(conn: Connection, code: str | None = None, limit: int | None = None) -> list[Cycle]:
    """Cycles newest first (by the conference's year; a cycle no document named comes last); or the one
    with ``code``; at most ``limit``."""
    query = select(t.conferences).order_by(t.conferences.c.year.desc().nulls_last(), t.conferences.c.id)
    if code is not None:
        query = query.where(t.conferences.c.code == code)
    if limit is not None:
        query = query.limit(limit)
    return records(conn, query, Cycle)


def registry_state(conn: Connection) -> tuple[int, ...]:
    """A fingerprint of what derived views (overlap clusters) read: it changes with every ingest,
    every result added or withdrawn and every `rihub align`, so a cache keyed by it is never stale."""
    r, e = t.expected_results, t.embeddings
    row = conn.execute(
        select(
            select(func.count(r.c.id)).where(r.c.status == "current").scalar_subquery(),
            select(func.max(r.c.id)).scalar_subquery(),
            select(func.count(e.c.id)).scalar_subquery(),
            select(func.max(e.c.id)).scalar_subquery(),
            select(func.max(t.ingest_events.c.id)).scalar_subquery(),
        )
    ).one()
    return tuple(int(v or 0) for v in row)


def vectors_state(conn: Connection) -> tuple[int, ...]:
    """A fingerprint of the current stored vectors that costs index look-ups only (unlike
    :func:`registry_state`, whose count of current results reads the whole table: 30 ms at 100k
    results): an `align` stores vectors (new ids), an ingest is an ingest event (it is what
    withdraws and supersedes), and a vector deleted changes the count."""
    e = t.embeddings
    row = conn.execute(
        select(
            select(func.count()).select_from(e).scalar_subquery(),
            select(func.max(e.c.id)).scalar_subquery(),
            select(func.max(t.expected_results.c.id)).scalar_subquery(),
            select(func.max(t.ingest_events.c.id)).scalar_subquery(),
        )
    ).one()
    return tuple(int(v or 0) for v in row)


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


def versions(conn: Connection, initiative_id: int, current_source: int | None = None) -> list[Version]:
    """Every document's statement of one initiative, oldest first, with its document and stage;
    ``current`` marks the statement of ``current_source`` (the document the registry shows)."""
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
    return [Version.model_validate(r | {"current": r["source_id"] == current_source}) for r in _rows(conn, query)]


def versions_of_source(conn: Connection, source_id: int) -> list[VersionStatement]:
    query = (
        select(t.initiative_versions, t.initiatives.c.region_code.label("region"))
        .join(t.initiatives, t.initiatives.c.id == t.initiative_versions.c.initiative_id)
        .where(t.initiative_versions.c.source_id == source_id)
        .order_by(t.initiative_versions.c.position)
    )
    return records(conn, query, VersionStatement)


def result_matches(conn: Connection, status: str | None = None, match_id: int | None = None) -> list[ResultMatch]:
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
    return records(conn, query, ResultMatch)


def regions(conn: Connection) -> list[Region]:
    return records(conn, select(t.regions).order_by(t.regions.c.position), Region)


def meetings(conn: Connection, region: str | None = None, conference: str | None = None) -> list[Meeting]:
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
    found = _rows(conn, query)
    ids = [m["id"] for m in found]
    officers = _grouped(conn, t.officers, t.officers.c.meeting_id, ids)
    documents = _grouped(conn, t.reviewed_documents, t.reviewed_documents.c.meeting_id, ids)
    return [
        Meeting.model_validate(
            m
            | {
                "region": m["region_code"],
                "officers": [Officer.model_validate(o | {"span": Span.of(o)}) for o in officers[m["id"]]],
                "documents_reviewed": [
                    ReviewedDocument.model_validate(d | {"span": Span.of(d)}) for d in documents[m["id"]]
                ],
                "span": Span.of(m),
            }
        )
        for m in found
    ]


def _grouped(conn: Connection, table: Any, key: Any, ids: Iterable[int]) -> dict[int, list[Row]]:
    ids = list(ids)
    grouped: dict[int, list[Row]] = defaultdict(list)
    if not ids:
        return grouped
    order = [table.c.position] if "position" in table.c else [table.c.id]
    for row in _rows(conn, select(table).where(key.in_(ids)).order_by(key, *order)):
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


def _heads(
    conn: Connection,
    region: str | None,
    kind: str | None,
    codes: Iterable[str] | None,
    conference: str | None,
    limit: int | None,
    offset: int,
    ids: Iterable[int] | None,
) -> list[Row]:
    """Current initiatives' rows in cycle and document order, as fields of an initiative record."""
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
    return [
        i | {"region": i["region_code"], "field_sources": i["field_sources"] or {}, "span": Span.of(i)}
        for i in _rows(conn, query)
    ]


@overload
def initiatives(
    conn: Connection,
    region: str | None = None,
    kind: str | None = None,
    codes: Iterable[str] | None = None,
    conference: str | None = None,
    nested: Literal[True] = True,
    limit: int | None = None,
    offset: int = 0,
    ids: Iterable[int] | None = None,
) -> list[InitiativeNested]: ...
@overload
def initiatives(
    conn: Connection,
    region: str | None = None,
    kind: str | None = None,
    codes: Iterable[str] | None = None,
    conference: str | None = None,
    *,
    nested: Literal[False],
    limit: int | None = None,
    offset: int = 0,
    ids: Iterable[int] | None = None,
) -> list[InitiativeSummary]: ...
@overload
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
) -> list[InitiativeNested] | list[InitiativeSummary]: ...
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
) -> list[InitiativeNested] | list[InitiativeSummary]:
    """Current initiatives in cycle and document order, with expected results, sub-items,
    footnotes and alignments (or, ``nested=False``, with their number of expected results);
    ``limit``/``offset`` page in SQL."""
    found = _heads(conn, region, kind, codes, conference, limit, offset, ids)
    ids = [i["id"] for i in found]
    if not nested:
        counts = _result_counts(conn, ids)
        return [InitiativeSummary.model_validate(i | {"expected_result_count": counts.get(i["id"], 0)}) for i in found]
    results = _grouped(conn, t.expected_results, t.expected_results.c.initiative_id, ids)
    result_ids = [r["id"] for group in results.values() for r in group]
    subs = _grouped(conn, t.sub_items, t.sub_items.c.result_id, result_ids)
    notes = _grouped(conn, t.footnotes, t.footnotes.c.result_id, result_ids)
    links = _grouped(conn, t.alignments, t.alignments.c.initiative_id, ids)
    out = []
    for i in found:
        by_result: dict[int | None, list[Alignment]] = defaultdict(list)
        for link in links[i["id"]]:
            by_result[link["result_id"]].append(Alignment.model_validate(link))
        stated = [
            ExpectedResult.model_validate(
                r
                | {
                    "sub_items": [SubItem.model_validate(s | {"span": Span.of(s)}) for s in subs[r["id"]]],
                    "footnotes": [Footnote.model_validate(n) for n in notes[r["id"]]],
                    "alignments": by_result[r["id"]],
                    "span": Span.of(r),
                }
            )
            for r in results[i["id"]]
        ]
        item = i | {
            "expected_results": [r for r in stated if r.status == "current"],
            # No longer stated by the current version, kept with the links people made on them.
            "withdrawn_results": [r for r in stated if r.status != "current"],
            "alignments": by_result[None],
        }
        out.append(InitiativeNested.model_validate(item))
    return out


def _result_counts(conn: Connection, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    query = (
        select(t.expected_results.c.initiative_id, func.count())
        .where(t.expected_results.c.initiative_id.in_(ids), t.expected_results.c.status == "current")
        .group_by(t.expected_results.c.initiative_id)
    )
    return {row[0]: row[1] for row in conn.execute(query)}


def achieved_results(conn: Connection, initiative_id: int) -> list[AchievedResult]:
    """What the current documents report as achieved under the initiative, in document order."""
    return achieved_results_of(conn, [initiative_id]).get(initiative_id, [])


def achieved_results_of(conn: Connection, initiative_ids: Sequence[int]) -> dict[int, list[AchievedResult]]:
    """Initiative id → its achieved results (current documents, document order), in one query."""
    a, s = t.achieved_results, t.source_documents
    query = (
        select(a)
        .join(s, s.c.id == a.c.source_id)
        .where(a.c.initiative_id.in_(list(initiative_ids)), s.c.status == "current")
        .order_by(a.c.initiative_id, a.c.source_id, a.c.position)
    )
    found: dict[int, list[AchievedResult]] = {}
    for r in _rows(conn, query):
        found.setdefault(r["initiative_id"], []).append(AchievedResult(id=r["id"], text=r["text"], span=Span.of(r)))
    return found


def source_blocks(conn: Connection, source_id: int) -> list[Block]:
    query = select(t.source_blocks).where(t.source_blocks.c.source_id == source_id).order_by(t.source_blocks.c.position)
    return records(conn, query, Block)


def findings(conn: Connection, source_id: int | None = None) -> list[SourceFinding]:
    query = (
        select(t.findings, t.source_documents.c.filename)
        .join(t.source_documents, t.source_documents.c.id == t.findings.c.source_id)
        .order_by(t.findings.c.source_id, t.findings.c.loc, t.findings.c.id)
    )
    if source_id is not None:
        query = query.where(t.findings.c.source_id == source_id)
    return records(conn, query, SourceFinding)


def ingest_events(conn: Connection) -> list[IngestEvent]:
    return records(conn, select(t.ingest_events).order_by(t.ingest_events.c.id.desc()), IngestEvent)


def stats(conn: Connection, conference: str | None = None) -> Stats:
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
        RegionCounts(
            region=r.code,
            name=r.name,
            initiatives=per_kind["initiative"].get(r.code, 0),
            priorities=per_kind["priority"].get(r.code, 0),
            expected_results=per_results.get(r.code, 0),
            officers=per_officers.get(r.code, 0),
            documents_reviewed=per_documents.get(r.code, 0),
        )
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
    return Stats(
        cycle=conference,
        source_documents=count(t.source_documents, *sources),
        meetings=count(t.meetings, *in_cycle),
        officers=count(officer_join, *in_cycle),
        chairs=count(officer_join, *in_cycle, t.officers.c.role == "chair"),
        vice_chairs=count(officer_join, *in_cycle, t.officers.c.role == "vice-chair"),
        documents_reviewed=count(document_join, *in_cycle),
        initiatives=count(t.initiatives, *current, t.initiatives.c.kind == "initiative"),
        priorities=count(t.initiatives, *current, t.initiatives.c.kind == "priority"),
        expected_results=count(results, *result_ok),
        sub_items=count(subs, *result_ok),
        footnotes=count(notes, *result_ok),
        alignments=count(links, *current),
        document_alignments=count(links, *current, t.alignments.c.provenance == "document"),
        findings=count(
            t.findings.join(t.source_documents, t.source_documents.c.id == t.findings.c.source_id), *sources
        ),
        regions=per_region,
    )


def resolve_cycle(conn: Connection, cycle: str | None) -> str | None:
    """The cycle a request means: the latest when none is named, else the named one (case-insensitive),
    refused with the cycles there are when the registry holds no such cycle."""
    if cycle is None:
        return latest_cycle(conn)
    code = cycle.strip()
    code = code.upper() if code.lower() != UNKNOWN_CYCLE else UNKNOWN_CYCLE
    if not cycle_exists(conn, code):
        known = ", ".join(c.code for c in conferences(conn)) or "none yet"
        raise NotFoundError(f"no cycle {cycle!r} in the registry (cycles: {known})")
    return code
