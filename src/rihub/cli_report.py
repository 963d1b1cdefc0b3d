"""`rihub report`: a consolidated, region or initiative report in Word, PDF, HTML, Markdown or Excel.

Registered on the main Typer app by ``rihub.cli``; the work is :meth:`rihub.hub.Hub.report`.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from rihub.cli import app, err, hub, shown
from rihub.errors import RihubError


@app.command()
def report(
    kind: Annotated[
        str, typer.Argument(help="consolidated (the whole cycle), region, initiative, or annual (progress)")
    ],
    code: Annotated[
        str | None, typer.Argument(help="Region (EUR) or initiative (EUR1) code; for annual: region or initiative")
    ] = None,
    target: Annotated[str | None, typer.Argument(help="annual only: the region or initiative code")] = None,
    year: Annotated[int | None, typer.Option("--year", help="annual only: the year [default: this year]")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="docx, pdf, html, md or xlsx")] = "docx",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write, or - for stdout [default: rihub-KIND-CODE-CYCLE.FORMAT]"),
    ] = None,
    cycle: Annotated[
        str | None, typer.Option("--cycle", help="WTDC cycle such as WTDC-25 [default: the latest]")
    ] = None,
) -> None:
    """Write a report of one cycle: `rihub report consolidated --format docx`, `rihub report region EUR`,
    `rihub report initiative EUR1 --format pdf`, or the annual progress report of a region or an
    initiative: `rihub report annual region AFR --year 2026 --format pdf`."""
    from rihub.report import filename, format_of

    h = hub()
    if kind == "annual":
        _annual(h, code, target, year, fmt, output, cycle)
        return
    if target is not None or year is not None:
        raise RihubError("a third argument and --year are for `rihub report annual region|initiative CODE`")
    fmt = format_of(fmt)
    if output is None:
        output = Path(filename(kind, code, h.cycle(cycle), fmt))
    to_stdout = str(output) == "-"
    columns = (TextColumn("{task.description:<24}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("starting", total=3)

        def advance(done: int, total: int, step: str) -> None:
            progress.update(task, completed=done, total=total, description=step)

        data = h.report(kind, code, cycle, fmt, progress=advance, output=None if to_stdout else output)
    if to_stdout:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        err.print(f"wrote {shown(output)} ({len(data) / 1024:,.0f} KiB)")


def _annual(
    h: Any, kind: str | None, code: str | None, year: int | None, fmt: str, output: Path | None, cycle: str | None
) -> None:
    if kind is None or code is None:
        raise RihubError("name what the annual report covers: `rihub report annual region AFR --year 2026`")
    year = year or dt.date.today().year
    fmt = fmt.strip().lower()
    output = output or Path(f"rihub-annual-{kind}-{code.strip().upper()}-{year}.{fmt}")
    if str(output) == "-":
        sys.stdout.buffer.write(h.annual_report(kind, code, year, cycle, fmt))
        sys.stdout.flush()
        return
    data = h.annual_report(kind, code, year, cycle, fmt, output)
    err.print(f"wrote {shown(output)} ({len(data) / 1024:,.0f} KiB)")
