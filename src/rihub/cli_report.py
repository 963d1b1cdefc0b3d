"""`rihub report`: a consolidated, region or initiative report in Word, PDF, HTML, Markdown or Excel.

Registered on the main Typer app by ``rihub.cli``; the work is :meth:`rihub.hub.Hub.report`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from rihub.cli import app, err, hub, shown


@app.command()
def report(
    kind: Annotated[str, typer.Argument(help="consolidated (the whole cycle), region or initiative")],
    code: Annotated[str | None, typer.Argument(help="Region (EUR) or initiative (EUR1) code")] = None,
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
    `rihub report initiative EUR1 --format pdf`."""
    from rihub.report import filename, format_of

    h = hub()
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
