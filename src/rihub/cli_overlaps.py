"""`rihub overlaps`: what several regions ask for in different words, and what one region asks alone.

Registered on the main Typer app by ``rihub.cli``; the clustering is :meth:`rihub.hub.Hub.overlaps`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from rihub.cli import CYCLE, app, console, emit_json, hub, shown
from rihub.records import OverlapCluster


@app.command()
def overlaps(
    cycle: Annotated[str | None, CYCLE] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Only results with these words, e.g. 'early warning'")
    ] = None,
    theme: Annotated[
        str | None, typer.Option("--theme", help="Only results with this theme code (`rihub themes`), e.g. gender")
    ] = None,
    one_region: Annotated[
        bool, typer.Option("--one-region", help="Also list every result only one region asks for")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Clusters of expected results from different regions that ask for the same thing."""
    found = hub().overlaps(cycle=cycle, topic=topic, theme=theme)
    if as_json:
        emit_json(found)
        return
    every = set(found.every_region)
    plural = "" if len(found.shared) == 1 else "s"
    head = f"{found.cycle or 'empty registry'}: {len(found.shared)} cluster{plural} shared by several regions"
    if found.topic:
        head += f", {found.results} results about {shown(found.topic)!r}"
    if found.theme:
        head += f", {found.results} results with the theme {found.theme}"
    console.print(f"[bold]{head}[/bold]")
    if found.note:
        console.print(f"[yellow]{shown(found.note)}[/yellow]")
    if found.regions_without_results:
        console.print(f"no expected results in the cycle: {', '.join(found.regions_without_results)}")
    for c in found.shared:
        _cluster(c, c.id in every)
    singles = sum(len(c.members) for c in found.one_region)
    console.print(f"\n[bold]asked by one region only:[/bold] {singles} results")
    if one_region:
        for c in found.one_region:
            _cluster(c, False)


def _cluster(c: OverlapCluster, every: bool) -> None:
    mark = " · asked by every region" if every else ""
    lacking = f" · lacking: {', '.join(c.regions_lacking)}" if c.regions_lacking else ""
    console.print(f"\n[bold]{c.id}[/bold] {', '.join(c.regions)}{mark}{lacking}")
    console.print(f"  {shown(c.explanation)}", highlight=False)
    for m in c.members:
        star = "*" if m.representative else " "
        console.print(f" {star}{m.code}.{m.number} ({m.region}, {m.similarity:.2f}) {shown(m.text)}", highlight=False)
