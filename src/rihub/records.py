"""Typed records: what every read of the registry returns, to the CLI, the web app, export and notebooks.

Pydantic models, frozen: a record is a value read from the database, not a place to keep state.
``model_dump(mode="json")`` gives the JSON the API serves (times as ISO 8601 with their offset,
dates as ``YYYY-MM-DD``); :func:`jsonable` does the same for lists and dicts of records.
The SQL that fills them lives in ``rihub.store``; composite views of the web app are in
``rihub.web.views``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

from rihub.model import REMOVED_ROLES


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


Timestamp = Annotated[
    dt.datetime,
    AfterValidator(_utc),
    # ``isoformat()`` ("…+00:00"), as the registry has always written times (pydantic would write "Z").
    PlainSerializer(lambda v: v.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)


def jsonable(value: Any) -> Any:
    """Records (and lists, tuples and dicts of them) as plain JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


class Span(Record):
    """Where a fact was read: the source document and its first and last line."""

    source_id: int | None = None
    start: int | None = None
    end: int | None = None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Span:
        """The span of a row with ``source_id``, ``span_start`` and ``span_end`` columns."""
        return cls(source_id=row.get("source_id"), start=row.get("span_start"), end=row.get("span_end"))


# --- cycles, regions, documents ------------------------------------------------------------------


class Cycle(Record):
    """A WTDC cycle (the conference the regional meetings prepare)."""

    id: int
    code: str
    title: str
    city: str | None
    country: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    year: int | None


class Region(Record):
    code: str
    name: str
    position: int


class SourceDocument(Record):
    """A report as ingested, with its checksum, cycle, stage and version status."""

    id: int
    key: str
    filename: str
    format: str
    sha256: str
    size: int
    title: str
    language: str
    status: str
    stage: str
    supersedes_id: int | None
    ingested_at: Timestamp
    conference: str | None


class Block(Record):
    """One paragraph (or table row) of a source document, with its line numbers."""

    id: int
    source_id: int
    position: int
    loc: int
    end_loc: int
    kind: str
    text: str
    role: str = ""  # the field of the outline the paragraph landed in; "" when the reader assigned it nowhere


class SourceCoverage(Record):
    """How much of a stored source the reader assigned to fields (see rihub.model.Coverage)."""

    share: float  # characters in blocks with a role / characters outside furniture and contents
    unassigned: int  # blocks read into no field
    furniture: int  # blocks removed as page furniture or contents

    @classmethod
    def of(cls, blocks: list[Block]) -> SourceCoverage:
        kept = [b for b in blocks if b.role not in REMOVED_ROLES]
        size = {id(b): len(b.text) - b.text.count("\t") for b in kept}  # a row's cells, without the tabs
        total = sum(size.values())
        assigned = sum(size[id(b)] for b in kept if b.role)
        unassigned = sum(1 for b in kept if not b.role)
        return cls(share=assigned / total if total else 1.0, unassigned=unassigned, furniture=len(blocks) - len(kept))


class SourceDocumentDetail(SourceDocument):
    blocks: list[Block]
    coverage: SourceCoverage


class SourceFinding(Record):
    """A lint finding stored against a source document (``store.write.Finding`` is the one lint makes)."""

    id: int
    source_id: int
    code: str
    severity: str
    loc: int | None
    message: str
    excerpt: str | None
    suggestion: str | None
    filename: str


class IngestEvent(Record):
    id: int
    source_id: int | None
    at: Timestamp
    action: str
    filename: str
    sha256: str
    detail: str


# --- meetings ------------------------------------------------------------------------------------


class Officer(Record):
    role: str
    honorific: str | None
    name: str
    country: str | None
    span: Span


class ReviewedDocument(Record):
    number: int
    description: str
    span: Span


class Meeting(Record):
    """A Regional Preparatory Meeting with its officers and the documents it reviewed."""

    id: int
    region: str
    region_name: str
    conference: str | None
    kind: str
    city: str | None
    country: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    report_label: str | None
    video_label: str | None
    officers: list[Officer]
    documents_reviewed: list[ReviewedDocument]
    contributions: str | None
    span: Span


# --- initiatives ---------------------------------------------------------------------------------


class SubItem(Record):
    label: str
    text: str
    span: Span


class Footnote(Record):
    marker: str
    text: str


class Alignment(Record):
    """A link from an initiative or expected result to an SDG, WSIS or GDC item."""

    id: int
    framework: str
    code: str
    label: str | None
    provenance: str  # document | model | person
    status: str  # proposed | accepted | rejected
    score: float | None
    evidence: dict[str, Any] | None
    created_by: str | None
    updated_at: Timestamp


class ExpectedResult(Record):
    id: int
    number: int
    text: str
    status: str  # current | withdrawn
    sub_items: list[SubItem]
    footnotes: list[Footnote]
    alignments: list[Alignment]
    span: Span

    @property
    def full_text(self) -> str:
        """What the result says, sub-items included (they carry much of the meaning)."""
        return " ".join([self.text, *(s.text for s in self.sub_items)])


class InitiativeHead(Record):
    """The fields every initiative record has: its identity and the current version's wording."""

    id: int
    code: str
    region: str
    region_name: str
    conference: str
    kind: str  # initiative | priority
    stage: str
    status: str
    title: str
    objective: str | None
    objective_kind: str | None
    results_lead_in: str | None
    field_sources: dict[str, int | None]
    span: Span

    @property
    def head_text(self) -> str:
        """The initiative's own words: title and objective."""
        return " ".join(p for p in (self.title, self.objective or "") if p)


class InitiativeSummary(InitiativeHead):
    """A row of a list of initiatives (``nested=False``)."""

    expected_result_count: int


class InitiativeNested(InitiativeHead):
    """An initiative with its expected results (current and withdrawn) and its own links."""

    expected_results: list[ExpectedResult]
    withdrawn_results: list[ExpectedResult]
    alignments: list[Alignment]


class AchievedResult(Record):
    """What a document reports as done under an initiative ("Achieved results"): implementation
    reporting, never one of its expected results."""

    id: int
    text: str
    span: Span


class Initiative(InitiativeNested):
    """One initiative in full, with every cycle that has an initiative of the same code."""

    cycles: list[str]
    achieved_results: list[AchievedResult] = []


class VersionResult(Record):
    """An expected result as one document states it (sub-items and footnotes: text, start, end)."""

    number: int
    text: str
    span: tuple[int | None, int | None] = (None, None)
    sub_items: list[tuple[str, str, int | None, int | None]] = []
    footnotes: list[tuple[str, str, int | None, int | None]] = []


class Version(Record):
    """One document's statement of an initiative; ``current`` marks the one the registry shows."""

    id: int
    initiative_id: int
    source_id: int
    stage: str
    position: int
    code: str
    kind: str
    title: str
    objective: str | None
    objective_kind: str | None
    results_lead_in: str | None
    results: list[VersionResult]
    links: list[tuple[str, str, str | None, int | None, int | None]]
    created_at: Timestamp
    span_start: int | None
    span_end: int | None
    filename: str
    source_status: str
    ingested_at: Timestamp
    current: bool


class VersionStatement(Record):
    """What one document says of one initiative: the diff engine's input."""

    code: str
    region: str
    title: str
    objective: str | None
    results: list[VersionResult]


class ResultMatch(Record):
    """A result pairing an ingest could not settle alone, for a person to confirm."""

    id: int
    initiative_id: int
    result_id: int
    source_id: int | None
    kind: str  # unclear | withdrawn
    old_number: int | None
    old_text: str | None
    new_number: int | None
    new_text: str | None
    score: float | None
    status: str
    decided_by: str | None
    decided_at: Timestamp | None
    reason: str | None
    created_at: Timestamp
    code: str
    cycle: str


# --- counts --------------------------------------------------------------------------------------


class RegionCounts(Record):
    region: str
    name: str
    initiatives: int
    priorities: int
    expected_results: int
    officers: int
    documents_reviewed: int


class Stats(Record):
    """Counts for one cycle (``cycle`` None: every cycle, or an empty registry)."""

    cycle: str | None
    source_documents: int
    meetings: int
    officers: int
    chairs: int
    vice_chairs: int
    documents_reviewed: int
    initiatives: int
    priorities: int
    expected_results: int
    sub_items: int
    footnotes: int
    alignments: int
    document_alignments: int
    findings: int
    regions: list[RegionCounts]


# --- links and their history ---------------------------------------------------------------------


class LinkFields(Record):
    """What a framework link says, with the initiative code, region, cycle and result number it is on."""

    id: int
    source_id: int | None
    framework: str
    code: str
    label: str | None
    provenance: str
    status: str
    score: float | None
    evidence: dict[str, Any] | None
    created_by: str | None
    created_at: Timestamp
    updated_at: Timestamp
    span_start: int | None
    span_end: int | None
    initiative: str
    region: str
    cycle: str
    result: int | None
    result_status: str | None


class AlignmentRecord(LinkFields):
    """A link with the stable ids it points at (the review queue)."""

    initiative_id: int
    result_id: int | None


class AlignmentEvent(Record):
    """One change to a link: who, when, what it was before and after, and why."""

    id: int
    alignment_id: int
    actor: str
    at: Timestamp
    action: str  # propose | accept | reject | add
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


class LineageLink(Record):
    """ "``to`` continues ``from``": two initiatives of successive cycles of one region."""

    id: int
    from_id: int
    from_code: str
    from_cycle: str
    to_id: int
    to_code: str
    to_cycle: str
    region: str
    provenance: str
    status: str
    score: float | None
    title_similarity: float | None
    from_title: str
    to_title: str


class VectorOwner(Record):
    """Whose stored embedding a vector is: an initiative (``result_id`` None) or one of its results."""

    initiative_id: int
    result_id: int | None
    code: str
    region: str
    title: str
    conference_id: int | None
    number: int | None
    text: str | None


class SimilarResult(VectorOwner):
    score: float


# --- search --------------------------------------------------------------------------------------

Marks = list[tuple[int, int]]
"""Where the query's words matched in a text: ``[start, end)`` character offsets, in order."""


class SearchMatch(Record):
    """Where in a hit the query matched: the field, its snippet as plain text and the matched spans."""

    field: str  # title | objective | rationale | result | sub_item | footnote | contributions
    label: str
    number: int | None
    text: str
    marks: Marks
    span: Span
    similarity: float | None = None


class Ranks(Record):
    """Where a hybrid hit stood in the word ranking and in the meaning ranking (None: absent)."""

    fulltext: int | None
    semantic: int | None


class SearchHit(Record):
    """One initiative (or one meeting, for contributions) and every place in it that matched."""

    type: Literal["initiative", "meeting"]
    code: str
    cycle: str
    region: str
    region_name: str
    kind: str
    title: str
    title_marks: Marks
    frameworks: list[str]
    score: float
    matches: list[SearchMatch]
    ranks: Ranks | None = None


class Facet(Record):
    value: str
    count: int
    selected: bool


class SearchResult(Record):
    """One page of ranked hits, how many there are in all, and facet counts."""

    query: str
    mode: str
    match: str | None
    count: int
    data: list[SearchHit]
    facets: dict[str, list[Facet]]
    error: str | None
