"""`rihub monitor import|export|template`: implementation monitoring as a spreadsheet.

Registered on the main Typer app by ``rihub.cli``; the work is :meth:`rihub.hub.Hub.monitor_import`,
``monitor_export`` and ``monitor_template`` (the layout: docs/monitoring.md). The command line
writes as the machine's operator, an admin without an account (``cli:<os user>`` in the audit trail).
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer

from rihub.cli import app, console, err, hub, shown
from rihub.errors import ImportRowsError
from rihub.records import Actor
from rihub.safe import terminal

monitor_app = typer.Typer(help="Projects, indicators and periods as a CSV or XLSX file: export, edit, import.")
app.add_typer(monitor_app, name="monitor")
FORMAT = typer.Option("--format", "-f", help="xlsx or csv")


def operator() -> Actor:
    """The command line's actor: the machine's operator, with an admin's rights and no account."""
    return Actor(user_id=None, username=f"cli:{getpass.getuser()}", role="admin")


def _write(data: bytes, output: Path) -> None:
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        err.print(f"wrote {shown(output)} ({len(data) / 1024:,.0f} KiB)")


@monitor_app.command("export")
def monitor_export(
    fmt: Annotated[str, FORMAT] = "xlsx",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File, or - for stdout")] = None,
) -> None:
    """Every project, indicator and period, one row per period, with their ids and versions."""
    _write(hub().monitor_export(fmt), output or Path(f"rihub-monitoring.{fmt}"))


@monitor_app.command("template")
def monitor_template(
    fmt: Annotated[str, FORMAT] = "xlsx",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File, or - for stdout")] = None,
) -> None:
    """An empty file in the import layout (the workbook explains each column on its Notes sheet)."""
    from rihub.hub import Hub

    _write(Hub.monitor_template(fmt), output or Path(f"rihub-monitoring-template.{fmt}"))


@monitor_app.command("import")
def monitor_import(file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file in the monitoring layout")]) -> None:
    """Create or update projects, indicators and periods from a file, all in one transaction:
    a file with a bad row changes nothing, and every bad row is listed with its column."""
    try:
        summary = hub().monitor_import(file, operator())
    except ImportRowsError as exc:
        for row, column, message in exc.errors:
            err.print(f"error: row {row}, column {column}: {terminal(message)}", markup=False, highlight=False)
        err.print(f"nothing was imported from {shown(file)} ({len(exc.errors)} errors)")
        raise typer.Exit(1) from None
    counts = summary.model_dump(exclude={"rows"})
    done = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items() if v) or "nothing changed"
    console.print(f"{summary.rows} rows read from {shown(file)}: {done}")
