"""`rihub diff`, `rihub versions`, `rihub lineage` and `rihub review matches`: the registry over time.

Registered on the main Typer app by ``rihub.cli``; as thin as the rest of the CLI.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from rihub.cli import CYCLE, app, console, emit_json, hub, review_app
from rihub.errors import RihubError
from rihub.records import LineageLink

lineage_app = typer.Typer(
    help='"Continues" links between initiatives of successive cycles: list, confirm, reject, add.',
    invoke_without_command=True,
)
app.add_typer(lineage_app, name="lineage")


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="Report file, ingested source-document id, or a cycle with --cycles")],
    new: Annotated[str, typer.Argument(help="Report file, ingested source-document id, or a cycle with --cycles")],
    cycles: Annotated[bool, typer.Option("--cycles", help="OLD and NEW are cycles, e.g. WTDC-22 WTDC-25")] = False,
    region: Annotated[str | None, typer.Option(help="Only this region (ARB, EUR, ASP, AMS, AFR, CIS)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """What changed between two statements of the initiatives, with a word-level redline."""
    try:
        result = hub().diff(old, new, region=region, cycles=cycles)
    except ValueError as exc:
        raise RihubError(str(exc)) from exc
    if as_json:
        emit_json(result.to_json())
        return
    data = result.to_json()
    if result.is_empty:
        console.print("no differences")
        return
    for label, key in (("added", "added"), ("removed", "removed")):
        if data["initiatives"][key]:
            console.print(f"[bold]initiatives {label}:[/bold] {', '.join(data['initiatives'][key])}")
    for move in data["initiatives"]["renamed"]:
        console.print(f"[bold]renamed:[/bold] {move['from']} → {move['to']}")
    for change in data["initiatives"]["changed"]:
        console.print(f"[bold]{change['code']} changed:[/bold] {', '.join(change['fields'])}")
    results = data["expected_results"]
    for label, key in (("results added", "added"), ("results removed", "removed")):
        if results[key]:
            console.print(f"[bold]{label}:[/bold] {', '.join(results[key])}")
    for move in results["renumbered"]:
        console.print(f"[bold]renumbered:[/bold] {move['from']} → {move['to']}")
    for change in results["changed"]:
        console.print(f"[bold]{change['key']}:[/bold] {change['redline']}", highlight=False, markup=False)


@app.command()
def versions(
    code: Annotated[str, typer.Argument(help="Initiative code such as EUR1")],
    cycle: Annotated[str | None, CYCLE] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Every document's statement of one initiative, oldest first; the current one marked."""
    found = hub().versions(code, cycle)
    if as_json:
        emit_json(found)
        return
    table = Table("source", "file", "stage", "document", "title", "results", "current", title=f"Versions of {code}")
    for v in found:
        table.add_row(
            str(v.source_id),
            v.filename,
            v.stage,
            v.source_status,
            v.title,
            str(len(v.results)),
            "yes" if v.current else "",
        )
    console.print(table)


def _lineage_table(links: list[LineageLink], title: str) -> None:
    table = Table("id", "from", "to", "score", "status", "titles", title=title)
    for link in links:
        table.add_row(
            str(link.id),
            f"{link.from_code} ({link.from_cycle})",
            f"{link.to_code} ({link.to_cycle})",
            "" if link.score is None else f"{link.score:.2f}",
            f"{link.status} ({link.provenance})",
            f"{link.from_title} → {link.to_title}",
        )
    console.print(table)


@lineage_app.callback()
def lineage(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Option(help="Only links of this initiative")] = None,
    cycle: Annotated[str | None, CYCLE] = None,
    status: Annotated[str | None, typer.Option(help="proposed, accepted or rejected")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List "continues" links (with no sub-command)."""
    if ctx.invoked_subcommand is not None:
        return
    links = hub().lineage(code=code, cycle=cycle, status=status)
    if as_json:
        emit_json(links)
        return
    _lineage_table(links, f"{len(links)} lineage links")


@lineage_app.command("accept")
def lineage_accept(
    link_ids: Annotated[list[int], typer.Argument(help="Lineage link ids (see `rihub lineage`)")],
    by: Annotated[str, typer.Option("--by", help="Who is reviewing")],
    reason: Annotated[str | None, typer.Option(help="Why")] = None,
) -> None:
    """Confirm proposed links (all of them or none)."""
    _lineage_table(hub().review_lineage(link_ids, "accept", by, reason), "confirmed")


@lineage_app.command("reject")
def lineage_reject(
    link_ids: Annotated[list[int], typer.Argument(help="Lineage link ids (see `rihub lineage`)")],
    by: Annotated[str, typer.Option("--by", help="Who is reviewing")],
    reason: Annotated[str | None, typer.Option(help="Why")] = None,
) -> None:
    """Reject proposed links; they stay rejected and are not proposed again."""
    _lineage_table(hub().review_lineage(link_ids, "reject", by, reason), "rejected")


@lineage_app.command("add")
def lineage_add(
    old: Annotated[str, typer.Argument(help="Earlier initiative, as CODE@CYCLE (EUR1@WTDC-22)")],
    new: Annotated[str, typer.Argument(help="The initiative that continues it, as CODE@CYCLE (EUR2@WTDC-25)")],
    by: Annotated[str, typer.Option("--by", help="Who is adding it")],
    reason: Annotated[str | None, typer.Option(help="Why")] = None,
) -> None:
    """State by hand that NEW continues OLD."""
    (old_code, _, old_cycle), (new_code, _, new_cycle) = old.partition("@"), new.partition("@")
    link = hub().add_lineage(old_code, new_code, by, reason, old_cycle or None, new_cycle or None)
    _lineage_table([link], "added")


@review_app.command("matches")
def review_matches(
    status: Annotated[str | None, typer.Option(help="proposed, accepted or rejected")] = "proposed",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Expected-result matches an ingest could not settle alone (reworded or withdrawn results)."""
    found = hub().result_matches(status or None)
    if as_json:
        emit_json(found)
        return
    table = Table("id", "initiative", "kind", "stored", "new wording", "score", "status", title=f"{len(found)} matches")
    for m in found:
        table.add_row(
            str(m.id),
            f"{m.code} ({m.cycle})",
            m.kind,
            f"{m.old_number}. {m.old_text}",
            "" if m.new_text is None else f"{m.new_number}. {m.new_text}",
            "" if m.score is None else f"{m.score:.2f}",
            m.status,
        )
    console.print(table)


@review_app.command("match")
def review_match(
    match_id: Annotated[int, typer.Argument(help="Match id (see `rihub review matches`)")],
    action: Annotated[str, typer.Argument(help="accept (the pairing stands) or reject (they are different results)")],
    by: Annotated[str, typer.Option("--by", help="Who is reviewing")],
    reason: Annotated[str | None, typer.Option(help="Why")] = None,
) -> None:
    """Settle one result match."""
    m = hub().review_match(match_id, action, by, reason)
    console.print(f"#{m.id} {m.code} result {m.old_number}: {m.status} by {m.decided_by}")
