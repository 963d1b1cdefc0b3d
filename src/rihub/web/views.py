"""The web app's own records: composite views a page and its JSON twin share, the list envelope,
and search hits with their links and ``<mark>`` HTML.

Built by :mod:`rihub.web.data` from the hub's records (:mod:`rihub.records`); the API declares
them as response models, so ``/openapi.json`` and ``/docs`` describe what is served.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, Field

from rihub.analysis.diff import DiffJSON, MoveJSON
from rihub.records import (
    AlignmentEvent,
    ExpectedResult,
    Facet,
    Footnote,
    Initiative,
    InitiativeSummary,
    LinkFields,
    Marks,
    Meeting,
    Officer,
    OverlapCluster,
    Ranks,
    Record,
    RegionCounts,
    SourceDocument,
    Span,
    Stats,
    SubItem,
    ThemeMatch,
    Timestamp,
)
from rihub.tabular import PRESENTATION

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A list, one page of it: ``next`` is the URL of the following page (None on the last)."""

    data: list[T]
    count: int = Field(description="How many items the whole list holds")
    next: str | None = Field(description="The next page, or null on the last one")


class Problem(Record):
    loc: list[str]
    msg: str
    type: str


class ErrorDetail(Record):
    status: int
    title: str
    detail: str
    errors: list[Problem] | None = Field(None, description="What was wrong with each invalid parameter (422)")


class ErrorBody(Record):
    """Every error: 404 for what the registry does not hold, 422 for a value it cannot use."""

    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "The registry holds no such record"},
    422: {"model": ErrorBody, "description": "A parameter has a value the registry cannot use"},
}
"""The error responses every API operation declares."""


class ApiIndex(Record):
    endpoints: dict[str, str]
    openapi: str
    docs: str


# --- home and regions ----------------------------------------------------------------------------


class MeetingBrief(Record):
    region: str
    region_name: str
    city: str | None
    country: str | None
    start_date: dt.date | None
    end_date: dt.date | None


class HomeView(Record):
    cycle: str | None
    stats: Stats
    meetings: list[MeetingBrief]
    sources: list[SourceDocument]
    findings: int


class RegionRow(Record):
    """A region's meeting — when, where, who chaired it (empty without a meeting) — and its counts.

    One row of the meetings table: in CSV the officers read "Dr Péter Vári (Hungary)", several
    joined with "; "; ``venue`` is "City, Country" as a document would print it."""

    region: str
    name: str
    start_date: dt.date | None
    end_date: dt.date | None
    city: str | None
    country: str | None
    venue: str | None = Field(description="City and country, as a table cell shows them")
    chairs: list[Officer] = Field(description="Who chaired the meeting (usually one)")
    vice_chairs: list[Officer]
    initiatives: int
    priorities: int
    expected_results: int
    officers: int
    documents_reviewed: int


class RegionView(Record):
    region: str
    name: str
    cycle: str | None
    counts: RegionCounts
    meeting: Meeting | None
    initiatives: list[InitiativeSummary]


class OfficerRow(Record):
    cycle: str | None
    region: str
    role: str
    honorific: str | None
    name: str
    country: str | None
    span: Span


# --- initiatives and results ---------------------------------------------------------------------


class VersionEntry(Record):
    """One document's version of an initiative, against the version before it."""

    id: int
    source_id: int
    filename: str
    stage: str
    source_status: str
    title: str
    current: bool
    results: int = Field(description="How many expected results this version states")
    url: str
    title_redline: str | None = Field(description="HTML: the title's word-level redline, when it changed")
    results_changed: list[int] = Field(description="Results worded differently from the version before")


class LineageEntry(Record):
    id: int
    relation: str = Field(description="continues, or continued by")
    code: str
    cycle: str
    status: str
    provenance: str
    score: float | None
    title_redline: str = Field(description="HTML: the earlier title against the later one")
    diff_url: str
    url: str


class CycleLink(Record):
    cycle: str
    url: str


class InitiativeView(Initiative):
    """One initiative in full, with its versions, lineage and the same code in other cycles."""

    versions: list[VersionEntry]
    lineage: list[LineageEntry]
    other_cycles: list[CycleLink]
    themes: list[ThemeMatch] = Field(description="Its themes with their evidence (Hub.themes)")


class ResultInitiative(Record):
    code: str
    region: str
    region_name: str
    conference: str
    kind: str
    stage: str
    title: str
    objective: str | None
    objective_kind: str | None
    results_lead_in: str | None
    span: Span


class SimilarResultLink(Record):
    code: str
    region: str
    title: str
    number: int | None
    text: str | None
    score: float
    url: str
    in_cluster: bool = Field(description="Also a member of this result's overlap cluster (listed first)")


class ResultView(Record):
    initiative: ResultInitiative
    result: ExpectedResult
    previous: int | None
    next: int | None
    cluster: OverlapCluster | None = Field(description="The overlap cluster holding this result (see /overlaps)")
    similar: list[SimilarResultLink]


class ResultRow(Record):
    id: int
    cycle: str
    initiative: str
    region: str
    number: int
    text: str
    sub_items: list[SubItem]
    footnotes: list[Footnote]
    span: Span


# --- alignments ----------------------------------------------------------------------------------


class AlignmentRow(Record):
    """A link in the list of every link: with the initiative, cycle and result it is attached to."""

    cycle: str
    initiative: str
    region: str
    result: int | None
    id: int
    framework: str
    code: str
    label: str | None
    provenance: str
    status: str
    score: float | None
    evidence: dict[str, Any] | None
    created_by: str | None
    updated_at: Timestamp


class AlignmentDetail(LinkFields):
    """A link as its page shows it: the stored fields, how people read its provenance, its URL."""

    badge: str = Field(description="document, confirmed, proposed or rejected: provenance as people read it")
    url: str


class AlignmentSubject(Record):
    initiative: str
    cycle: str
    title: str
    result: int | None
    text: str | None
    url: str


class AlignmentView(Record):
    alignment: AlignmentDetail
    subject: AlignmentSubject
    history: list[AlignmentEvent]


# --- comparison and diff -------------------------------------------------------------------------


class CompareColumn(Record):
    code: str
    region: str
    region_name: str
    kind: str
    title: str
    objective: str | None
    objective_kind: str | None
    expected_result_count: int
    url: str


class CompareSubItem(Record):
    label: str
    text: str


class CompareCell(Record):
    """One expected result in a compare cell."""

    number: int
    text: str
    sub_items: list[CompareSubItem]
    url: str
    span: Span


class CompareRow(Record):
    """One overlap cluster (the same as on /overlaps) restricted to the initiatives compared."""

    cluster_id: str
    cells: list[list[CompareCell]] = Field(description="One list per column; empty where that initiative has none")
    regions: list[str]
    shared_terms: list[str]
    similarity: float | None
    semantic: float | None
    lexical: float | None
    explanation: str
    url: str = Field(description="The whole cluster on /overlaps")


class Comparison(Record):
    codes: list[str]
    columns: list[CompareColumn]
    rows: list[CompareRow]
    unmatched: list[list[CompareCell]] = Field(
        description="Per column: results whose cluster holds no result of another initiative compared"
    )
    method: str
    note: str | None


class CodeTitle(Record):
    code: str
    title: str


class KeyText(Record):
    key: str
    text: str


class ResultRedline(Record):
    key: str
    old_key: str
    redline: str = Field(description="HTML: the old wording against the new")


class ChangeView(Record):
    code: str
    old_code: str
    fields: list[str]
    title: str | None = Field(description="HTML redline of the title, when it changed")
    objective: str | None = Field(description="HTML redline of the objective, when it changed")
    results_added: list[KeyText]
    results_removed: list[KeyText]
    renumbered: list[MoveJSON]
    results_changed: list[ResultRedline]


class DiffView(Record):
    from_: str | int = Field(validation_alias=AliasChoices("from", "from_"), serialization_alias="from")
    to: str | int
    region: str | None
    cycles: bool
    diff: DiffJSON
    changes: list[ChangeView]
    added: list[CodeTitle]
    removed: list[CodeTitle]
    renamed: list[MoveJSON]


# --- search --------------------------------------------------------------------------------------


class SearchMatchView(Record):
    """A match as the API and the page show it: the snippet as HTML (matched words in ``<mark>``)
    and a link to that place, beside the plain ``text`` and ``marks`` it was built from."""

    field: str
    label: str
    number: int | None
    snippet: str = Field(description="HTML: the snippet, escaped, matched words in <mark>")
    text: str
    marks: Marks
    url: str
    span: Span
    similarity: float | None = None

    def __str__(self) -> str:
        return f"{self.label}: {self.text}"


class SearchHitView(Record):
    type: str
    code: str
    cycle: str
    region: str
    region_name: str
    kind: str
    title: str
    title_html: Annotated[str, PRESENTATION] = Field(description="HTML: the title, escaped, matched words in <mark>")
    title_marks: Marks
    frameworks: list[str]
    url: str
    score: float
    matches: list[SearchMatchView]
    ranks: Ranks | None = None


class SearchPage(Page[SearchHitView]):
    """One page of search hits, with the query as understood and the facet counts."""

    query: str
    mode: str
    match: str | None = Field(description="The full-text expression the query became (null: none ran)")
    facets: dict[str, list[Facet]]
    error: str | None = Field(description="Why the query could not run, when it could not")
    mode_notice: str | None = Field(
        default=None, description="Why the mode that ran is not the one asked for (no vectors, model still loading)"
    )
    corrected: str | None = Field(
        default=None, description="The query that ran instead, when unknown words were corrected"
    )
    opens: str | None = Field(
        default=None, description="The initiative a code query names (AMS3, eur 1, AFR RI 1), first among the hits"
    )
    opens_url: str | None = Field(default=None, description="Its page: the search page links to it as “Open AMS3”")


class OverlapRow(Record):
    """One member of one overlap cluster: a row of /overlaps.csv (lists joined as readable text)."""

    cycle: str | None
    cluster_id: str
    cluster_regions: str
    regions_lacking: str
    shared_terms: str
    cluster_similarity: float | None
    explanation: str
    code: str
    region: str
    number: int
    text: str
    similarity: float
    representative: bool
    url: str


# --- coverage matrix -----------------------------------------------------------------------------


class MatrixGridCell(Record):
    """A cell as the page draws it: counts, the items left out by ``include``, a heat level, its link."""

    region: str
    initiatives: int
    results: int
    left_out: int
    heat: int  # 0 (nothing) … 5 (the fullest cell of the matrix)
    url: str


class MatrixGridRow(Record):
    code: str
    label: str
    regions: list[str]
    cells: list[MatrixGridCell]
