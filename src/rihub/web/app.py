"""``create_app(hub)``: the FastAPI application serving pages, JSON API, docs and static assets."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.trustedhost import TrustedHostMiddleware

from rihub import __version__
from rihub.hub import Hub
from rihub.web import api, auth, data, errors, monitor_api, monitor_forms, monitor_pages, pages, reports, review
from rihub.web.security import SecurityHeaders

HERE = Path(__file__).parent


def _date(value: Any, style: str = "long") -> str:
    """'2025-02-25' → '25 Feb 2025' (or '25 Feb' with style='short'); anything else passes through."""
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%b}" if style == "short" else f"{day.day} {day:%b %Y}"


def _date_range(start: Any, end: Any) -> str:
    if not start:
        return ""
    if not end or end == start:
        return _date(start)
    a, b = dt.date.fromisoformat(str(start)[:10]), dt.date.fromisoformat(str(end)[:10])
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%b %Y}"
    return f"{_date(start, 'short')} – {_date(end)}"


@jinja2.pass_context
def _pin(context: Any, url: str) -> str:
    """``url`` kept in the cycle the page was asked for (``?cycle=``), so links do not drift."""
    request = context.get("request")
    return data.with_cycle(url, request.query_params.get("cycle") if request is not None else None)


CHOOSER_CYCLES = 12  # the header lists the newest cycles; /api/cycles lists them all


@jinja2.pass_context
def _cycle_codes(context: Any) -> list[str]:
    """The newest cycles for the header's chooser (one query; none on an empty registry)."""
    request = context.get("request")
    if request is None:
        return []
    return [c.code for c in request.app.state.hub.cycles(limit=CHOOSER_CYCLES)]


def templates() -> Jinja2Templates:
    """Templates with autoescaping forced on for every file (not only *.html): nothing renders raw."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["date"] = _date
    env.globals["date_range"] = _date_range
    env.globals["version"] = __version__
    env.globals["source_url"] = data.source_url
    env.globals["badge"] = data.badge
    env.globals["by_framework"] = data.by_framework
    env.globals["framework_title"] = data.framework_title
    env.globals["pin"] = _pin
    env.globals["cycle_codes"] = _cycle_codes
    return Jinja2Templates(env=env)


@asynccontextmanager
async def _load_model(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, not at import: the model thread belongs to a serving app only."""
    app.state.hub.warm_model()
    yield


def create_app(
    hub: Hub,
    *,
    read_only: bool = True,
    reviewers: str | Iterable[str] | None = None,
    allowed_hosts: Iterable[str] = ("*",),
    load_model: bool = False,
) -> FastAPI:
    """The whole web app over ``hub``; holds no state of its own, so several workers can serve one database.

    ``load_model`` starts loading the embedding model in the background when the app starts
    (:meth:`Hub.warm_model`), so meaning search is ready without any request waiting for it.

    Read-only by default. ``read_only=False`` with ``reviewers`` (the editor token or tokens) mounts the
    review forms and ``POST`` API; a writable app without a token is refused rather than left open.
    """
    editors = None if reviewers is None else review.Reviewers.of(reviewers)
    if not read_only and editors is None:
        raise ValueError("a writable app needs an editor token: create_app(hub, read_only=False, reviewers=TOKEN)")
    if read_only and editors is not None:
        raise ValueError("reviewers only make sense with read_only=False")
    app = FastAPI(
        title="rihub",
        version=__version__,
        summary="ITU-D Regional Initiatives as open data",
        description=(
            "JSON API over the Regional Initiatives registry. Lists page with "
            "`_size`/`_page` or `limit`/`offset`, answer `{data, count, next}`, and give CSV with `_format=csv`."
            + (
                " Reviewing is on: `POST` endpoints change framework links with `Authorization: Bearer <token>`."
                if editors
                else " This server is read-only."
            )
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=_load_model if load_model else None,
    )
    app.state.hub = hub
    app.state.reviewers = editors
    app.state.throttle = review.Throttle()
    app.state.templates = templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    if editors is not None:
        hub.sync_frameworks()  # links can be added before the first `rihub align`
        app.include_router(review.api)
        app.include_router(review.pages)
    app.include_router(auth.router)
    app.include_router(monitor_api.router)
    app.include_router(monitor_forms.router)  # before the pages: /projects/new is not /projects/{id}
    app.include_router(monitor_pages.router)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(reports.router)
    errors.install(app)
    app.add_middleware(SecurityHeaders, read_only=read_only)
    hosts = list(allowed_hosts)
    if hosts != ["*"]:  # outermost: a request for another site is refused before anything runs
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    return app
