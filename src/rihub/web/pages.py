"""HTML pages. Each answers HTML, or its JSON twin (``.json`` suffix, ``?_format=json``, or
``Accept: application/json``); list pages also answer CSV. The data comes from :mod:`rihub.web.data`,
the same functions the API uses; this module only adds what a page needs to be drawn.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from rihub.errors import InputError, NotFoundError
from rihub.records import Initiative, SourceDocument, SourceFinding
from rihub.search.fulltext import MODES
from rihub.search.semantic import LOADING
from rihub.web import data, review
from rihub.web.compare import MAX_CODES, MIN_CODES
from rihub.web.docs import api_reference
from rihub.web.ids import MAX_NUMBER, ascii_id, path_id
from rihub.web.output import (
    Format,
    Paging,
    csv_response,
    format_of,
    json_response,
    list_response,
    paging,
    strip_suffix,
)
from rihub.web.views import MeetingBrief

router = APIRouter(include_in_schema=False)
MODE_LABELS = {"fulltext": "Words", "semantic": "Meaning", "hybrid": "Words and meaning"}
assert set(MODE_LABELS) == set(MODES)
REGION = Query(None, pattern="(?i)^(ARB|EUR|ASP|AMS|AFR|CIS)$")
FRAMEWORK = Query(None, pattern="(?i)^(SDG|WSIS|GDC)$")
CYCLE = Query(None, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")
TOPIC = Query(None, max_length=200, description="Only expected results with these words, e.g. early warning")
THEME = Query(None, max_length=40, description="Only expected results with this theme, e.g. cybersecurity")


def _page(*paths: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        for path in paths:
            router.add_api_route(path, func, methods=["GET"], name=f"{func.__name__}:{path}")
        return func

    return wrap


def twin_url(request: Request, suffix: str = ".json") -> str:
    """The URL of this page's JSON (or CSV) twin, query string kept."""
    path = request.url.path
    path = "/index" if path == "/" else strip_suffix(path).rstrip("/")
    query = request.url.query
    return f"{path}{suffix}" + (f"?{query}" if query else "")


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    payload: BaseModel | list[Any] | None,
    fmt: Format,
    status_code: int = 200,
) -> Response:
    if fmt == "json":
        return json_response(payload if payload is not None else {}, status_code)
    forms = review.forms_for(request)
    context |= {"json_url": twin_url(request), "csv_url": context.get("csv_url"), "review": forms}
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def timeline(meetings: list[MeetingBrief], width: int = 720, pad: int = 48) -> dict[str, Any]:
    """x positions for the meetings (by start date) and month ticks, for an SVG drawn without style attributes."""
    dated = [(m.start_date, m) for m in meetings if m.start_date]
    if not dated:
        return {"width": width, "points": [], "ticks": []}
    lo, hi = min(d for d, _ in dated), max(d for d, _ in dated)
    lo, hi = lo.replace(day=1), (hi.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    days = max(1, (hi - lo).days)

    def x(day: dt.date) -> int:
        return round(pad + (day - lo).days / days * (width - 2 * pad))

    points = [{"x": x(d), "above": i % 2 == 0, **dict(m)} for i, (d, m) in enumerate(sorted(dated, key=lambda p: p[0]))]
    ticks, month = [], lo
    while month <= hi:
        ticks.append({"x": x(month), "label": f"{month:%b}"})
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return {"width": width, "points": points, "ticks": ticks}


@_page("/", "/index.json")
def home(request: Request, cycle: str | None = CYCLE) -> Response:
    view = data.home(data.hub_of(request), cycle)
    fmt = format_of(request)
    counts = {r.region: r for r in view.stats.regions}
    context = dict(view) | {"timeline": timeline(view.meetings), "counts": counts}
    return render(request, "home.html", context, view, fmt)


@_page("/regions", "/regions.json", "/regions.csv")
def regions(request: Request, page: Paging = Depends(paging), cycle: str | None = CYCLE) -> Response:
    hub = data.hub_of(request)
    items = data.regions(hub, cycle)
    fmt = format_of(request)
    if fmt != "html":
        return list_response(request, items, page, "regions", fmt)
    context = {"regions": items, "cycle": hub.cycle(cycle), "csv_url": twin_url(request, ".csv")}
    return render(request, "regions.html", context, items, fmt)


@_page("/regions/{code}")
def region(request: Request, code: str, cycle: str | None = CYCLE) -> Response:
    view = data.region(data.hub_of(request), strip_suffix(code), cycle)
    return render(request, "region.html", dict(view), view, format_of(request))


@_page("/initiatives", "/initiatives.json", "/initiatives.csv")
def initiatives(
    request: Request,
    region: str | None = REGION,
    kind: str | None = Query(None),
    page: Paging = Depends(paging),
    cycle: str | None = CYCLE,
) -> Response:
    if kind not in (None, "initiative", "priority"):
        raise InputError("kind is initiative or priority")
    hub = data.hub_of(request)
    items = hub.initiatives(region=region, kind=kind, nested=False, cycle=cycle)
    fmt = format_of(request)
    if fmt != "html":
        return list_response(request, items, page, "initiatives", fmt)
    context = {
        "initiatives": items,
        "region": (region or "").upper(),
        "kind": kind or "",
        "cycle": hub.cycle(cycle),
        "csv_url": twin_url(request, ".csv"),
    }
    return render(request, "initiatives.html", context, items, fmt)


def _flash(request: Request, item: Initiative) -> str | None:
    return data.flash(item, request.query_params.get("reviewed"), request.query_params.get("alignment"))


@_page("/initiatives/{code}")
def initiative(request: Request, code: str, cycle: str | None = CYCLE) -> Response:
    item = data.initiative(data.hub_of(request), strip_suffix(code), cycle)
    context = {"item": item, "flash": _flash(request, item)}
    return render(request, "initiative.html", context, item, format_of(request))


@_page("/initiatives/{code}/results/{number}")
def result(request: Request, code: str, number: str, cycle: str | None = CYCLE) -> Response:
    wanted = path_id(strip_suffix(number), "expected result", MAX_NUMBER)
    hub = data.hub_of(request)
    view = data.result(hub, code, wanted, cycle)
    fmt = format_of(request)
    initiative = view.initiative
    flash = _flash(request, hub.initiative(initiative.code, initiative.conference)) if fmt == "html" else None
    return render(request, "result.html", dict(view) | {"flash": flash}, view, fmt)


@_page("/alignments/{alignment_id}")
def alignment(request: Request, alignment_id: str) -> Response:
    view = data.alignment_view(data.hub_of(request), path_id(strip_suffix(alignment_id), "alignment"))
    return render(request, "alignment.html", dict(view), view, format_of(request))


@_page("/compare", "/compare.json")
def compare(request: Request, codes: list[str] = Query([]), cycle: str | None = CYCLE) -> Response:
    fmt = format_of(request)
    hub = data.hub_of(request)
    wanted = data.parse_codes(codes)
    choices = hub.initiatives(nested=False, cycle=cycle)
    context: dict[str, Any] = {
        "codes": wanted,
        "choices": choices,
        "view": None,
        "error": None,
        "min_codes": MIN_CODES,
        "max_codes": MAX_CODES,
    }
    if fmt == "json" or wanted:
        try:
            context["view"] = data.comparison(hub, wanted, cycle)
        except (InputError, NotFoundError) as exc:
            if fmt == "json":
                raise
            context["error"] = str(exc)
            return render(request, "compare.html", context, None, fmt, 404 if isinstance(exc, NotFoundError) else 422)
    return render(request, "compare.html", context, context["view"], fmt)


@_page("/overlaps", "/overlaps.json", "/overlaps.csv")
def overlaps(
    request: Request, topic: str | None = TOPIC, theme: str | None = THEME, cycle: str | None = CYCLE
) -> Response:
    fmt = format_of(request)
    hub = data.hub_of(request)
    found = data.overlaps(hub, cycle, topic, theme)
    if fmt == "csv":
        return csv_response(request, data.overlap_rows(found, cycle), "overlaps")
    every = set(found.every_region)
    context = {
        "view": found,
        "themes": hub.theme_choices(),
        "every": [c for c in found.shared if c.id in every],
        "csv_url": twin_url(request, ".csv"),
    }
    return render(request, "overlaps.html", context, found, fmt)


@_page("/matrix", "/matrix.json", "/matrix.csv")
def matrix(
    request: Request,
    by: str = Query("theme", max_length=10),
    include: list[str] = Query([]),
    region: str | None = Query(None, max_length=8),
    column: str | None = Query(None, max_length=40),
    cycle: str | None = CYCLE,
) -> Response:
    """Regions × themes (or SDG, WSIS, GDC); a cell's link lists what it counts (``region`` and ``column``)."""
    from rihub.analysis.matrix import BY, rows
    from rihub.web import matrix as grid

    found = data.matrix(data.hub_of(request), by, include, cycle)
    fmt = format_of(request)
    if fmt == "csv":
        return csv_response(request, rows(found), f"matrix-{found.by}")
    if fmt == "json":
        return json_response(found)
    context = {
        "matrix": found,
        "rows": grid.grid(found),
        "selected": grid.selected(found, region, column),
        "choices": BY,
        "toggle_url": grid.toggle_proposed(found),
        "csv_url": twin_url(request, ".csv"),
    }
    return render(request, "matrix.html", context, found, fmt)


@_page("/search", "/search.json", "/search.csv")
def search(
    request: Request,
    q: str = Query("", max_length=500),
    region: str | None = REGION,
    kind: str | None = Query(None),
    framework: str | None = FRAMEWORK,
    mode: str | None = Query(None),
    page: Paging = Depends(paging),
    cycle: str | None = CYCLE,
    literal: bool = Query(False),
) -> Response:
    if kind not in (None, "", "initiative", "priority", "contribution", "meeting"):
        raise InputError("kind is initiative, priority, contribution or meeting")
    found = data.search(
        data.hub_of(request),
        request,
        page,
        q=q,
        region=region,
        kind=kind or None,
        framework=framework,
        mode=mode or None,
        cycle=cycle,
        literal=literal,
    )
    fmt = format_of(request)
    if fmt == "csv":
        return csv_response(request, found.data, "search")
    if fmt == "json":
        return json_response(found)
    params = {
        "q": q,
        "region": (region or "").upper(),
        "kind": kind or "",
        "framework": (framework or "").upper(),
        "mode": mode or "",
        "literal": "1" if literal else "",
    }
    context = {
        "found": found,
        "params": params,
        "modes": MODE_LABELS,
        # a query answered by words while the model loads keeps asking for both next time
        "chosen_mode": mode or ("hybrid" if found.mode_notice == LOADING else found.mode),
        "page": page,
        "facet_url": lambda name, value: _search_url(params, name, value),
        "next_url": _page_url(request, page, found.count, +1),
        "prev_url": _page_url(request, page, found.count, -1),
        "csv_url": twin_url(request, ".csv"),
    }
    return render(request, "search.html", context, found, fmt)


def _search_url(params: dict[str, str], name: str, value: str | None) -> str:
    """The search URL with one facet set (or cleared with ``None``); paging restarts."""
    from urllib.parse import urlencode

    chosen = {k: v for k, v in (params | {name: value or ""}).items() if v}
    return "/search?" + urlencode(chosen)


def _page_url(request: Request, page: Paging, count: int, step: int) -> str | None:
    offset = page.offset + step * page.size
    if offset < 0 or offset >= count or (step < 0 and page.offset == 0):
        return None
    from urllib.parse import urlencode

    params = {k: v for k, v in request.query_params.items() if k not in ("_page", "_size", "limit", "offset")}
    params |= {"_size": str(page.size), "_page": str(offset // page.size + 1)}
    return f"{request.url.path}?{urlencode(params)}"


@_page("/diff", "/diff.json")
def diff(
    request: Request,
    old: str = Query("", alias="from", max_length=300, description="Source-document id, or a cycle with cycles=1"),
    new: str = Query("", alias="to", max_length=300, description="Source-document id, or a cycle with cycles=1"),
    region: str | None = REGION,
    cycles: bool = Query(False),
) -> Response:
    """Two statements of the initiatives side by side as a redline (ingested documents or cycles only:
    the web never opens a file path)."""
    hub = data.hub_of(request)
    fmt = format_of(request)
    ids = (ascii_id(old, "source"), ascii_id(new, "source"))
    if not cycles and (ids[0] is None or ids[1] is None):
        raise InputError("from and to are ingested source-document ids (see /sources), or cycles with cycles=1")
    refs: tuple[str | int, str | int] = (old, new) if cycles else (ids[0] or 0, ids[1] or 0)
    view = data.diff_view(hub, refs[0], refs[1], region=region, cycles=cycles)
    context = {"view": view, "sources": hub.source_documents()}
    return render(request, "diff.html", context, view, fmt)


@_page("/sources", "/sources.json", "/sources.csv")
def sources(request: Request, page: Paging = Depends(paging)) -> Response:
    items = data.hub_of(request).source_documents()
    fmt = format_of(request)
    if fmt != "html":
        return list_response(request, items, page, "sources", fmt)
    return render(request, "sources.html", {"sources": items, "csv_url": twin_url(request, ".csv")}, items, fmt)


_RANGE = re.compile(r"^(\d{1,7})(?:-(\d{1,7}))?$")


@_page("/sources/{source_id}")
def source(request: Request, source_id: str, hl: str | None = Query(None, max_length=32)) -> Response:
    hub = data.hub_of(request)
    doc = data.source(hub, path_id(strip_suffix(source_id), "source document"))
    fmt = format_of(request)
    if fmt == "json":
        return json_response(doc)
    lo = hi = None
    if hl and (m := _RANGE.match(hl)):
        lo = int(m.group(1))
        hi = int(m.group(2) or lo)
    by_loc: dict[int, list[SourceFinding]] = defaultdict(list)
    for f in hub.findings(doc.id):
        by_loc[f.loc or 0].append(f)
    blocks = []
    for b in doc.blocks:
        lines = range(b.loc, b.end_loc + 1)
        notes = [f for n in lines for f in by_loc.get(n, [])]
        marked = lo is not None and hi is not None and b.loc <= hi and b.end_loc >= lo
        blocks.append(
            dict(b)
            | {
                "cells": b.text.split("\t") if b.kind == "row" else None,
                "extra_anchors": list(lines)[1:],
                "findings": notes,
                "highlighted": marked,
            }
        )
    context = {
        "doc": doc,
        "blocks": blocks,
        "hl": (lo, hi) if lo is not None else None,
        "finding_count": sum(len(v) for v in by_loc.values()),
    }
    return render(request, "source.html", context, doc, fmt)


@_page("/sources/{source_id}/findings", "/sources/{source_id}/findings.json", "/sources/{source_id}/findings.csv")
def source_findings(request: Request, source_id: str, page: Paging = Depends(paging)) -> Response:
    ident = path_id(strip_suffix(source_id), "source document")
    hub = data.hub_of(request)
    doc = hub.source_documents()
    chosen = next((d for d in doc if d.id == ident), None)
    if chosen is None:
        raise NotFoundError(f"no source document #{ident}")
    items = hub.findings(chosen.id)
    return _findings(request, items, page, chosen, f"source-{ident}-findings")


@_page("/findings", "/findings.json", "/findings.csv")
def findings(request: Request, page: Paging = Depends(paging)) -> Response:
    return _findings(request, data.hub_of(request).findings(), page, None, "findings")


def _findings(
    request: Request, items: list[SourceFinding], page: Paging, doc: SourceDocument | None, name: str
) -> Response:
    fmt = format_of(request)
    if fmt != "html":
        return list_response(request, items, page, name, fmt)
    severities: dict[str, int] = defaultdict(int)
    for f in items:
        severities[f.severity] += 1
    context = {"findings": items, "doc": doc, "severities": dict(severities), "csv_url": twin_url(request, ".csv")}
    return render(request, "findings.html", context, items, fmt)


@_page("/docs")
def docs(request: Request) -> Response:
    """The API reference, drawn from the OpenAPI document by our own template (no CDN, no script)."""
    context = api_reference(request.app.openapi()) | {"json_url": "/openapi.json", "csv_url": None}
    return request.app.state.templates.TemplateResponse(request, "docs.html", context)


@_page("/favicon.ico")
def favicon(request: Request) -> Response:
    from rihub.web.app import HERE

    return Response(
        (HERE / "static" / "favicon.svg").read_bytes(),
        media_type="image/svg+xml",
        headers={"cache-control": "public, max-age=86400"},
    )
