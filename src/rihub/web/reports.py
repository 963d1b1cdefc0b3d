"""Report downloads: ``/reports/consolidated.{fmt}``, ``/reports/region/{code}.{fmt}`` and
``/reports/initiative/{code}.{fmt}`` (``?cycle=`` as on every page), and the annual progress
reports ``/reports/annual/{region|initiative}/{code}.{docx|pdf}?year=``; the work is
:meth:`rihub.hub.Hub.report`, this module only names the file and sets its content type.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from rihub.errors import InputError, NotFoundError
from rihub.report import filename, format_of, writer
from rihub.web import data
from rihub.web.pages import CYCLE

router = APIRouter(include_in_schema=False)


def download(request: Request, kind: str, name: str, cycle: str | None) -> Response:
    """``name`` is "CODE.FORMAT" (or "consolidated.FORMAT"): the suffix picks the writer."""
    code, dot, fmt = name.rpartition(".")
    if not dot or not code:
        raise InputError(f"name the format as a suffix, e.g. /reports/{kind}/{name}.pdf")
    fmt = format_of(fmt)
    hub = data.hub_of(request)
    body = hub.report(kind, code if kind != "consolidated" else None, cycle, fmt)
    name = filename(kind, code if kind != "consolidated" else None, hub.cycle(cycle), fmt)
    headers = {"content-disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=writer(fmt).MEDIA_TYPE, headers=headers)


@router.get("/reports/{name}")
def consolidated(request: Request, name: str, cycle: str | None = CYCLE) -> Response:
    if name.rpartition(".")[0] != "consolidated":
        raise NotFoundError(
            f"no report {name!r}; use /reports/consolidated.FORMAT, /reports/region/CODE.FORMAT "
            "or /reports/initiative/CODE.FORMAT"
        )
    return download(request, "consolidated", name, cycle)


@router.get("/reports/region/{name}")
def region(request: Request, name: str, cycle: str | None = CYCLE) -> Response:
    return download(request, "region", name, cycle)


@router.get("/reports/initiative/{name}")
def initiative(request: Request, name: str, cycle: str | None = CYCLE) -> Response:
    return download(request, "initiative", name, cycle)


@router.get("/reports/annual/{kind}/{name}")
def annual(
    request: Request, kind: str, name: str, year: int | None = Query(None, ge=1900, le=2200), cycle: str | None = CYCLE
) -> Response:
    """The annual progress report of a region or an initiative (``/reports/annual/region/AFR.docx?year=2026``)."""
    if kind not in ("region", "initiative"):
        raise NotFoundError(f"no annual report of a {kind!r}; use /reports/annual/region/CODE.FORMAT or …/initiative/…")
    code, dot, fmt = name.rpartition(".")
    if not dot or not code or fmt not in ANNUAL_MEDIA:
        raise InputError(f"name the format as a suffix: /reports/annual/{kind}/{code or name}.docx or .pdf")
    wanted = year or dt.date.today().year
    body = data.hub_of(request).annual_report(kind, code, wanted, cycle, fmt)
    headers = {"content-disposition": f'attachment; filename="rihub-annual-{code.upper()}-{wanted}.{fmt}"'}
    return Response(body, media_type=ANNUAL_MEDIA[fmt], headers=headers)


ANNUAL_MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
