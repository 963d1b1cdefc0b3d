"""The coverage matrix: regions × themes (or SDG goals, WSIS action lines, GDC objectives), and gaps.

Each cell lists the initiatives and expected results it counts. Link kinds are kept apart and never
merged silently:

* ``document`` — stated in the source (its mapping table; for themes: the theme's terms are in the text);
* ``accepted`` — a person accepted a model proposal or added the link (themes are not reviewed);
* ``proposed`` — the model's, not yet reviewed (for themes: inferred from meaning only).

Rejected links are never counted. ``include`` chooses the kinds a cell counts (``document`` and
``accepted`` by default); the counts of every kind are in ``by_kind`` whatever ``include`` is. An
initiative counts in a cell when it is linked itself or through one of its results; each item is
filed under its strongest link kind (document > accepted > proposed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rihub import frameworks
from rihub.analysis.themes import vocabulary
from rihub.errors import RihubError
from rihub.records import (
    CoverageLink,
    GapColumn,
    KindCounts,
    LinkKind,
    Matrix,
    MatrixBy,
    MatrixCell,
    MatrixColumn,
    MatrixItem,
    MatrixRow,
    RegionGaps,
    ThemeAssignments,
)

BY: tuple[MatrixBy, ...] = ("theme", "SDG", "WSIS", "GDC")
KINDS: tuple[LinkKind, ...] = ("document", "accepted", "proposed")
DEFAULT_INCLUDE: tuple[LinkKind, ...] = ("document", "accepted")
MEANING = {
    "theme": {
        "document": "the theme's terms are in the text",
        "accepted": "not used: themes are not reviewed",
        "proposed": "inferred from meaning (stored embeddings), not reviewed",
    },
    "framework": {
        "document": "stated in the source document's mapping table",
        "accepted": "a person accepted a proposal or added the link",
        "proposed": "proposed by the model, not yet reviewed",
    },
}


class ChoiceError(RihubError):
    """An option the matrix does not know (a ``by`` or an ``include`` kind)."""


def parse_by(value: str) -> MatrixBy:
    wanted = value.strip()
    for by in BY:
        if wanted.upper() == by.upper():
            return by
    raise ChoiceError(f"unknown matrix by {value!r}; use theme, SDG, WSIS or GDC")


def parse_include(value: str | Sequence[str] | None) -> tuple[LinkKind, ...]:
    """``"document,accepted,proposed"`` (or a list) → the kinds, in their fixed order."""
    if value is None:
        return DEFAULT_INCLUDE
    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in v.split(",")]
    asked = {p.strip().lower() for p in parts if p.strip()}
    unknown = sorted(asked - set(KINDS))
    if unknown or not asked:
        raise ChoiceError(
            f"unknown link kind {', '.join(unknown) or '(none)'}; include is a list of {', '.join(KINDS)}"
        )
    return tuple(k for k in KINDS if k in asked)


def link_kind(provenance: str, status: str) -> LinkKind | None:
    if status == "rejected":
        return None
    if provenance == "document":
        return "document"
    return "accepted" if status == "accepted" else "proposed"


@dataclass
class _Item:
    region: str
    code: str
    result: int | None
    text: str
    kinds: set[LinkKind] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    """One reason an item is in a cell: its link (or theme) of one kind, with evidence."""

    region: str
    column: str
    code: str
    result: int | None
    text: str
    kind: LinkKind
    evidence: str


def _strongest(kinds: Iterable[LinkKind]) -> LinkKind:
    return min(kinds, key=KINDS.index)


def build(
    by: MatrixBy,
    cycle: str | None,
    regions: Sequence[str],
    columns: Sequence[tuple[str, str]],
    entries: Iterable[Entry],
    include: Sequence[LinkKind],
) -> Matrix:
    """The matrix from its entries: cells with items and counts, columns' coverage, and gaps."""
    known = {c for c, _ in columns}
    grid: dict[tuple[str, str], dict[tuple[str, int | None], _Item]] = {}
    for e in entries:
        if e.column not in known or e.region not in regions:
            continue
        items = grid.setdefault((e.region, e.column), {})
        item = items.setdefault((e.code, e.result), _Item(e.region, e.code, e.result, e.text))
        item.kinds.add(e.kind)
        if e.evidence not in item.evidence:
            item.evidence.append(e.evidence)
    cells = [_cell(r, c, grid.get((r, c), {}), include) for r in regions for c, _ in columns]
    covering = {c: [cell.region for cell in cells if cell.column == c and _covers(cell)] for c, _ in columns}
    gaps = [
        RegionGaps(
            region=r,
            columns=[
                GapColumn(code=c, label=label, covered_by=covering[c])
                for c, label in columns
                if covering[c] and r not in covering[c]
            ],
        )
        for r in regions
    ]
    return Matrix(
        by=by,
        cycle=cycle,
        include=list(include),
        kinds=MEANING["theme" if by == "theme" else "framework"],
        regions=list(regions),
        columns=[MatrixColumn(code=c, label=label, regions=covering[c]) for c, label in columns],
        cells=cells,
        gaps=gaps,
    )


def _covers(cell: MatrixCell) -> bool:
    return bool(cell.initiatives or cell.results)


def _cell(
    region: str, column: str, found: dict[tuple[str, int | None], _Item], include: Sequence[LinkKind]
) -> MatrixCell:
    ordered = sorted(found.values(), key=lambda i: (i.code, i.result or 0))
    items = [
        MatrixItem(
            code=i.code,
            region=i.region,
            result=i.result,
            text=i.text,
            link=_strongest(i.kinds),
            counted=bool(i.kinds & set(include)),
            evidence="; ".join(i.evidence),
        )
        for i in ordered
    ]
    by_kind: dict[str, KindCounts] = {
        k: KindCounts(
            initiatives=sum(1 for i in items if i.link == k and i.result is None),
            results=sum(1 for i in items if i.link == k and i.result is not None),
        )
        for k in KINDS
    }
    return MatrixCell(
        region=region,
        column=column,
        initiatives=sum(1 for i in items if i.counted and i.result is None),
        results=sum(1 for i in items if i.counted and i.result is not None),
        by_kind=by_kind,
        items=items,
    )


# --- the entries of each kind of matrix -------------------------------------------------------------


def theme_entries(assignments: ThemeAssignments) -> list[Entry]:
    """Term matches are ``document`` (the words are in the source); inferred themes are ``proposed``."""
    out = []
    for i in assignments.initiatives:
        for m in i.themes:
            kind: LinkKind = "document" if m.status == "term" else "proposed"
            out.append(Entry(i.region, m.theme, i.code, None, i.title, kind, m.evidence))
        for r in i.results:
            for m in r.themes:
                kind = "document" if m.status == "term" else "proposed"
                out.append(Entry(i.region, m.theme, i.code, r.number, r.text, kind, m.evidence))
    return out


def theme_columns() -> list[tuple[str, str]]:
    return [(t.code, t.label) for t in vocabulary().themes]


def framework_columns(framework: str) -> list[tuple[str, str]]:
    return [(g.code, g.title) for g in frameworks.goals(framework)]


def _top_level(framework: str) -> dict[str, str]:
    """Every code of the framework → its goal (a target counts for its goal)."""
    return {i.code: i.parent or i.code for i in frameworks.load(framework)}


def framework_entries(framework: str, links: Iterable[CoverageLink]) -> list[Entry]:
    """A result's link also puts its initiative in the cell, with the same kind ("via result n")."""
    goal_of = _top_level(framework)
    out = []
    for link in links:
        kind = link_kind(link.provenance, link.status)
        goal = goal_of.get(link.code)
        if kind is None or goal is None:
            continue
        how = kind if link.score is None else f"{kind}, score {link.score:.2f}"
        label = f"{framework} {link.code}"
        if link.result is None:
            out.append(Entry(link.region, goal, link.initiative, None, link.title, kind, f"{label} ({how})"))
            continue
        out.append(Entry(link.region, goal, link.initiative, link.result, link.text or "", kind, f"{label} ({how})"))
        via = f"{label} via expected result {link.result} ({kind})"
        out.append(Entry(link.region, goal, link.initiative, None, link.title, kind, via))
    return out


def _ref(item: MatrixItem) -> str:
    return item.code if item.result is None else f"{item.code}.{item.result}"


def rows(matrix: Matrix) -> list[MatrixRow]:
    """One flat row per region and column (no nested values: what a spreadsheet opens)."""
    labels = {c.code: c.label for c in matrix.columns}
    out = []
    for cell in matrix.cells:
        kinds = {f"{k}_{part}": getattr(cell.by_kind[k], part) for k in KINDS for part in ("initiatives", "results")}
        out.append(
            MatrixRow(
                by=matrix.by,
                cycle=matrix.cycle,
                region=cell.region,
                column=cell.column,
                label=labels[cell.column],
                initiatives=cell.initiatives,
                results=cell.results,
                **kinds,
                counted="; ".join(_ref(i) for i in cell.items if i.counted),
                not_counted="; ".join(f"{_ref(i)} ({i.link})" for i in cell.items if not i.counted),
            )
        )
    return out
