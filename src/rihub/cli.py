"""`rihub` on the command line: a thin Typer layer over :class:`rihub.hub.Hub`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rihub.errors import RihubError

app = typer.Typer(
    name="rihub",
    help="Regional Initiatives hub: ingest, check, browse and export ITU-D RPM outcome reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)
state: dict[str, Any] = {"db": None}


def hub() -> Any:
    from rihub.hub import Hub

    return Hub(state["db"])


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL or SQLite path [env: RIHUB_DATABASE_URL; default sqlite:///rihub.db]"),
    ] = None,
) -> None:
    state["db"] = db


@app.command()
def ingest(
    files: Annotated[list[Path] | None, typer.Argument(help="Report files: .txt, .docx or .pdf")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Ingest the bundled WTDC-25 coordination report")] = False,
) -> None:
    """Load reports into the registry in one transaction (all files or none)."""
    h = hub()
    if demo:
        outcomes = [h.ingest_demo()]
    elif not files:
        raise RihubError("no files given; name one or more reports, or use --demo")
    elif len(files) == 1:
        outcomes = h.ingest(files)
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("parsing", total=len(files))
            outcomes = h.ingest(files, progress=lambda _name: progress.advance(task))
    table = Table("file", "action", "initiatives", "expected results", "meetings", title="Ingested")
    for o in outcomes:
        action = f"{o.action} (supersedes #{o.replaced_id})" if o.replaced_id else o.action
        table.add_row(o.filename, action, str(o.initiatives), str(o.expected_results), str(o.meetings))
    console.print(table)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or csv")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (json) or folder (csv)")] = None,
) -> None:
    """Export the registry as open data (JSON document, or CSV tables + datapackage.json)."""
    h = hub()
    if fmt == "json":
        data = h.export_json()
        if output:
            output.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            err.print(f"wrote {output}")
        else:
            emit_json(data)
    elif fmt == "csv":
        if output is None:
            raise RihubError("--format csv writes one file per table: give a folder with --output")
        for path in h.export_csv(output):
            err.print(f"wrote {path}")
    else:
        raise RihubError(f"unknown format {fmt!r}; use json or csv")


@app.command()
def show(
    code: Annotated[str | None, typer.Argument(help="Initiative code such as EUR1; omit to list all")] = None,
    region: Annotated[str | None, typer.Option(help="Only this region (ARB, EUR, ASP, AMS, AFR, CIS)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Show one initiative in full, or list the initiatives."""
    h = hub()
    if code:
        item = h.initiative(code)
        if as_json:
            emit_json(item)
            return
        console.print(f"[bold]{item['code']}[/bold] ({item['region_name']}, {item['kind']}, {item['stage']})")
        console.print(f"[bold]{item['title']}[/bold]", highlight=False)
        if item["objective"]:
            console.print(f"\n[italic]{item['objective_kind'].capitalize()}:[/italic] {item['objective']}",
                          highlight=False)
        if item["expected_results"]:
            console.print("\n[bold]Expected results[/bold]")
            if item["results_lead_in"]:
                console.print(item["results_lead_in"], highlight=False)
        for r in item["expected_results"]:
            console.print(f"  {r['number']}. {r['text']}", highlight=False)
            for s in r["sub_items"]:
                console.print(f"     {s['label']}) {s['text']}", highlight=False)
            for n in r["footnotes"]:
                console.print(f"     [dim]footnote {n['marker']}: {n['text']}[/dim]", highlight=False)
        if item["alignments"]:
            console.print("\n[bold]Alignments[/bold]")
            for a in item["alignments"]:
                console.print(f"  {a['framework']} {a['code']}  [dim]{a['provenance']}, {a['status']}[/dim]")
        return
    items = h.initiatives(region=region, nested=False)
    if as_json:
        emit_json(items)
        return
    table = Table("code", "region", "kind", "title", "results", title="Initiatives")
    for i in items:
        table.add_row(i["code"], i["region"], i["kind"], i["title"], str(i["expected_result_count"]))
    console.print(table)


@app.command()
def lint(
    files: Annotated[list[Path], typer.Argument(help="Report files to check")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when there are errors")] = False,
) -> None:
    """Report defects in source reports for their editors (nothing is stored)."""
    from rihub.hub import Hub

    all_findings = {str(f): Hub.lint(f) for f in files}
    if as_json:
        emit_json({name: [vars(x) for x in found] for name, found in all_findings.items()})
    else:
        for name, found in all_findings.items():
            table = Table("line", "severity", "check", "message", "suggestion", title=f"{name}: {len(found)} findings")
            for f in found:
                table.add_row(str(f.loc or ""), f.severity, f.code, f.message, f.suggestion)
            console.print(table)
    if strict and any(f.severity == "error" for found in all_findings.values() for f in found):
        raise typer.Exit(1)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Counts per region and in total."""
    data = hub().stats()
    if as_json:
        emit_json(data)
        return
    table = Table("region", "name", "initiatives", "priorities", "expected results", "officers", "documents",
                  title="rihub registry")
    for r in data["regions"]:
        table.add_row(r["region"], r["name"], str(r["initiatives"]), str(r["priorities"]), str(r["expected_results"]),
                      str(r["officers"]), str(r["documents_reviewed"]))
    table.add_section()
    table.add_row("all", "", str(data["initiatives"]), str(data["priorities"]), str(data["expected_results"]),
                  str(data["officers"]), str(data["documents_reviewed"]))
    console.print(table)
    console.print(f"{data['meetings']} meetings · {data['alignments']} alignments · {data['findings']} lint findings "
                  f"· {data['source_documents']} source document(s)")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface [env: RIHUB_HOST; default 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Port [env: RIHUB_PORT; default 8000]")] = None,
) -> None:
    """Serve the web pages and JSON API (read-only) for browsing, searching and comparing."""
    import uvicorn

    from rihub.config import Settings
    from rihub.web.app import create_app

    settings = Settings.from_env()
    host = host or settings.host
    port = port if port is not None else settings.port
    application = create_app(hub())
    shown = f"[{host}]" if ":" in host else host
    err.print(f"rihub: serving http://{shown}:{port}/  (API at /api, docs at /docs; Ctrl+C stops)", highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False)


def main() -> None:
    """Entry point: every rihub error becomes one line on stderr and a non-zero exit."""
    try:
        app()
    except RihubError as exc:
        err.print(f"error: {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("RIHUB_DEBUG"):
            raise
        err.print(f"error: unexpected {type(exc).__name__}: {exc} (set RIHUB_DEBUG=1 for details)", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
