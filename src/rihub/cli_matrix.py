"""`rihub themes` and `rihub matrix`: the six regions seen together (thin layer over the Hub)."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer
from rich.table import Table

from rihub.cli import CYCLE, app, console, emit_json, hub, shown
from rihub.errors import RihubError
from rihub.records import Matrix, ThemeMatch
from rihub.safe import csv_row


def _theme_text(m: ThemeMatch) -> str:
    return m.label if m.status == "term" else f"{m.label} (inferred)"


@app.command()
def themes(
    cycle: Annotated[str | None, CYCLE] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: every result's themes with evidence")] = False,
) -> None:
    """The themes of every initiative (from its words and its results'), and how results got theirs."""
    found = hub().themes(cycle)
    if as_json:
        emit_json(found)
        return
    table = Table("code", "region", "themes", "evidence", title=f"Themes of {found.cycle or 'an empty registry'}")
    for i in found.initiatives:
        table.add_row(
            i.code,
            i.region,
            shown("; ".join(_theme_text(m) for m in i.themes)),
            shown(" | ".join(f"{m.theme}: {m.evidence}" for m in i.themes[:3])),
        )
    console.print(table)
    c = found.counts
    console.print(
        f"{c.results} expected results: {c.by_terms} themed by terms, {c.by_fallback} by meaning only "
        f"(cosine ≥ {found.fallback_threshold}{'' if found.fallback else '; no embeddings: run `rihub align`'}), "
        f"{c.without_theme} without a theme · vocabulary {found.vocabulary_version} ({found.vocabulary_date})",
        highlight=False,
    )


@app.command()
def matrix(
    by: Annotated[str, typer.Option("--by", help="theme, SDG, WSIS or GDC")] = "theme",
    cycle: Annotated[str | None, CYCLE] = None,
    include: Annotated[
        str | None,
        typer.Option("--include", help="Link kinds counted: document,accepted,proposed [default: document,accepted]"),
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV: one row per region and column")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Which regions cover which themes (or SDG, WSIS, GDC items), and each region's gaps."""
    if as_csv and as_json:
        raise RihubError("choose one of --csv and --json")
    found = hub().matrix(by, cycle, include)
    if as_json:
        emit_json(found)
    elif as_csv:
        _write_csv(found)
    else:
        _print(found)


def _write_csv(found: Matrix) -> None:
    from rihub.analysis.matrix import rows

    table = [r.model_dump() for r in rows(found)]
    writer = csv.DictWriter(sys.stdout, fieldnames=list(table[0]) if table else [], lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_row(r) for r in table)


def _print(found: Matrix) -> None:
    title = f"{found.by} × region, {found.cycle or 'empty registry'}: initiatives · expected results"
    table = Table(found.by, *found.regions, title=title, caption=f"counting {', '.join(found.include)} links")
    for column in found.columns:
        cells = []
        for region in found.regions:
            cell = found.cell(region, column.code)
            text = f"{cell.initiatives} · {cell.results}" if cell.initiatives or cell.results else "–"
            left_out = sum(1 for i in cell.items if not i.counted)
            cells.append(text + (f" [dim](+{left_out})[/dim]" if left_out else ""))
        table.add_row(shown(f"{column.code} {column.label}"[:60]), *cells)
    console.print(table)
    if any(not i.counted for cell in found.cells for i in cell.items):
        console.print("[dim](+n): items whose links are of a kind not counted (see --include)[/dim]")
    for gap in found.gaps:
        if gap.columns:
            listed = ", ".join(f"{g.code} ({'/'.join(g.covered_by)})" for g in gap.columns)
            console.print(f"[bold]{gap.region}[/bold] does not cover: {shown(listed)}", highlight=False)
