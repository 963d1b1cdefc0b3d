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
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema, computed_field

from rihub.model import REMOVED_ROLES
from rihub.tabular import PRESENTATION, SOURCE_POSITION


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


def person(honorific: str | None, name: str, country: str | None) -> str:
    """A person as a table cell reads them: "Dr Péter Vári (Hungary)"."""
    return " ".join(p for p in (honorific, name) if p) + (f" ({country})" if country else "")


class Officer(Record):
    role: str
    honorific: str | None
    name: str
    country: str | None
    span: Span

    def __str__(self) -> str:
        return person(self.honorific, self.name, self.country)


class ReviewedDocument(Record):
    number: int
    description: str
    span: Span

    def __str__(self) -> str:
        return f"Document {self.number}: {self.description}"


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
    report_label: str | None = Field(description="The report cell's text, as the source gives it")
    report_url: str | None = Field(None, description="The report's address, when the source carries the link")
    report_placeholder: bool | None = Field(
        None, description="The label only repeats the column's heading (a link's name, not a value)"
    )
    video_label: str | None = Field(description="The video cell's text, as the source gives it")
    video_url: str | None = Field(None, description="The video's address, when the source carries the link")
    video_placeholder: bool | None = Field(
        None, description="The label only repeats the column's heading (a link's name, not a value)"
    )
    officers: list[Officer]
    documents_reviewed: list[ReviewedDocument]
    contributions: str | None
    span: Span


# --- initiatives ---------------------------------------------------------------------------------


class SubItem(Record):
    label: str
    text: str
    span: Span

    def __str__(self) -> str:
        return f"{self.label}) {self.text}"


class Footnote(Record):
    marker: str
    text: str

    def __str__(self) -> str:
        return f"Note {self.marker}: {self.text}"


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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def basis(self) -> Literal["structural", "content"]:
        """``structural``: a rule link every Regional Initiative has (no score); else ``content``."""
        return "structural" if (self.evidence or {}).get("basis") == "structural" else "content"

    def __str__(self) -> str:
        return f"{self.framework} {self.code} ({self.provenance}, {self.status})"


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
    field_sources: Annotated[dict[str, int | None], SOURCE_POSITION]
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


class StatedPart(NamedTuple):
    """A sub-item or footnote as one document states it (a JSON array: label, text, start, end)."""

    label: str
    text: str
    start: int | None
    end: int | None

    def __str__(self) -> str:
        return f"{self.label}) {self.text}"


class StatedLink(NamedTuple):
    """A link the document states (a JSON array: framework, code, label, start, end)."""

    framework: str
    code: str
    label: str | None
    start: int | None
    end: int | None

    def __str__(self) -> str:
        return f"{self.framework} {self.code}"


class VersionResult(Record):
    """An expected result as one document states it (sub-items and footnotes: text, start, end)."""

    number: int
    text: str
    span: Annotated[tuple[int | None, int | None], SOURCE_POSITION] = (None, None)
    sub_items: list[StatedPart] = []
    footnotes: list[StatedPart] = []

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


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
    links: list[StatedLink]
    created_at: Timestamp
    span_start: Annotated[int | None, SOURCE_POSITION]
    span_end: Annotated[int | None, SOURCE_POSITION]
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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def basis(self) -> Literal["structural", "content"]:
        """``structural``: a rule link every Regional Initiative has (no score); else ``content``."""
        return "structural" if (self.evidence or {}).get("basis") == "structural" else "content"


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

Marks = Annotated[list[tuple[int, int]], PRESENTATION]
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

    def __str__(self) -> str:
        return f"{self.label}: {self.text}"


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
    mode_notice: str | None = Field(
        default=None, description="Why the mode that ran is not the one asked for (no vectors, model still loading)"
    )
    corrected: str | None = None  # the query that ran when unknown words were corrected ("showing results for")
    opens: str | None = Field(
        default=None, description="The initiative a code query names (AMS3, eur 1, AFR RI 1), first among the hits"
    )


# --- overlaps ------------------------------------------------------------------------------------


class OverlapMember(Record):
    """One expected result in an overlap cluster, and how close it is to the cluster's representative."""

    result_id: int
    initiative_id: int
    code: str
    region: str
    number: int
    text: str
    similarity: float = Field(description="Combined similarity to the representative (1.0 for the representative)")
    representative: bool
    near_duplicates: list[str] = Field(
        default_factory=list, description="Members worded almost identically (MinHash Jaccard of word 3-shingles)"
    )


class OverlapCluster(Record):
    """Expected results of different regions that ask for the same thing (or one result nobody else asks for)."""

    id: str = Field(description="Stable: derived from the member result ids of the whole cluster")
    representative: str = Field(description="The medoid's text: the member closest on average to the others")
    members: list[OverlapMember]
    regions: list[str]
    regions_lacking: list[str] = Field(description="Regions with expected results in the cycle that have none here")
    shared_terms: list[str] = Field(description="Words and phrases as written, found in members of several regions")
    similarity: float | None = Field(description="Mean combined similarity over pairs of members of different regions")
    semantic: float | None = Field(description="Mean centred cosine of the stored embeddings over the same pairs")
    lexical: float | None = Field(description="Mean tf-idf cosine of the content words over the same pairs")
    explanation: str


class Overlaps(Record):
    """The overlap clusters of one cycle: shared by several regions, asked by every region, asked by one."""

    cycle: str | None
    mode: Literal["semantic+lexical", "lexical"]
    method: str
    note: str | None = Field(description="Why the clusters are lexical only, when they are")
    threshold: float
    topic: str | None
    theme: str | None = Field(default=None, description="Only results with this theme (`rihub themes`), when asked")
    results: int = Field(description="Expected results shown (after the topic and result filters)")
    regions: list[str] = Field(description="Regions that state expected results in the cycle")
    regions_without_results: list[str] = Field(description="Regions of the cycle with no expected results")
    shared: list[OverlapCluster] = Field(description="Clusters whose members come from two or more regions")
    every_region: list[str] = Field(description="Ids of the shared clusters asked by every region in `regions`")
    one_region: list[OverlapCluster] = Field(description="Results (or groups) only one region asks for")


# --- themes and coverage -------------------------------------------------------------------------

ThemeStatus = Literal["term", "inferred"]
LinkKind = Literal["document", "accepted", "proposed"]
MatrixBy = Literal["theme", "SDG", "WSIS", "GDC"]


class Theme(Record):
    """One theme of the vocabulary (``rihub/data/themes.json``)."""

    code: str
    label: str
    description: str
    terms: list[str] = Field(description="Words and phrases that signal the theme (see docs/themes.md)")


class ThemeMatch(Record):
    """A theme given to an initiative or an expected result, and why."""

    theme: str
    label: str
    status: ThemeStatus = Field(description="term: its terms are in the text; inferred: close in meaning only")
    terms: list[str] = Field(description="The words matched, as written in the text (the subject's own text)")
    results: list[int] = Field(
        default_factory=list, description="For an initiative: the numbers of its expected results with this theme"
    )
    similarity: float | None = Field(None, description="inferred: cosine to the theme's centroid")
    evidence: str


class ResultThemes(Record):
    result_id: int
    number: int
    text: str
    themes: list[ThemeMatch]


class InitiativeThemes(Record):
    """An initiative's themes (its title and objective, and the union of its results') and each result's."""

    initiative_id: int
    code: str
    region: str
    cycle: str
    kind: str
    title: str
    themes: list[ThemeMatch]
    results: list[ResultThemes]


class ThemeCounts(Record):
    """How expected results got their themes: by terms, by the semantic fallback only, or not at all."""

    results: int
    by_terms: int
    by_fallback: int
    without_theme: int
    initiatives: int
    initiatives_without_theme: int


class ThemeAssignments(Record):
    """Every initiative and expected result of one cycle with its themes and evidence."""

    cycle: str | None
    vocabulary_version: str
    vocabulary_date: str
    fallback: bool = Field(description="Whether stored embeddings were there for the semantic fallback")
    fallback_threshold: float
    counts: ThemeCounts
    themes: list[Theme]
    initiatives: list[InitiativeThemes]


class CoverageLink(Record):
    """A framework link of a current initiative or expected result, as the coverage matrix reads it."""

    initiative_id: int
    initiative: str
    region: str
    kind: str
    title: str
    result_id: int | None
    result: int | None
    text: str | None
    framework: str
    code: str
    provenance: str
    status: str
    score: float | None


class MatrixItem(Record):
    """An initiative (``result`` None) or an expected result one cell counts, and the kind of its link."""

    code: str
    region: str
    result: int | None
    text: str = Field(description="The initiative's title or the result's text")
    link: LinkKind = Field(description="The strongest link to the column: document > accepted > proposed")
    counted: bool = Field(description="Whether the cell's counts include it (its link kind is included)")
    evidence: str


class KindCounts(Record):
    initiatives: int
    results: int


class MatrixCell(Record):
    region: str
    column: str
    initiatives: int = Field(description="Initiatives counted (linked directly or through a result)")
    results: int = Field(description="Expected results counted")
    by_kind: dict[str, KindCounts] = Field(description="Items by their strongest link kind, counted or not")
    items: list[MatrixItem]


class MatrixColumn(Record):
    code: str
    label: str
    regions: list[str] = Field(description="Regions whose cell counts something")


class GapColumn(Record):
    code: str
    label: str
    covered_by: list[str]


class RegionGaps(Record):
    """What other regions cover and this one does not (under the same ``include``)."""

    region: str
    columns: list[GapColumn]


class Matrix(Record):
    """Regions × themes (or SDG goals, WSIS action lines, GDC objectives) of one cycle."""

    by: MatrixBy
    cycle: str | None
    include: list[LinkKind]
    kinds: dict[str, str] = Field(description="What each link kind means for this `by`")
    regions: list[str]
    columns: list[MatrixColumn]
    cells: list[MatrixCell] = Field(description="One per region and column, region by region")
    gaps: list[RegionGaps]

    def cell(self, region: str, column: str) -> MatrixCell:
        return next(c for c in self.cells if c.region == region and c.column == column)


class MatrixRow(Record):
    """One region × column of a matrix as a flat row (the CSV): counts per kind, codes as text."""

    by: str
    cycle: str | None
    region: str
    column: str
    label: str
    initiatives: int
    results: int
    document_initiatives: int
    document_results: int
    accepted_initiatives: int
    accepted_results: int
    proposed_initiatives: int
    proposed_results: int
    counted: str = Field(description="Codes counted: EUR1 for an initiative, EUR1.3 for its expected result 3")
    not_counted: str = Field(description="Codes in the cell whose link kind is not included, with the kind")


# --- accounts ---


class Actor(Record):
    """Who is writing: a signed-in account, a script's API token, or the command line.

    Every monitoring and review write takes one; the library checks the role and the project
    assignments itself, so the CLI, the API and the forms enforce the same rules. ``user_id`` is
    None only for the command line run by the machine's operator (``username`` ``cli:<os user>``),
    which acts as an admin.
    """

    user_id: int | None
    username: str
    role: Literal["contributor", "reviewer", "admin"]


class AuditEntry(Record):
    """One write as the audit trail keeps it: who, when, what, and the object before and after."""

    id: int
    at: dt.datetime
    actor: str
    user_id: int | None
    action: str
    object_type: str
    object_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    comment: str | None


class User(Record):
    """An account as everyone may see it: never its password hash."""

    id: int
    username: str
    display_name: str
    role: Literal["contributor", "reviewer", "admin"]
    disabled: bool
    has_password: bool = Field(description="False for an account that works with API tokens only")
    projects: list[int] = Field(description="Ids of the projects the account is assigned to")
    created_at: dt.datetime
    updated_at: dt.datetime


class ApiToken(Record):
    """An API token as stored: its name and first characters, never the secret or its hash."""

    id: int
    user_id: int
    username: str
    name: str
    prefix: str = Field(description="The secret's first characters, to tell tokens apart")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class IssuedToken(Record):
    """A token just made: the only time its secret is shown (only a hash of it is kept)."""

    token: ApiToken
    secret: str


# --- monitoring ---

ProgressStatus = Literal["not-started", "on-track", "at-risk", "off-track", "completed"]
PROGRESS_STATUSES: tuple[str, ...] = ("not-started", "on-track", "at-risk", "off-track", "completed")
Measure = Literal["unit", "percentage", "qualitative"]
UpdateStatus = Literal["draft", "submitted", "approved", "returned"]


class ResultRef(Record):
    """An expected result by its stable id and the key people read (``WTDC-25/AFR1/16``)."""

    result_id: int
    cycle: str
    initiative: str
    region: str
    number: int
    text: str
    status: str  # current | withdrawn

    @property
    def key(self) -> str:
        return f"{self.cycle}/{self.initiative}/{self.number}"

    def __str__(self) -> str:
        return f"{self.initiative}.{self.number}"


class ProjectInput(Record):
    """What a person states about a project (the form and the API body); the store adds the rest."""

    title: Annotated[str, Field(min_length=1, max_length=500)]
    description: str = ""
    partners: list[str] = []
    countries: list[str] = Field(default=[], description="ISO 3166-1 alpha-2 codes")
    budget: Annotated[float, Field(ge=0)] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = Field(default=None, description="ISO 4217")
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: ProgressStatus = "not-started"


class Project(ProjectInput):
    """A project serving one or more expected results (by their stable ids)."""

    id: int
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    results: list[ResultRef] = []
    assignees: list[str] = Field(default=[], description="Usernames of the contributors assigned")


class IndicatorInput(Record):
    """An indicator of one expected result within one project (IATI result/indicator)."""

    project_id: int
    result_id: int
    title: Annotated[str, Field(min_length=1, max_length=500)]
    description: str = ""
    measure: Measure = "unit"
    ascending: bool = True
    unit: Annotated[str, Field(max_length=50)] = ""
    baseline_year: Annotated[int, Field(ge=1900, le=2200)] | None = None
    baseline_value: float | None = None
    baseline_comment: str | None = None


class Indicator(IndicatorInput):
    id: int
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class PeriodInput(Record):
    """A reporting period of an indicator: its target; the actual comes from the approved update."""

    indicator_id: int
    start_date: dt.date
    end_date: dt.date
    target: float | None = None
    target_text: str | None = None
    comment: str | None = None


class Period(PeriodInput):
    id: int
    version: int
    actual: float | None = None
    actual_text: str | None = None


class UpdateInput(Record):
    """A progress update on one period: a value (quantitative) or a narrative, and optional evidence."""

    period_id: int
    value: float | None = None
    narrative: str = ""
    progress: ProgressStatus | None = None
    evidence_name: Annotated[str, Field(max_length=255)] | None = None
    evidence_type: Annotated[str, Field(max_length=100)] | None = None


class Update(UpdateInput):
    id: int
    status: UpdateStatus
    evidence_size: int | None = None
    created_by: str
    created_by_id: int
    submitted_at: Timestamp | None = None
    reviewed_by: str | None = None
    reviewed_at: Timestamp | None = None
    review_comment: str | None = None
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class Evidence(NamedTuple):
    """An update's evidence file as uploaded."""

    name: str
    content_type: str
    data: bytes


class PeriodProgress(Record):
    """One period of an indicator as a dashboard reads it (a point of its series over time)."""

    period: Period
    progress: float | None = Field(description="Percent of the way from baseline to target, 0–100; None: not reported")
    status: ProgressStatus | None = Field(description="None while nothing is reported for a period under way")
    overdue: bool = Field(description="The period has ended and no update on it is approved")
    pending: int = Field(description="Submitted updates awaiting review")


class IndicatorProgress(Record):
    indicator: Indicator
    project_id: int
    project_title: str
    periods: list[PeriodProgress]
    progress: float | None = Field(description="The latest reported period's; None: not reported")
    status: ProgressStatus | None


class Rollup(Record):
    """Progress of a group: the mean of the children that report one, and how many do not.

    "Not reported" is never 0 %: ``progress`` is None when no child reports, and ``not_reported``
    says how many children have no measured progress (docs/monitoring.md, the rollup rule).
    """

    progress: float | None
    status: ProgressStatus | None
    reported: int
    not_reported: int


class ResultProgress(Record):
    """An expected result with its projects, indicators and their rollup, beside what the published
    documents report as achieved under its initiative."""

    result: ResultRef
    projects: list[Project]
    indicators: list[IndicatorProgress]
    rollup: Rollup
    achieved_results: list[AchievedResult] = []


class OverdueUpdate(Record):
    """A period that has ended with no approved update."""

    period_id: int
    end_date: dt.date
    days_overdue: int
    pending: int = Field(description="Submitted updates awaiting review (the report is in, the review is not)")
    indicator_id: int
    indicator_title: str
    project_id: int
    project_title: str
    result: ResultRef


class InitiativeProgress(Record):
    cycle: str
    code: str
    region: str
    title: str
    objective: str | None = None
    as_of: dt.date
    results: list[ResultProgress]
    monitored: int = Field(description="Expected results with at least one indicator")
    rollup: Rollup
    overdue: list[OverdueUpdate]


class RegionProgress(Record):
    cycle: str
    region: str
    name: str
    as_of: dt.date
    initiatives: list[InitiativeProgress]
    rollup: Rollup
    overdue: list[OverdueUpdate]


class ImportSummary(Record):
    """What an import wrote (all in one transaction): rows read, and objects created or changed."""

    rows: int
    projects_created: int = 0
    projects_updated: int = 0
    links_added: int = 0
    indicators_created: int = 0
    indicators_updated: int = 0
    periods_created: int = 0
    periods_updated: int = 0


# --- framework alignment of any text ---


class PredictedLink(Record):
    """One proposed framework label for a free text: its calibrated score and why."""

    code: str
    score: float
    evidence: dict[str, Any]


class TextPrediction(Record):
    """The ranked SDG, WSIS and GDC proposals for one text (``Hub.predict``)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    text: str
    sdg: list[PredictedLink] = Field(alias="SDG")
    wsis: list[PredictedLink] = Field(alias="WSIS")
    gdc: list[PredictedLink] = Field(alias="GDC")


# --- learning from reviews ---


class ReviewLearning(Record):
    """How the registry's recalibration from reviews does on reviews it did not see, per framework.

    Leave-one-initiative-out: each initiative's reviewed links are scored by a recalibration fitted
    on the other initiatives' reviews only; lower Brier score / log loss is better.
    """

    framework: str
    reviews: int
    accepted: int
    initiatives: int
    initiatives_recalibrated: int
    shipped_brier: float | None
    recalibrated_brier: float | None
    shipped_log_loss: float | None
    recalibrated_log_loss: float | None
    slope: float | None
    intercept: float | None
    applied: bool
