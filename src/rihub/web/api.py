"""The JSON API under /api: the same hub queries as the pages, as open data.

Lists answer ``{"data": [...], "count": n, "next": url|null}`` and, with ``?_format=csv`` or a
``.csv`` suffix, CSV. Every route declares its response model (records of :mod:`rihub.records`
and :mod:`rihub.web.views`), so ``/openapi.json`` and ``/docs`` show the schemas; the routes
serialise the records themselves (JSON or CSV). Route functions are plain ``def``: FastAPI runs
them in its thread pool, so blocking database calls never stall the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from rihub.errors import InputError
from rihub.records import (
    Block,
    Cycle,
    ExpectedResult,
    InitiativeNested,
    InitiativeSummary,
    LineageLink,
    Matrix,
    Meeting,
    Overlaps,
    SourceDocument,
    SourceDocumentDetail,
    SourceFinding,
    Stats,
    Version,
)
from rihub.search.fulltext import MODES
from rihub.web import data, monitor_data
from rihub.web.ids import ID, NUMBER, ascii_id
from rihub.web.monitor_views import ResultPage
from rihub.web.output import Paging, csv_response, format_of, json_response, list_response, paging
from rihub.web.views import (
    ERRORS,
    AlignmentRow,
    AlignmentView,
    ApiIndex,
    Comparison,
    DiffView,
    ErrorBody,
    InitiativeView,
    OfficerRow,
    Page,
    RegionRow,
    RegionView,
    ResultRow,
    SearchPage,
)

router = APIRouter(prefix="/api", tags=["api"])
REGION = Query(None, pattern="(?i)^(ARB|EUR|ASP|AMS|AFR|CIS)$", description="ARB, EUR, ASP, AMS, AFR or CIS")
FRAMEWORK = Query(None, pattern="(?i)^(SDG|WSIS|GDC)$", description="SDG, WSIS or GDC")
Kind = Literal["initiative", "priority"]
FormatParam = Query(None, alias="_format", description="csv for a CSV download of the whole list")
CYCLE = Query(
    None,
    max_length=40,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$",
    description="WTDC cycle, e.g. WTDC-25 (default: the latest)",
)


CSV = {"text/csv": {"schema": {"type": "string"}}}


def _list(path: str, name: str, summary: str, model: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a list endpoint at ``path`` answering ``Page[model]`` (or CSV), plus its ``.json``/``.csv``
    twins (twins hidden from OpenAPI)."""
    envelope = model if isinstance(model, type) and issubclass(model, Page) else Page[model]

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        router.add_api_route(
            path,
            func,
            methods=["GET"],
            summary=summary,
            name=name,
            response_model=envelope,
            responses={**ERRORS, 200: {"content": CSV, "description": "One page of the list (CSV: all of it)"}},
        )
        for suffix in (".json", ".csv"):
            router.add_api_route(
                path + suffix, func, methods=["GET"], include_in_schema=False, name=f"{name}{suffix.replace('.', '_')}"
            )
        return func

    return wrap


def _get(path: str, name: str, summary: str, model: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        router.add_api_route(
            path, func, methods=["GET"], summary=summary, name=name, response_model=model, responses=ERRORS
        )
        return func

    return wrap


def _fmt(request: Request) -> Literal["json", "csv"]:
    return "csv" if format_of(request, "json") == "csv" else "json"


@_get("", "api_index", "Endpoints of this API", ApiIndex)
def index(request: Request) -> Response:
    """Every list and record endpoint, so a client can start here and follow links."""
    base = ""  # relative links: never built from the Host header
    names = [
        "stats",
        "regions",
        "meetings",
        "officers",
        "cycles",
        "initiatives",
        "expected-results",
        "lineage",
        "diff",
        "alignments",
        "sources",
        "findings",
        "search",
        "compare",
        "overlaps",
        "matrix",
    ]
    return json_response(
        ApiIndex(endpoints={n: f"{base}/api/{n}" for n in names}, openapi=f"{base}/openapi.json", docs=f"{base}/docs")
    )


@_get("/stats", "api_stats", "Counts per region and in total", Stats)
def stats(request: Request, cycle: str | None = CYCLE) -> Response:
    return json_response(data.hub_of(request).stats(cycle))


@_list("/cycles", "api_cycles", "The WTDC cycles in the registry, newest first", Cycle)
def cycles(request: Request, page: Paging = Depends(paging), _format: str | None = FormatParam) -> Response:
    return list_response(request, data.hub_of(request).cycles(), page, "cycles", _fmt(request))


@_list("/regions", "api_regions", "The six regions with their meeting and counts", RegionRow)
def regions(
    request: Request, page: Paging = Depends(paging), _format: str | None = FormatParam, cycle: str | None = CYCLE
) -> Response:
    return list_response(request, data.regions(data.hub_of(request), cycle), page, "regions", _fmt(request))


@_get("/regions/{code}", "api_region", "One region: its meeting, officers, documents and initiatives", RegionView)
def region(
    request: Request, code: str = Path(description="ARB, EUR, ASP, AMS, AFR or CIS"), cycle: str | None = CYCLE
) -> Response:
    return json_response(data.region(data.hub_of(request), code, cycle))


@_list("/meetings", "api_meetings", "Regional Preparatory Meetings, in date order", Meeting)
def meetings(
    request: Request,
    region: str | None = REGION,
    page: Paging = Depends(paging),
    _format: str | None = FormatParam,
    cycle: str | None = CYCLE,
) -> Response:
    return list_response(request, data.hub_of(request).meetings(region, cycle), page, "meetings", _fmt(request))


@_list("/officers", "api_officers", "Chairs and vice-chairs elected by each meeting", OfficerRow)
def officers(
    request: Request,
    region: str | None = REGION,
    page: Paging = Depends(paging),
    _format: str | None = FormatParam,
    cycle: str | None = CYCLE,
) -> Response:
    items = data.officers(data.hub_of(request), region, cycle)
    return list_response(request, items, page, "officers", _fmt(request))


@_list("/initiatives", "api_initiatives", "Regional initiatives and priorities", InitiativeSummary | InitiativeNested)
def initiatives(
    request: Request,
    region: str | None = REGION,
    kind: Kind | None = None,
    codes: str | None = Query(None, description="Comma-separated codes, e.g. EUR1,ASP2"),
    nested: bool = Query(False, description="Include expected results, sub-items, footnotes and alignments"),
    page: Paging = Depends(paging),
    _format: str | None = FormatParam,
    cycle: str | None = CYCLE,
) -> Response:
    """Paged in SQL: one LIMIT query and one COUNT, whatever the size of the registry. Rows are
    ``InitiativeSummary`` records, or ``InitiativeNested`` with ``nested=true``."""
    hub = data.hub_of(request)
    wanted = data.parse_codes([codes]) if codes else None
    fmt = _fmt(request)
    whole = fmt == "csv" and page.style == "default"  # the whole list
    items, count = hub.initiatives_page(
        None if whole else page.size,
        0 if whole else page.offset,
        region=region,
        kind=kind,
        nested=nested,
        codes=wanted,
        cycle=cycle,
    )
    return list_response(request, items, page, "initiatives", fmt, count=None if whole else count)


@_get("/initiatives/{code}", "api_initiative", "One initiative in full", InitiativeView)
def initiative(request: Request, code: str = Path(description="e.g. EUR1"), cycle: str | None = CYCLE) -> Response:
    """The initiative of the cycle asked for, else of the newest cycle that has the code; with its
    versions, lineage and the cycles that have the same code."""
    return json_response(data.initiative(data.hub_of(request), code, cycle))


@_list("/initiatives/{code}/versions", "api_initiative_versions", "Every document's version of one initiative", Version)
def initiative_versions(
    request: Request,
    code: str,
    page: Paging = Depends(paging),
    _format: str | None = FormatParam,
    cycle: str | None = CYCLE,
) -> Response:
    found = data.hub_of(request).versions(code, cycle)
    return list_response(request, found, page, f"{code.upper()}-versions", _fmt(request))


@_list("/lineage", "api_lineage", "Initiatives continuing an initiative of the previous cycle", LineageLink)
def lineage(
    request: Request,
    status: Literal["proposed", "accepted", "rejected"] | None = None,
    page: Paging = Depends(paging),
    _format: str | None = FormatParam,
) -> Response:
    links = data.hub_of(request).lineage(status=status)
    return list_response(request, links, page, "lineage", _fmt(request))


@_get("/diff", "api_diff", "What changed between two source documents or two cycles, with redlines", DiffView)
def diff(
    request: Request,
    old: str = Query(alias="from", max_length=40, description="Source-document id, or a cycle with cycles=true"),
    new: str = Query(alias="to", max_length=40, description="Source-document id, or a cycle with cycles=true"),
    region: str | None = REGION,
    cycles: bool = Query(False, description="from and to are cycles such as WTDC-22 and WTDC-25"),
) -> Response:
    ids = (ascii_id(old, "source"), ascii_id(new, "source"))
    if not cycles and (ids[0] is None or ids[1] is None):
        raise InputError("from and to are source-document ids (see /api/sources), or cycles with cycles=true")
    refs: tuple[str | int, str | int] = (old, new) if cycles else (ids[0] or 0, ids[1] or 0)
    return json_response(data.diff_view(data.hub_of(request), refs[0], refs[1], region=region, cycles=cycles))


@_list(
    "/initiatives/{code}/results", "api_initiative_results", "The expected results of one initiative", ExpectedResult
)
def initiative_results(
    request: Request,
    code: str,
    page: Paging = Depends(paging),
    _format: str | None = FormatParam,
    cycle: str | None = CYCLE,
) -> Response:
    item = data.hub_of(request).initiative(code, cycle)
    return list_response(request, item.expected_results, page, f"{item.code}-results", _fmt(request))


@_get(
    "/initiatives/{code}/results/{number}",
    "api_result",
    "One expected result, with its initiative and its implementation (projects, indicators, progress)",
    ResultPage,
)
def result(request: Request, code: str, number: int = NUMBER(), cycle: str | None = CYCLE) -> Response:
    return json_response(monitor_data.result_page(data.hub_of(request), code, number, cycle))


@_list("/expected-results", "api_expected_results", "Every expected result, with its initiative code", ResultRow)
def expected_results(
    request: Request,
    region: str | None = REGION,
    page: Paging = Depends(paging),
    _format: str | None = FormatParam,
    cycle: str | None = CYCLE,
) -> Response:
    items = data.expected_results(data.hub_of(request), region, cycle)
    return list_response(request, items, page, "expected-results", _fmt(request))


@_list("/alignments", "api_alignments", "Links to SDG, WSIS and GDC items, with provenance and status", AlignmentRow)
def alignments(
    request: Request,
    region: str | None = REGION,
    framework: str | None = FRAMEWORK,
    page: Paging = Depends(paging),
    _format: str | None = FormatParam,
    cycle: str | None = CYCLE,
) -> Response:
    items = data.alignments(data.hub_of(request), region, framework, cycle)
    return list_response(request, items, page, "alignments", _fmt(request))


@_get("/alignments/{alignment_id}", "api_alignment", "One framework link with its history of changes", AlignmentView)
def alignment(request: Request, alignment_id: int = ID("alignment id")) -> Response:
    return json_response(data.alignment_view(data.hub_of(request), alignment_id))


@_list("/search", "api_search", "Search (words, meaning or both), ranked, with snippets and facets", SearchPage)
def search(
    request: Request,
    q: str = Query(
        "",
        max_length=500,
        description='Words, "phrases", prefix*, OR, NOT or -word; codes (AMS3, AFR1.16, AFR RI 1), names, '
        "places, meeting dates (April 2025), SDG 9",
    ),
    region: str | None = REGION,
    kind: Literal["initiative", "priority", "contribution", "meeting"] | None = None,
    framework: str | None = FRAMEWORK,
    mode: str | None = Query(
        None,
        description=f"Search mode: {', '.join(MODES)} (semantic and hybrid need `rihub align` to have run); "
        "by default hybrid where embeddings are stored, else fulltext",
    ),
    page: Paging = Depends(paging),
    _format: str | None = FormatParam,
    cycle: str | None = CYCLE,
    literal: bool = Query(False, description="Search the words as typed: no corrections, no partial matches"),
) -> Response:
    found = data.search(
        data.hub_of(request),
        request,
        page,
        q=q,
        region=region,
        kind=kind,
        framework=framework,
        mode=mode or None,
        cycle=cycle,
        literal=literal,
    )
    return csv_response(request, found.data, "search") if _fmt(request) == "csv" else json_response(found)


@_get(
    "/compare",
    "api_compare",
    "Two to six initiatives side by side, expected results aligned by similarity",
    Comparison,
)
def compare_(
    request: Request, codes: list[str] = Query(description="e.g. EUR4,ASP5,AMS4"), cycle: str | None = CYCLE
) -> Response:
    return json_response(data.comparison(data.hub_of(request), data.parse_codes(codes), cycle))


@_get(
    "/overlaps",
    "api_overlaps",
    "Clusters of expected results that several regions share, and those one region asks alone",
    Overlaps,
)
def overlaps(
    request: Request,
    topic: str | None = Query(None, max_length=200, description="Only results with these words, e.g. early warning"),
    theme: str | None = Query(None, max_length=40, description="Only results with this theme, e.g. cybersecurity"),
    cycle: str | None = CYCLE,
) -> Response:
    return json_response(data.overlaps(data.hub_of(request), cycle, topic, theme))


@router.get(
    "/matrix",
    name="api_matrix",
    summary="Regions × themes, SDG goals, WSIS action lines or GDC objectives, with gaps",
    response_model=Matrix,
    responses={**ERRORS, 400: {"model": ErrorBody, "description": "An unknown `by` or link kind"}},
)
def matrix(
    request: Request,
    by: str = Query("theme", max_length=10, description="theme, SDG, WSIS or GDC (400 otherwise)"),
    include: list[str] = Query(
        [],
        description="Link kinds counted, comma-separated or repeated: document, accepted, proposed "
        "[default: document,accepted]",
    ),
    cycle: str | None = CYCLE,
) -> Response:
    """Each cell counts and lists the initiatives and expected results linked to its column; counts
    per link kind are always there (``by_kind``); rejected links never count."""
    return json_response(data.matrix(data.hub_of(request), by, include, cycle))


@_list("/sources", "api_sources", "Source documents (reports) ingested", SourceDocument)
def sources(request: Request, page: Paging = Depends(paging), _format: str | None = FormatParam) -> Response:
    return list_response(request, data.hub_of(request).source_documents(), page, "sources", _fmt(request))


@_get("/sources/{source_id}", "api_source", "One source document with its paragraphs (blocks)", SourceDocumentDetail)
def source(request: Request, source_id: int = ID("source-document id")) -> Response:
    return json_response(data.source(data.hub_of(request), source_id))


@_list("/sources/{source_id}/blocks", "api_source_blocks", "The paragraphs of one source document", Block)
def source_blocks(
    request: Request,
    source_id: int = ID("source-document id"),
    page: Paging = Depends(paging),
    _format: str | None = FormatParam,
) -> Response:
    blocks = data.source(data.hub_of(request), source_id).blocks
    return list_response(request, blocks, page, f"source-{source_id}-blocks", _fmt(request))


@_list("/sources/{source_id}/findings", "api_source_findings", "Lint findings on one source document", SourceFinding)
def source_findings(
    request: Request,
    source_id: int = ID("source-document id"),
    page: Paging = Depends(paging),
    _format: str | None = FormatParam,
) -> Response:
    hub = data.hub_of(request)
    hub.source_document(source_id)  # 404 for an unknown document rather than an empty list
    return list_response(request, hub.findings(source_id), page, f"source-{source_id}-findings", _fmt(request))


@_list("/findings", "api_findings", "Lint findings on every source document", SourceFinding)
def findings(request: Request, page: Paging = Depends(paging), _format: str | None = FormatParam) -> Response:
    return list_response(request, data.hub_of(request).findings(), page, "findings", _fmt(request))
