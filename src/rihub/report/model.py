"""The report as typed data: read once from the registry (stored data only, no model), drawn by
every writer (:mod:`rihub.report.docx`, ``html``, ``pdf``, ``markdown``, ``xlsx``).

The cross-regional synthesis is a list of :class:`SynthesisPart` — a heading, a note, a table and
an optional heat-map chart — so a new view of the six regions (themes, overlap clusters, gaps) is
one more part appended by :func:`synthesis_parts`, with no change to any writer.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from rihub.errors import InputError, NotFoundError
from rihub.model import REGIONS, STAGES
from rihub.records import Alignment, Cycle, InitiativeNested, Matrix, Meeting, Overlaps, Record, SourceFinding

if TYPE_CHECKING:
    from rihub.hub import Hub

Kind = Literal["consolidated", "region", "initiative"]
KINDS: tuple[str, ...] = ("consolidated", "region", "initiative")
COVERAGE_FRAMEWORKS = ("SDG", "WSIS")
# How a registry's stage is stated in the title area, in words the ingest reads back
# (rihub.ingest.itu.STAGE_RULES): a report re-ingested keeps the stage it was written from.
STAGE_TITLES = {
    "draft": "Outcomes of the Regional Preparatory Meetings for {cycle}",
    "consolidated": "Consolidated report of the Regional Preparatory Meetings for {cycle}",
    "adopted": "Regional Initiatives of the {cycle} Action Plan",
    "report": "Implementation report on the Regional Initiatives of {cycle}",
}


class OtherLink(Record):
    """A framework link the source does not state: a model proposal or a person's link."""

    subject: str  # "initiative" or "result 3"
    framework: str
    code: str
    label: str | None
    provenance: str  # model | person
    status: str  # proposed | accepted
    score: float | None


class InitiativePart(Record):
    """An initiative with its links split: what the source states, and what was added since."""

    item: InitiativeNested
    document_links: list[Alignment]
    other_links: list[OtherLink]


class RegionPart(Record):
    code: str
    name: str
    number: str  # "2.3": the section number of the region in the consolidated report
    meeting: Meeting | None
    initiatives: list[InitiativePart]  # kind "initiative" (with codes in the source)
    priorities: list[InitiativeNested]  # kind "priority" (numbered titles; their codes follow the order)


class Heatmap(Record):
    """A grid of counts: ``rows`` × ``columns``, ``values[r][c]`` agreed, ``extra[r][c]`` proposed only."""

    title: str
    rows: list[str]
    columns: list[str]
    values: list[list[int]]
    extra: list[list[int]]


class SynthesisPart(Record):
    key: str
    title: str
    note: str
    columns: list[str]
    rows: list[list[str]]
    chart: Heatmap | None = None


class Report(Record):
    kind: str
    code: str | None
    cycle: Cycle | None
    title: str
    subtitle: str
    stage: str
    generated: dt.date
    meetings: list[Meeting]
    regions: list[RegionPart]
    synthesis: list[SynthesisPart]
    findings: list[SourceFinding]

    @property
    def initiatives(self) -> list[InitiativeNested]:
        return [p.item for r in self.regions for p in r.initiatives] + [p for r in self.regions for p in r.priorities]

    @property
    def result_count(self) -> int:
        return sum(len(p.item.expected_results) for r in self.regions for p in r.initiatives)


def build_report(hub: Hub, kind: str, code: str | None = None, cycle: str | None = None) -> Report:
    """Everything a report shows, read from the registry in a handful of queries."""
    if kind not in KINDS:
        raise InputError(f"unknown report {kind!r}; use one of {', '.join(KINDS)}")
    if kind != "consolidated" and not code:
        raise InputError(f"a {kind} report needs a code, e.g. `rihub report {kind} {_example(kind)}`")
    resolved = hub.cycle(cycle)
    if resolved is None:
        raise NotFoundError("the registry is empty; ingest a report first (`rihub ingest --demo`)")
    items = hub.initiatives(cycle=resolved)
    meetings = hub.meetings(cycle=resolved)
    if kind == "region":
        code = str(code).strip().upper()
        if code not in REGIONS:
            raise NotFoundError(f"no region {code!r}; use one of {', '.join(REGIONS)}")
        items, meetings = [i for i in items if i.region == code], [m for m in meetings if m.region == code]
    elif kind == "initiative":
        code = str(code).strip().upper()
        items = [i for i in items if i.code == code]
        if not items:
            raise NotFoundError(
                f"no initiative {code!r} in {resolved}; `rihub show --cycle {resolved}` lists the codes"
            )
        meetings = [m for m in meetings if m.region == items[0].region]
    conference = next((c for c in hub.cycles() if c.code == resolved), None)
    regions = region_parts(items, meetings, kind)
    stage = max((i.stage for i in items), key=STAGES.index, default="consolidated")
    return Report(
        kind=kind,
        code=code if kind != "consolidated" else None,
        cycle=conference,
        title=_title(kind, code, resolved, stage, items),
        subtitle=_subtitle(kind, resolved, conference),
        stage=stage,
        generated=dt.date.today(),
        meetings=meetings,
        regions=regions,
        synthesis=synthesis_parts(hub, resolved, regions) if kind != "initiative" else [],
        findings=_findings(hub, resolved, items, meetings, kind),
    )


def _example(kind: str) -> str:
    return "EUR" if kind == "region" else "EUR1"


def _title(kind: str, code: str | None, cycle: str, stage: str, items: list[InitiativeNested]) -> str:
    if kind == "initiative":
        return f"{items[0].code}: {items[0].title}"
    title = STAGE_TITLES[stage].format(cycle=cycle)
    return title if kind == "consolidated" else f"{title}: {REGIONS[str(code)]} Region"


def _subtitle(kind: str, cycle: str, conference: Cycle | None) -> str:
    name = conference.title if conference and conference.title else "World Telecommunication Development Conference"
    what = {"consolidated": "Consolidated report", "region": "Region report", "initiative": "Initiative brief"}[kind]
    return f"{what} · {name} ({cycle})"


def region_parts(items: list[InitiativeNested], meetings: list[Meeting], kind: str) -> list[RegionPart]:
    """One part per region that has a meeting or initiatives, in the ITU order of the regions."""
    by_meeting = {m.region: m for m in meetings}
    present = [r for r in REGIONS if r in by_meeting or any(i.region == r for i in items)]
    parts = []
    for index, region in enumerate(present, start=1):
        own = [i for i in items if i.region == region]
        parts.append(
            RegionPart(
                code=region,
                name=REGIONS[region],
                number=f"2.{index}" if kind == "consolidated" else "2",
                meeting=by_meeting.get(region),
                initiatives=[initiative_part(i) for i in own if i.kind != "priority"],
                priorities=[i for i in own if i.kind == "priority"],
            )
        )
    return parts


def initiative_part(item: InitiativeNested) -> InitiativePart:
    """Document links (the source's own table) apart from model proposals and person links."""
    document = [a for a in item.alignments if a.provenance == "document"]
    other = [_other("initiative", a) for a in item.alignments if a.provenance != "document" and a.status != "rejected"]
    for result in item.expected_results:
        other.extend(
            _other(f"result {result.number}", a)
            for a in result.alignments
            if a.provenance != "document" and a.status != "rejected"
        )
    return InitiativePart(item=item, document_links=document, other_links=other)


def _other(subject: str, a: Alignment) -> OtherLink:
    return OtherLink(
        subject=subject,
        framework=a.framework,
        code=a.code,
        label=a.label,
        provenance=a.provenance,
        status=a.status,
        score=a.score,
    )


# --- synthesis ---------------------------------------------------------------------------------


def synthesis_parts(hub: Hub, cycle: str, regions: list[RegionPart]) -> list[SynthesisPart]:
    """The cross-regional views, in reading order: themes, SDG and WSIS coverage (the same counts as
    ``rihub matrix``), the overlap clusters (``rihub overlaps``) and the gaps."""
    codes = [r.code for r in regions]
    themes = hub.matrix(by="theme", cycle=cycle, include=list(ALL_KINDS))
    parts = [coverage_part(themes, codes)]
    parts += [coverage_part(hub.matrix(by=f, cycle=cycle, include=list(ALL_KINDS)), codes) for f in COVERAGE_FRAMEWORKS]
    parts.append(overlap_part(hub.overlaps(cycle=cycle), codes))
    parts.append(gaps_part(hub.matrix(by="theme", cycle=cycle), codes))
    return parts


ALL_KINDS = ("document", "accepted", "proposed")
_NAMES = {"theme": "Themes", "SDG": "Sustainable Development Goals", "WSIS": "WSIS Action Lines", "GDC": "GDC"}


def coverage_part(matrix: Matrix, regions: list[str]) -> SynthesisPart:
    """Columns of one matrix × regions: initiatives with an agreed link (for themes: matched by terms)
    and, in brackets, how many more have only a proposed one (for themes: inferred in meaning)."""
    shown = [r for r in matrix.regions if r in regions]

    def counts(region: str, column: str) -> tuple[int, int]:
        kinds = matrix.cell(region, column).by_kind
        agreed = sum(kinds[k].initiatives for k in ("document", "accepted") if k in kinds)
        return agreed, kinds["proposed"].initiatives if "proposed" in kinds else 0

    grid = {(r, c.code): counts(r, c.code) for r in shown for c in matrix.columns}
    label = {"SDG": "SDG {}"}.get(matrix.by, "{}")
    rows = []
    for column in matrix.columns:
        row = [label.format(column.code), column.label]
        for r in shown:
            agreed, extra = grid[r, column.code]
            text = str(agreed) if agreed else "–"
            row.append(f"{text} (+{extra})" if extra else text)
        rows.append(row)
    agreed_total = sum(a for a, _ in grid.values())
    proposed_total = sum(e for _, e in grid.values())
    agreed_means, proposed_means = (
        ("whose text states the theme's terms", "close in meaning only")
        if matrix.by == "theme"
        else ("stated in the source or accepted by a reviewer", "only proposed by the model and not yet reviewed")
    )
    return SynthesisPart(
        key=f"coverage-{matrix.by.lower()}",
        title=f"{_NAMES[matrix.by]}: coverage by region",
        note=(
            f"Initiatives and priorities of each region per {matrix.by} column: {agreed_total} {agreed_means}, "
            f"and in brackets {proposed_total} more {proposed_means}. A dash is a gap: no initiative of "
            "the region covers the column."
        ),
        columns=[matrix.by if matrix.by != "theme" else "Theme", "Title", *shown],
        rows=rows,
        chart=Heatmap(
            title=f"{_NAMES[matrix.by]}: initiatives per region (agreed; +proposed)",
            rows=shown,
            columns=[label.format(c.code) if matrix.by != "theme" else c.label for c in matrix.columns],
            values=[[grid[r, c.code][0] for c in matrix.columns] for r in shown],
            extra=[[grid[r, c.code][1] for c in matrix.columns] for r in shown],
        ),
    )


def overlap_part(found: Overlaps, regions: list[str]) -> SynthesisPart:
    """The clusters of expected results several regions share (those touching the report's regions)."""
    clusters = [c for c in found.shared if set(c.regions) & set(regions)]
    rows = [
        [
            ", ".join(f"{m.code}.{m.number}" for m in c.members),
            c.representative,
            ", ".join(c.regions),
            ", ".join(c.regions_lacking) or "–",
            ", ".join(c.shared_terms) or "–",
        ]
        for c in clusters
    ]
    every = len(found.every_region)
    return SynthesisPart(
        key="overlaps",
        title="Overlaps: what several regions ask in different words",
        note=(
            f"{len(clusters)} clusters of expected results from two or more regions ({found.mode} similarity; "
            f"{every} asked by every region that states expected results); the representative is the "
            "member closest to the others. Listed as in `rihub overlaps`."
        ),
        columns=["Results", "Representative", "Regions", "Regions lacking it", "Shared words"],
        rows=rows,
    )


def gaps_part(matrix: Matrix, regions: list[str]) -> SynthesisPart:
    """Per region, the themes other regions cover (by terms) and it does not."""
    rows = [[g.region, c.label, ", ".join(c.covered_by)] for g in matrix.gaps if g.region in regions for c in g.columns]
    return SynthesisPart(
        key="gaps",
        title="Gaps: themes other regions cover",
        note=(
            "For each region, the themes that initiatives of other regions state and none of its own does "
            "(as in `rihub matrix --by theme`)."
        ),
        columns=["Region", "Theme", "Covered by"],
        rows=rows,
    )


# --- annex ---------------------------------------------------------------------------------------


def _findings(
    hub: Hub, cycle: str, items: list[InitiativeNested], meetings: list[Meeting], kind: str
) -> list[SourceFinding]:
    """The lint findings of the cycle's source documents; for a region or initiative, those on its lines."""
    sources = {s.id for s in hub.source_documents() if s.conference == cycle}
    found = [f for f in hub.findings() if f.source_id in sources]
    if kind == "consolidated":
        return found
    spans = [i.span for i in items]
    if kind == "region":
        spans += [o.span for m in meetings for o in m.officers] + [
            d.span for m in meetings for d in m.documents_reviewed
        ]
    return [
        f
        for f in found
        if f.loc is not None
        and any(s.source_id == f.source_id and (s.start or 0) <= f.loc <= (s.end or s.start or 0) for s in spans)
    ]
