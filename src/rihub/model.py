"""The nouns of the regional preparatory process, as plain dataclasses.

Ingestion produces an :class:`Outline` of these; the store persists it and every
row keeps a :class:`Span` back into its :class:`SourceDocument` so a reviewer can
check the extraction against the original paragraph.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

REGIONS: dict[str, str] = {
    "ARB": "Arab States",
    "EUR": "Europe",
    "ASP": "Asia and the Pacific",
    "AMS": "Americas",
    "AFR": "Africa",
    "CIS": "Commonwealth of Independent States",
}

FRAMEWORKS = ("WSIS", "GDC", "SDG")


def as_sentences(*parts: str | None) -> str:
    """Fields read one after the other (title and objective; title and lead-in) as sentences.

    A title carries no full stop: joined to the next field by a space, an "including ..." list at
    its end runs on into the whole objective, and the aligner's salience view takes the objective
    for an illustration of the title.
    """
    out = ""
    for part in (p.strip() for p in parts if p and p.strip()):
        out = f"{out}{' ' if out[-1] in '.;:!?' else '. '}{part}" if out else part
    return out


# Where a document stands in the process, in precedence order: a later stage states an
# initiative with more authority (an RPM's draft < the coordination meeting's consolidated
# report < the WTDC's adopted action plan < an implementation report restating it).
STAGES = ("draft", "consolidated", "adopted", "report")

# The cycle of a document that names no WTDC: its initiatives still get one identity per code.
UNKNOWN_CYCLE = "unknown"


def cycle_year(code: str) -> int | None:
    """The year a cycle's conference is held, from its code: "WTDC-25" → 2025, "WTDC-2102" → 2102."""
    digits = "".join(ch for ch in code.rsplit("-", 1)[-1] if ch.isdigit())
    if not digits or not code[-1].isdigit():
        return None
    return 2000 + int(digits) if len(digits) <= 2 else int(digits)


@dataclass(frozen=True)
class Span:
    """Where a row came from: a range of source blocks (lines for text, paragraphs for Word)."""

    start: int
    end: int

    def union(self, other: Span) -> Span:
        return Span(min(self.start, other.start), max(self.end, other.end))


@dataclass
class Block:
    """One unit of source text after format decoding: a paragraph, heading or table row.

    ``loc`` is the 1-based line (text) or paragraph (Word/PDF) number, the anchor that
    provenance spans and lint findings point at.
    """

    kind: str  # "para" | "heading" | "row"
    text: str
    loc: int
    cells: list[str] = field(default_factory=list)
    level: int = 0
    end_loc: int = 0
    links: list[str | None] = field(default_factory=list)  # per cell: the first hyperlink's target (Word)
    # The field of the outline the block landed in ("title", "result", "mapping", "furniture", …);
    # empty while unassigned. Coverage accounting (rihub.ingest.coverage) reads it.
    role: str = ""

    @property
    def span(self) -> Span:
        return Span(self.loc, max(self.loc, self.end_loc))

    @property
    def size(self) -> int:
        return sum(map(len, self.cells)) if self.kind == "row" else len(self.text)


@dataclass
class SourceDocument:
    filename: str
    format: str  # "text" | "docx" | "pdf" | "markdown"
    sha256: str
    size: int
    title: str = ""
    language: str = "en"
    key: str = ""
    stage: str = "draft"  # one of STAGES: read from the document, or given with `rihub ingest --stage`


@dataclass
class Conference:
    code: str
    title: str = ""
    city: str | None = None
    country: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


@dataclass
class Officer:
    role: str  # "chair" | "vice-chair"
    honorific: str | None
    name: str
    country: str | None
    span: Span


@dataclass
class ReviewedDocument:
    number: int
    description: str
    span: Span


@dataclass
class Meeting:
    region: str
    kind: str = "rpm"
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    city: str | None = None
    country: str | None = None
    # A meeting's report and video, as the source gives them: the cell's text (``*_label``), the
    # hyperlink target when the source carries one (``*_url``), and whether the text only repeats
    # the column's heading ("Report" under "RPM Report": the name of a link, not a value).
    report_label: str | None = None
    report_url: str | None = None
    report_placeholder: bool | None = None
    video_label: str | None = None
    video_url: str | None = None
    video_placeholder: bool | None = None
    officers: list[Officer] = field(default_factory=list)
    documents_reviewed: list[ReviewedDocument] = field(default_factory=list)
    contributions: str | None = None
    span: Span | None = None


@dataclass
class Footnote:
    marker: str
    text: str
    span: Span


@dataclass
class SubItem:
    label: str
    text: str
    span: Span


@dataclass
class ExpectedResult:
    number: int
    text: str
    span: Span
    sub_items: list[SubItem] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    truncated: bool = False  # the document ends inside this result, without its closing punctuation


@dataclass
class DocumentAlignment:
    """A mapping the report itself states (provenance ``document``)."""

    framework: str  # "WSIS" | "GDC" | "SDG"
    code: str  # "C1" | "1" | "9"
    label: str  # the report's own wording of the item, when it gives more than the code
    span: Span


@dataclass
class AchievedResult:
    text: str
    span: Span


@dataclass
class Initiative:
    code: str
    region: str
    title: str
    span: Span
    kind: str = "initiative"  # "initiative" | "priority"
    stage: str = "draft"
    objective: str | None = None
    objective_kind: str | None = None  # "objective" | "rationale"
    results_lead_in: str | None = None
    expected_results: list[ExpectedResult] = field(default_factory=list)
    alignments: list[DocumentAlignment] = field(default_factory=list)
    # "Achieved results": what the document reports as done, implementation reporting against the
    # initiative, never an expected result.
    achieved_results: list[AchievedResult] = field(default_factory=list)
    code_derived: bool = False  # numbered "1. Title" under a region heading: code = region + number


REMOVED_ROLES = ("furniture", "contents")  # read as page furniture or a table of contents, not as text


@dataclass(frozen=True)
class Coverage:
    """Every paragraph of a source lands in a field of the outline (its block has a role) or is
    unassigned; page furniture and contents are removed and counted."""

    share: float  # characters assigned / characters of the source that are not furniture or contents
    unassigned: list[Block]
    furniture: int  # blocks removed as page furniture or contents


@dataclass
class Outline:
    """Everything one source document says, before it touches the database."""

    source: SourceDocument
    blocks: list[Block]
    conference: Conference | None = None
    meetings: list[Meeting] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    duplicates: list[Initiative] = field(default_factory=list)  # later initiatives reusing a code
    contents: list[str] = field(default_factory=list)  # the codes a table of contents lists

    def coverage(self) -> Coverage:
        """How much of the source landed in the outline: see :class:`Coverage`."""
        removed = [b for b in self.blocks if b.role in REMOVED_ROLES]
        kept = [b for b in self.blocks if b.role not in REMOVED_ROLES]
        total = sum(b.size for b in kept)
        assigned = sum(b.size for b in kept if b.role)
        return Coverage(assigned / total if total else 1.0, [b for b in kept if not b.role], len(removed))

    @property
    def expected_result_count(self) -> int:
        return sum(len(i.expected_results) for i in self.initiatives)

    @property
    def officer_count(self) -> int:
        return sum(len(m.officers) for m in self.meetings)
