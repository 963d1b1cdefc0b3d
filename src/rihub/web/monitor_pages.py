"""The monitoring pages people read: projects, indicators, updates, the reviewer inbox, progress
dashboards, the history of one object and the registry-wide activity feed.

Each answers HTML or its JSON twin (``.json``) from one :mod:`rihub.web.monitor_data` function;
anyone may read them. The forms that change things are in :mod:`rihub.web.monitor_forms`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from rihub.errors import InputError
from rihub.web import monitor_data as md
from rihub.web.auth import csrf_field, signed_in
from rihub.web.data import hub_of
from rihub.web.ids import path_id
from rihub.web.output import Paging, format_of, list_response, paging, strip_suffix, wants_bom
from rihub.web.pages import CYCLE, render, twin_url

router = APIRouter(include_in_schema=False)
SAVED = {
    "project": "Project saved.",
    "indicator": "Indicator saved.",
    "period": "Period saved.",
    "update": "Update saved as a draft.",
    "submit": "Update submitted for review.",
    "approve": "Update approved: its value is now the period's actual.",
    "return": "Update returned to its author with your comment.",
}


def _page(*paths: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        for path in paths:
            router.add_api_route(path, func, methods=["GET"], name=f"{func.__name__}:{path}")
        return func

    return wrap


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    """What every monitoring page knows: who is signed in and the status line after a save."""
    actor = signed_in(request)
    return {
        "actor": actor,
        "csrf": csrf_field(request) if actor else "",
        "saved": SAVED.get(request.query_params.get("saved", "")),
        "json_url": None,
        "csv_url": None,
    } | extra


@_page("/projects", "/projects.json", "/projects.csv")
def projects(
    request: Request,
    page: Paging = Depends(paging),
    result: str | None = Query(None, max_length=60),
    status: str | None = Query(None, pattern="^(not-started|on-track|at-risk|off-track|completed)$"),
) -> Response:
    items = hub_of(request).projects(result=result or None, status=status or None)
    fmt = format_of(request)
    if fmt != "html":
        return list_response(request, items, page, "projects", fmt)
    context = page_context(request, projects=items, result=result or "", status=status or "")
    return render(request, "projects.html", context | {"csv_url": twin_url(request, ".csv")}, items, fmt)


@_page("/projects/{project_id}")
def project(request: Request, project_id: str) -> Response:
    view = md.project_view(hub_of(request), path_id(strip_suffix(project_id), "project"))
    return render(request, "project.html", page_context(request, **dict(view)), view, format_of(request))


@_page("/indicators/{indicator_id}")
def indicator(request: Request, indicator_id: str) -> Response:
    view = md.indicator_view(hub_of(request), path_id(strip_suffix(indicator_id), "indicator"))
    return render(request, "indicator.html", page_context(request, **dict(view)), view, format_of(request))


@_page("/updates/{update_id}")
def update(request: Request, update_id: str) -> Response:
    row = md.update_row(hub_of(request), path_id(strip_suffix(update_id), "update"))
    return render(request, "update.html", page_context(request, row=row), row, format_of(request))


@_page("/inbox", "/inbox.json")
def inbox(request: Request, page: Paging = Depends(paging)) -> Response:
    rows = md.inbox(hub_of(request))
    fmt = format_of(request)
    if fmt != "html":
        return list_response(request, rows, page, "inbox", fmt)
    return render(request, "inbox.html", page_context(request, rows=rows), rows, fmt)


@_page("/initiatives/{code}/progress", "/initiatives/{code}/progress.json")
def initiative_progress(request: Request, code: str, cycle: str | None = CYCLE) -> Response:
    view = md.initiative_dashboard(hub_of(request), code, cycle)
    return render(request, "progress.html", page_context(request, view=view), view, format_of(request))


@_page("/regions/{code}/progress", "/regions/{code}/progress.json")
def region_progress(request: Request, code: str, cycle: str | None = CYCLE) -> Response:
    view = md.region_dashboard(hub_of(request), code, cycle)
    return render(request, "progress.html", page_context(request, view=view), view, format_of(request))


@_page("/history/{object_type}/{object_id}")
def history(request: Request, object_type: str, object_id: str) -> Response:
    view = md.history(hub_of(request), object_type, path_id(strip_suffix(object_id), object_type))
    return render(request, "history.html", page_context(request, view=view), view, format_of(request))


@_page("/activity", "/activity.json")
def activity(
    request: Request,
    page: Paging = Depends(paging),
    type: str | None = Query(None, max_length=20),
    actor: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=20),
    since: str | None = Query(None, pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="YYYY-MM-DD"),
) -> Response:
    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError as exc:
        raise InputError(f"since is a date, YYYY-MM-DD (got {since!r})") from exc
    view = md.activity(hub_of(request), request, page, type, actor, action, day)
    context = page_context(request, view=view, types=md.OBJECT_TYPES, actions=md.ACTIONS, page=page)
    return render(request, "activity.html", context, view, format_of(request))


MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _download(body: bytes, name: str, fmt: str) -> Response:
    return Response(
        body, media_type=MEDIA[fmt], headers={"content-disposition": f'attachment; filename="{name}.{fmt}"'}
    )


@_page("/monitoring/template.xlsx", "/monitoring/template.csv")
def monitoring_template(request: Request) -> Response:
    """The import layout with no rows, to fill in (the workbook explains each column)."""
    fmt = request.url.path.rsplit(".", 1)[-1]
    return _download(hub_of(request).monitor_template(fmt, wants_bom(request)), "rihub-monitoring-template", fmt)


@_page("/monitoring/export.xlsx", "/monitoring/export.csv")
def monitoring_export(request: Request) -> Response:
    """Every project, indicator and period in the import layout: edit it and import it back."""
    fmt = request.url.path.rsplit(".", 1)[-1]
    return _download(hub_of(request).monitor_export(fmt, wants_bom(request)), "rihub-monitoring", fmt)
