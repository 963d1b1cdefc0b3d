"""Records of the registry's documents: cycles, regions, sources, meetings, initiatives, versions, counts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import Field, computed_field

from rihub.model import REMOVED_ROLES, as_sentences
from rihub.records.base import Record, Span, Timestamp
from rihub.tabular import SOURCE_POSITION

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
        """The initiative's own words: title and objective, read as sentences."""
        return as_sentences(self.title, self.objective)


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
