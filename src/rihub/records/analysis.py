"""Records of what rihub reads into the registry: framework links, lineage, search, overlaps, themes,
coverage, predictions for any text and learning from reviews."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, computed_field

from rihub.records.base import Record, Span, Timestamp
from rihub.tabular import PRESENTATION

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
    chars_scored: int | None = None
    """Set when the text was longer than the aligner reads: how many of its characters were scored."""
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
    per_label_brier: float | None = Field(None, description="With each label's own offset too")
    per_label_log_loss: float | None = None
    slope: float | None
    intercept: float | None
    label_offsets: dict[str, float] = Field(
        default_factory=dict, description="Label -> logit offset learnt from its reviews (labels with enough)"
    )
    applied: bool
    decision: str | None = Field(
        None,
        description="What `calibrate` applied (shipped, framework fit, per-label offsets) and the figures behind it",
    )
