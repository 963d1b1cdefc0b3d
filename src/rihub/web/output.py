"""Turning records into responses: paging, the list envelope, CSV and format negotiation.

Every list (API or page twin) goes through :func:`list_response`, so paging and CSV behave the
same everywhere: ``{"data": [...], "count": n, "next": url | null}`` (``views.Page``). Records
are serialised with ``model_dump(mode="json")``; CSV rows are the records' readable columns
(:mod:`rihub.tabular`), with a byte-order mark unless ``?_bom=0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from pydantic_core import to_json

from rihub.errors import InputError
from rihub.tabular import records_csv

Format = Literal["html", "json", "csv"]
DEFAULT_SIZE = 50
MAX_SIZE = 1000
# Bounds that keep page × size inside a 64-bit OFFSET (the database refuses anything larger).
MAX_PAGE = 10**9
MAX_OFFSET = MAX_PAGE * MAX_SIZE


@dataclass(frozen=True)
class Paging:
    size: int
    offset: int
    style: Literal["page", "offset", "default"]


def paging(
    size: int | None = Query(None, alias="_size", ge=1, le=MAX_SIZE, description="Rows per page"),
    page: int | None = Query(None, alias="_page", ge=1, le=MAX_PAGE, description="Page number, from 1"),
    limit: int | None = Query(None, ge=1, le=MAX_SIZE, description="Rows per page (alternative to _size)"),
    offset: int | None = Query(None, ge=0, le=MAX_OFFSET, description="Rows to skip (alternative to _page)"),
) -> Paging:
    """Either ``_size``/``_page`` or ``limit``/``offset``; the former wins when both are given."""
    if size is not None or page is not None:
        n = size or DEFAULT_SIZE
        return Paging(n, ((page or 1) - 1) * n, "page")
    if limit is not None or offset is not None:
        return Paging(limit or DEFAULT_SIZE, offset or 0, "offset")
    return Paging(DEFAULT_SIZE, 0, "default")


def format_of(request: Request, default: Format = "html") -> Format:
    """The suffix (.json, .csv) decides, then ``?_format=``, then an Accept header asking only for JSON."""
    path = request.url.path
    if path.endswith(".json"):
        return "json"
    if path.endswith(".csv"):
        return "csv"
    asked = request.query_params.get("_format")
    if asked in ("json", "csv", "html"):
        return asked  # type: ignore[return-value]
    accept = request.headers.get("accept", "")
    if default == "html" and "application/json" in accept and "text/html" not in accept:
        return "json"
    return default


def strip_suffix(value: str) -> str:
    for suffix in (".json", ".csv"):
        if value.endswith(suffix):
            return value[: -len(suffix)]
    return value


def next_url(request: Request, page: Paging, count: int) -> str | None:
    if page.offset + page.size >= count:
        return None
    params = {k: v for k, v in request.query_params.multi_items() if k not in ("_page", "_size", "limit", "offset")}
    if page.style == "offset":
        params |= {"limit": str(page.size), "offset": str(page.offset + page.size)}
    else:
        params |= {"_size": str(page.size), "_page": str(page.offset // page.size + 2)}
    query = "&".join(f"{k}={_quote(v)}" for k, v in params.items())
    return f"{request.url.path}?{query}"  # relative: never built from the Host header


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def envelope(request: Request, items: Sequence[BaseModel], page: Paging, count: int | None = None) -> dict[str, Any]:
    """The list envelope (``views.Page``); ``count`` is given when ``items`` is already one page."""
    if count is None:
        count = len(items)
        items = items[page.offset : page.offset + page.size]
    return {"data": list(items), "count": count, "next": next_url(request, page, count)}


def json_response(data: BaseModel | Sequence[BaseModel] | dict[str, Any], status_code: int = 200) -> Response:
    """Records (or lists and dicts of them) as JSON, in the shape their response models declare;
    serialised by pydantic in one pass (the records' own serialisers: times, aliases)."""
    return Response(to_json(data, by_alias=True), status_code=status_code, media_type="application/json")


BOM_PARAM = "_bom"
_OFF, _ON = ("0", "false", "no", "off"), ("", "1", "true", "yes", "on")


def wants_bom(request: Request) -> bool:
    """CSV downloads start with a UTF-8 byte-order mark (Excel then reads them as UTF-8) unless
    ``?_bom=0``: programs that choke on the mark opt out explicitly (docs/api.md)."""
    asked = request.query_params.get(BOM_PARAM, "").strip().lower()
    if asked not in _OFF + _ON:
        raise InputError(f"{BOM_PARAM} is 1 (start CSV with a byte-order mark, the default) or 0 (no mark)")
    return asked not in _OFF


def csv_response(request: Request, items: Sequence[BaseModel], name: str) -> Response:
    """Records as a CSV download: one row each, readable cells (:mod:`rihub.tabular`)."""
    return Response(
        records_csv(items, bom=wants_bom(request)).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )


def list_response(
    request: Request,
    items: Sequence[BaseModel],
    page: Paging,
    name: str,
    fmt: Format = "json",
    count: int | None = None,
) -> Response:
    """JSON envelope or CSV. CSV holds every row unless the client asked for a page explicitly."""
    if fmt == "csv":
        explicit = count is None and page.style != "default"
        rows = items[page.offset : page.offset + page.size] if explicit else items
        return csv_response(request, rows, name)
    return json_response(envelope(request, items, page, count))
