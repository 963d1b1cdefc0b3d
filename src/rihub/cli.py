"""`rihub` on the command line: a thin Typer layer over :class:`rihub.hub.Hub`."""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rihub.errors import RihubError
from rihub.records import AlignmentRecord, RegionCounts, Stats, jsonable
from rihub.safe import terminal

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
CYCLE = typer.Option("--cycle", help="WTDC cycle such as WTDC-25 [default: the latest]")


def hub() -> Any:
    from rihub.hub import Hub

    return Hub(state["db"])


def shown(value: object) -> str:
    """A file name (or any outside text) for Rich output: control characters and markup escaped."""
    return escape(terminal(value))


def emit_json(data: Any) -> None:
    """Records (or plain data) as strict JSON on stdout: a figure that cannot be computed (NaN) is written as null."""
    text = json.dumps(_finite(jsonable(data)), indent=2, ensure_ascii=False, default=str, allow_nan=False)
    sys.stdout.write(text + "\n")


def _finite(data: Any) -> Any:
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


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
    stage: Annotated[
        str | None,
        typer.Option("--stage", help="draft, consolidated, adopted or report [default: read from the document]"),
    ] = None,
    cycle: Annotated[
        str | None, typer.Option("--cycle", help="WTDC cycle of documents that name none, e.g. WTDC-21")
    ] = None,
) -> None:
    """Load reports into the registry in one transaction (all files or none)."""
    h = hub()
    if demo:
        outcomes = [h.ingest_demo()]
    elif not files:
        raise RihubError("no files given; name one or more reports, or use --demo")
    elif len(files) == 1:
        outcomes = h.ingest(files, stage=stage, cycle=cycle)
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("parsing", total=len(files))
            outcomes = h.ingest(files, progress=lambda _name: progress.advance(task), stage=stage, cycle=cycle)
    headers = ("file", "action", "cycle", "stage", "initiatives", "expected results", "meetings", "coverage")
    table = Table(*headers, title="Ingested")
    for o in outcomes:
        action = f"{o.action} (supersedes #{o.replaced_id})" if o.replaced_id else o.action
        covered = f"{o.coverage:.1%} · {o.unassigned} unassigned · {o.furniture} furniture"
        row = (o.cycle, o.stage, str(o.initiatives), str(o.expected_results), str(o.meetings), covered)
        table.add_row(shown(o.filename), action, *row)
    console.print(table)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, csv or iati (IATI activity XML 2.03)")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (json, iati) or folder (csv)")] = None,
    cycle: Annotated[str | None, typer.Option("--cycle", help="Only this WTDC cycle [default: every cycle]")] = None,
    full: Annotated[
        bool, typer.Option("--full", help="CSV: add source positions (source_id, span_start, span_end), JSON cells")
    ] = False,
    no_bom: Annotated[
        bool, typer.Option("--no-bom", help="CSV: plain UTF-8, without the byte-order mark Excel needs")
    ] = False,
) -> None:
    """Export the registry as open data (JSON document, or CSV tables + datapackage.json), or its
    initiatives, projects and indicators as IATI activity XML 2.03 (`--format iati`, one cycle)."""
    if fmt in ("json", "iati") and (full or no_bom):
        raise RihubError("--full and --no-bom shape CSV tables: use them with --format csv")
    h = hub()
    if fmt == "json":
        data = h.export_json(cycle)
        if output:
            output.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            err.print(f"wrote {shown(output)}")
        else:
            emit_json(data)
    elif fmt == "iati":
        xml = h.export_iati(cycle)
        if output:
            output.write_bytes(xml)
            err.print(f"wrote {shown(output)}")
        else:
            sys.stdout.buffer.write(xml)
            sys.stdout.flush()
    elif fmt == "csv":
        if output is None:
            raise RihubError("--format csv writes one file per table: give a folder with --output")
        for path in h.export_csv(output, cycle, full=full, bom=not no_bom):
            err.print(f"wrote {shown(path)}")
    else:
        raise RihubError(f"unknown format {fmt!r}; use json, csv or iati")


@app.command()
def show(
    code: Annotated[str | None, typer.Argument(help="Initiative code such as EUR1; omit to list all")] = None,
    region: Annotated[str | None, typer.Option(help="Only this region (ARB, EUR, ASP, AMS, AFR, CIS)")] = None,
    cycle: Annotated[
        str | None, typer.Option("--cycle", help="WTDC cycle such as WTDC-25 [default: the latest]")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Show one initiative in full, or list the initiatives."""
    h = hub()
    if code:
        item = h.initiative(code, cycle)
        if as_json:
            emit_json(item)
            return
        where = f"{item.region_name}, {item.kind}, {item.stage}"
        console.print(f"[bold]{item.code}[/bold] of {item.conference} ({where})")
        others = [c for c in item.cycles if c != item.conference]
        if others:
            console.print(f"[dim]also in {', '.join(others)} (--cycle)[/dim]")
        console.print(f"[bold]{item.title}[/bold]", highlight=False)
        if item.objective:
            kind = (item.objective_kind or "objective").capitalize()
            console.print(f"\n[italic]{kind}:[/italic] {item.objective}", highlight=False)
        if item.expected_results:
            console.print("\n[bold]Expected results[/bold]")
            if item.results_lead_in:
                console.print(item.results_lead_in, highlight=False)
        for r in item.expected_results:
            console.print(f"  {r.number}. {r.text}", highlight=False)
            for s in r.sub_items:
                console.print(f"     {s.label}) {s.text}", highlight=False)
            for n in r.footnotes:
                console.print(f"     [dim]footnote {n.marker}: {n.text}[/dim]", highlight=False)
        if item.alignments:
            console.print("\n[bold]Alignments[/bold]")
            for a in item.alignments:
                console.print(f"  {a.framework} {a.code}  [dim]{a.provenance}, {a.status}[/dim]")
        return
    items = h.initiatives(region=region, nested=False, cycle=cycle)
    if as_json:
        emit_json(items)
        return
    table = Table("code", "region", "kind", "title", "results", title=f"Initiatives of {h.cycle(cycle)}")
    for i in items:
        table.add_row(i.code, i.region, i.kind, i.title, str(i.expected_result_count))
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
            table = Table(
                "line", "severity", "check", "message", "suggestion", title=f"{shown(name)}: {len(found)} findings"
            )
            for f in found:
                table.add_row(str(f.loc or ""), f.severity, f.code, shown(f.message), shown(f.suggestion))
            console.print(table)
    if strict and any(f.severity == "error" for found in all_findings.values() for f in found):
        raise typer.Exit(1)


@app.command()
def stats(
    cycle: Annotated[
        str | None, typer.Option("--cycle", help="WTDC cycle such as WTDC-25 [default: the latest]")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Counts per region and in total, for one cycle."""
    data = hub().stats(cycle)
    if as_json:
        emit_json(data)
        return
    table = Table(title=f"rihub registry: {data.cycle or 'empty'}")
    table.add_column("region", no_wrap=True, min_width=6)
    for heading in ("initiatives", "priorities", "results", "officers", "documents"):
        table.add_column(heading, justify="right", no_wrap=True, min_width=len(heading))
    for r in data.regions:
        table.add_row(r.region, *_counts(r))
    table.add_section()
    table.add_row("all", *_counts(data))
    console.print(table)
    console.print(
        f"{data.meetings} meetings · {data.alignments} alignments · {data.findings} lint findings "
        f"· {data.source_documents} source document(s)"
    )


def _counts(r: RegionCounts | Stats) -> list[str]:
    return [str(n) for n in (r.initiatives, r.priorities, r.expected_results, r.officers, r.documents_reviewed)]


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface [env: RIHUB_HOST; default 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Port [env: RIHUB_PORT; default 8000]")] = None,
    writable: Annotated[
        bool,
        typer.Option("--writable", help="Accounts on: sign-in, review forms and the POST API (anonymous still reads)"),
    ] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Server processes sharing the database")] = 1,
) -> None:
    """Serve the web pages and JSON API (read-only unless --writable) for browsing, searching and comparing."""
    import uvicorn

    from rihub.config import Settings

    settings = Settings.from_env()
    host = host or settings.host
    port = port if port is not None else settings.port
    registry = hub()  # opened (and migrated) once here, so a bad database is one line, not N tracebacks
    if writable:
        registry.secret_key()  # made before the workers start, so they cannot race to make it
        if not any(u.role in ("reviewer", "admin") and not u.disabled for u in registry.users()):
            err.print("rihub: no reviewer or admin yet: add one with `rihub user add NAME --role admin --password`")
    os.environ["RIHUB_DATABASE_URL"] = registry.url
    os.environ["RIHUB_WRITABLE"] = "1" if writable else "0"
    shown = f"[{host}]" if ":" in host else host
    mode = "writable: sign in at /login" if writable else "read-only"
    err.print(
        f"rihub: serving http://{shown}:{port}/  ({mode}; {workers} worker{'s' if workers > 1 else ''};"
        " API at /api, docs at /docs; Ctrl+C stops)",
        highlight=False,
    )
    uvicorn.run(
        "rihub.web.app:from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


align_app = typer.Typer(help="Propose and evaluate SDG / WSIS / GDC links.", invoke_without_command=True)
review_app = typer.Typer(help="Accept, reject or add framework links; every change is recorded.", no_args_is_help=True)
app.add_typer(align_app, name="align")
app.add_typer(review_app, name="review")


@app.command()
def frameworks(
    framework: Annotated[str | None, typer.Argument(help="SDG, WSIS or GDC; omit for all")] = None,
    targets: Annotated[bool, typer.Option("--targets", help="Include SDG targets")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List the framework vocabularies links may point at (no free-text tags)."""
    from rihub import frameworks as vocab

    try:
        names = [framework.upper()] if framework else list(vocab.FRAMEWORKS)
        items = [i for name in names for i in vocab.load(name) if targets or i.parent is None]
    except KeyError as exc:
        raise RihubError(str(exc.args[0])) from exc
    if as_json:
        emit_json(
            [
                {
                    "framework": i.framework,
                    "code": i.code,
                    "title": i.title,
                    "parent": i.parent,
                    "version": vocab.version(i.framework),
                }
                for i in items
            ]
        )
        return
    table = Table("framework", "code", "title", title="Framework vocabularies")
    for i in items:
        table.add_row(i.framework, i.code, i.title)
    console.print(table)


@align_app.callback()
def align(ctx: typer.Context) -> None:
    """Without a sub-command: propose links for every initiative and expected result."""
    if ctx.invoked_subcommand is not None:
        return
    h = hub()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("loading model", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, description="classifying", completed=done, total=total)

        counts = h.align(progress=advance)
    console.print(
        f"aligned {counts['initiatives']} initiatives and {counts['expected_results']} expected results: "
        f"{counts['added']} new proposals, {counts['updated']} refreshed, {counts['withdrawn']} withdrawn, "
        f"{counts['kept_reviewed']} reviewed links kept, {counts['skipped_document']} already in the document"
    )


@align_app.command("evaluate")
def align_evaluate(
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as one JSON object")] = False,
    benchmark: Annotated[Path | None, typer.Option(help="Benchmark CSV (id,text,sdg,label)")] = None,
    speed: Annotated[bool, typer.Option("--speed/--no-speed", help="Also measure throughput")] = True,
) -> None:
    """SDG benchmark (out of fold, beside published systems), EUR hold-out, throughput."""
    from rihub.align.report import evaluation, render

    data = evaluation(benchmark, measure_speed=speed)
    data["review_learning"] = [r.model_dump(mode="json") for r in hub().review_learning()]
    if as_json:
        emit_json(data)
    else:
        render(data, console)


@align_app.command("predict")
def align_predict(
    text: Annotated[str | None, typer.Argument(help="The text to classify")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Classify each non-empty line of this file")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per text")] = False,
) -> None:
    """Ranked SDG, WSIS and GDC proposals with evidence for any text (nothing is stored)."""
    if (text is None) == (file is None):
        raise RihubError("give one TEXT or --file F (one text a line)")
    from rihub.alignment import texts_from_file

    texts = texts_from_file(file) if file is not None else [str(text)]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=len(texts) < 100) as progress:
        task = progress.add_task("classifying", total=len(texts))
        predictions = hub().predict(texts, progress=lambda done, total: progress.update(task, completed=done))
    if as_json:
        emit_json([p.model_dump(mode="json", by_alias=True) for p in predictions])
        return
    for p in predictions:
        cut = f"  (first {p.chars_scored:,} of {len(p.text):,} characters scored)" if p.chars_scored else ""
        title = _shown_text(p.text) + cut
        table = Table("framework", "code", "score", "carried by", "evidence", title=escape(title))
        for fw, links in (("SDG", p.sdg), ("WSIS", p.wsis), ("GDC", p.gdc)):
            for link in links:
                ev = link.evidence
                table.add_row(fw, link.code, f"{link.score:.2f}", str(ev.get("carried_by", "text")), _why(ev))
        console.print(table)


def _shown_text(text: str, limit: int = 200) -> str:
    """The text as a table title: whole when short, else cut at a word with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _why(ev: dict[str, Any]) -> str:
    """One line of evidence: the view that carried the link, else the matched terms or nearest target."""
    views = ev.get("views") or {}
    carried = ev.get("carried_by")
    if carried == "shared_indicator" and (shared := views.get("shared_indicator")):
        return f"indicator shared with goal {', '.join(shared.get('with') or [])}"
    if carried in ("custodian", "application", "guide_terms") and (hits := views.get(carried)):
        named = ((h.get("target") or h.get("application") or h.get("rule"), h.get("terms") or []) for h in hits)
        return "; ".join(f"{name}: {', '.join(terms)}" for name, terms in named)
    near = ev.get("nearest") or {}
    return ", ".join(ev.get("terms") or []) or f"nearest {near.get('code')} (similarity {near.get('similarity')})"


@align_app.command("calibrate")
def align_calibrate(
    reset: Annotated[bool, typer.Option("--reset", help="Forget the registry's recalibration")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
) -> None:
    """Recalibrate proposal scores from the registry's reviews (accepted, rejected, added links)."""
    rows = hub().calibrate(reset=reset, actor=f"cli:{os.environ.get('USER', 'operator')}")
    if as_json:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    if not rows:
        console.print("no reviewed links yet: the shipped calibration applies")
    columns = ("framework", "reviews", "accepted", "applied", "Brier shipped", "recalibrated (LOIO)", "per label")
    table = Table(*columns, "label offsets")
    for r in rows:
        table.add_row(
            r.framework,
            str(r.reviews),
            str(r.accepted),
            "yes" if r.applied else "no",
            str(r.shipped_brier),
            str(r.recalibrated_brier),
            str(r.per_label_brier),
            " ".join(f"{c} {v:+.2f}" for c, v in sorted(r.label_offsets.items())) or "–",
        )
    console.print(table)
    for r in rows:
        console.print(f"{r.framework}: {r.decision}")
    console.print("shipped calibration restored" if reset else "open proposals rescored")


@align_app.command("predict-benchmark")
def align_predict_benchmark(
    input_csv: Annotated[Path, typer.Argument(help="CSV with columns id,text,sdg[,label]")],
    output_csv: Annotated[Path, typer.Argument(help="Where to write the benchmark results format")],
) -> None:
    """Score benchmark rows with the shipped model and write the benchmark's results format."""
    from rihub.align.evaluate import predict_benchmark

    if not input_csv.exists():
        raise RihubError(f"{input_csv}: no such file")
    count = predict_benchmark(input_csv, output_csv)
    err.print(f"wrote {count} rows to {shown(output_csv)}")


@review_app.command("list")
def review_list(
    code: Annotated[str | None, typer.Option(help="Only this initiative")] = None,
    status: Annotated[str | None, typer.Option(help="proposed, accepted or rejected")] = "proposed",
    provenance: Annotated[str | None, typer.Option(help="document, model or person")] = None,
    framework: Annotated[str | None, typer.Option(help="SDG, WSIS or GDC")] = None,
    min_score: Annotated[float | None, typer.Option(help="Only links scored at least this (0-1)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    ids: Annotated[bool, typer.Option("--ids", help="Print only the ids, for `review accept $(...)`")] = False,
    cycle: Annotated[
        str | None, typer.Option("--cycle", help="WTDC cycle such as WTDC-25 [default: the latest]")
    ] = None,
) -> None:
    """The review queue: links with their score and evidence."""
    links = hub().alignments(
        status=status or None, provenance=provenance, code=code, framework=framework, min_score=min_score, cycle=cycle
    )
    if ids:
        print(" ".join(str(a.id) for a in links))
        return
    if as_json:
        emit_json(links)
        return
    table = Table("id", "subject", "link", "score", "status", "evidence", title=f"{len(links)} links")
    for a in links:
        subject = a.initiative + (f".{a.result}" if a.result is not None else "")
        terms = ", ".join(str(t) for t in (a.evidence or {}).get("terms", [])[:4])
        table.add_row(
            str(a.id),
            subject,
            f"{a.framework} {a.code}",
            "" if a.score is None else f"{a.score:.2f}",
            f"{a.status} ({a.provenance})",
            terms,
        )
    console.print(table)


def _reviewed(a: AlignmentRecord) -> None:
    subject = a.initiative + (f".{a.result}" if a.result is not None else "")
    console.print(f"#{a.id} {subject} → {a.framework} {a.code}: {a.status} ({a.provenance})")


@review_app.command("accept")
def review_accept(
    alignment_ids: Annotated[list[int], typer.Argument(help="Alignment ids (see `rihub review list`)")],
    by: Annotated[str, typer.Option("--by", help="Who is reviewing")],
    reason: Annotated[str | None, typer.Option(help="Why")] = None,
) -> None:
    """Confirm proposed links. Several ids are reviewed together: all of them or none."""
    for a in hub().review_many(alignment_ids, "accept", by, reason):
        _reviewed(a)


@review_app.command("reject")
def review_reject(
    alignment_ids: Annotated[list[int], typer.Argument(help="Alignment ids (see `rihub review list`)")],
    by: Annotated[str, typer.Option("--by", help="Who is reviewing")],
    reason: Annotated[str | None, typer.Option(help="Why")] = None,
) -> None:
    """Reject proposed links; they stay, marked rejected, so the model does not propose them again.

    Several ids are reviewed together: all of them or none.
    """
    for a in hub().review_many(alignment_ids, "reject", by, reason):
        _reviewed(a)


@review_app.command("add")
def review_add(
    subject: Annotated[str, typer.Argument(help="EUR1, or EUR1.3 for its expected result 3")],
    link: Annotated[str, typer.Argument(help="FRAMEWORK:CODE such as SDG:9, WSIS:C5, GDC:3")],
    by: Annotated[str, typer.Option("--by", help="Who is adding it")],
    reason: Annotated[str | None, typer.Option(help="Why")] = None,
    cycle: Annotated[
        str | None, typer.Option("--cycle", help="WTDC cycle such as WTDC-25 [default: the latest]")
    ] = None,
) -> None:
    """Add a link the model did not propose."""
    framework, sep, code = link.partition(":")
    if not sep or not code:
        raise RihubError(f"write the link as FRAMEWORK:CODE (SDG:9, WSIS:C5, GDC:3), not {link!r}")
    _reviewed(hub().add_link(subject, framework, code, by, reason, cycle=cycle))


@review_app.command("history")
def review_history(alignment_id: Annotated[int, typer.Argument(help="Alignment id")]) -> None:
    """Every change to one link: who, when, before, after, why."""
    table = Table("when", "who", "action", "before", "after", "reason")
    for e in hub().alignment_history(alignment_id):
        table.add_row(e.at.isoformat(), e.actor, e.action, json.dumps(e.before), json.dumps(e.after), e.reason or "")
    console.print(table)


from rihub import (  # noqa: E402,F401  (diff, versions, lineage, review matches, overlaps, themes, matrix, report, user, monitor)
    cli_accounts,
    cli_matrix,
    cli_monitor,
    cli_overlaps,
    cli_registry,
    cli_report,
)


def main() -> None:
    """Entry point: every rihub error becomes one line on stderr and a non-zero exit."""
    try:
        app()
    except RihubError as exc:
        err.print(f"error: {terminal(exc)}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("RIHUB_DEBUG"):
            raise
        err.print(
            f"error: unexpected {type(exc).__name__}: {terminal(exc)} (set RIHUB_DEBUG=1 for details)",
            markup=False,
            highlight=False,
        )
        sys.exit(2)


if __name__ == "__main__":
    # Run as `python -m rihub.cli`: use the importable module, whose app holds the commands the
    # cli_* modules register (this __main__ copy has only the ones defined above).
    from rihub.cli import main as imported_main

    imported_main()
