"""``create_app(hub)``: the FastAPI application serving pages, JSON API, docs and static assets."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.trustedhost import TrustedHostMiddleware

from rihub import __version__
from rihub.config import Settings
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
    env.globals["csrf_field"] = auth.csrf_field
    env.globals["signed_in"] = auth.signed_in
    env.globals["accounts_on"] = False
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
    allowed_hosts: Iterable[str] = ("*",),
    load_model: bool = False,
    body_limits: Mapping[str, int] | None = None,
) -> FastAPI:
    """The whole web app over ``hub``; holds no state of its own, so several workers can serve one database.

    ``load_model`` starts loading the embedding model in the background when the app starts
    (:meth:`Hub.warm_model`), so meaning search is ready without any request waiting for it.

    Read-only by default. ``read_only=False`` turns accounts on (:mod:`rihub.web.auth`): sign-in
    pages, sessions, the review forms and the ``POST`` API; anonymous visitors still only read.
    ``body_limits`` raises the 64 KB request-body limit under given path prefixes (an upload route).
    """
    writable = not read_only
    app = FastAPI(
        title="rihub",
        version=__version__,
        summary="ITU-D Regional Initiatives as open data",
        description=(
            "JSON API over the Regional Initiatives registry. Lists page with "
            "`_size`/`_page` or `limit`/`offset`, answer `{data, count, next}`, and give CSV with `_format=csv`."
            + (
                " Writes (`POST`) need an API token of an account with the right role:"
                " `Authorization: Bearer <token>` (`rihub user token NAME --name WHAT`)."
                if writable
                else " This server is read-only."
            )
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=_load_model if load_model else None,
    )
    app.state.hub = hub
    app.state.writable = writable
    app.state.templates = templates()
    app.state.templates.env.globals["accounts_on"] = writable
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    if writable:
        hub.sync_frameworks()  # links can be added before the first `rihub align`
        app.include_router(auth.pages)
        app.include_router(review.api)
        app.include_router(review.pages)
        app.include_router(monitor_forms.router)  # before the pages: /projects/new is not /projects/{id}
    app.include_router(monitor_api.router)
    app.include_router(monitor_pages.router)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(reports.router)
    errors.install(app)
    if writable:
        app.add_middleware(auth.Sessions, secret_key=hub.secret_key())
    uploads = dict.fromkeys(monitor_forms.UPLOAD_ROUTES, monitor_forms.MAX_UPLOAD)
    app.add_middleware(SecurityHeaders, read_only=read_only, body_limits=uploads | dict(body_limits or {}))
    hosts = list(allowed_hosts)
    if hosts != ["*"]:  # outermost: a request for another site is refused before anything runs
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)
    return app


def from_env() -> FastAPI:
    """The app a server worker builds for itself (``uvicorn --factory rihub.web.app:from_env``).

    ``rihub serve --workers N`` starts N processes; each reads the same settings from the
    environment (``RIHUB_DATABASE_URL``, ``RIHUB_WRITABLE``, ``RIHUB_ALLOWED_HOSTS``…), warms its
    derived views and loads the model in the background, and signs sessions with the key every
    worker reads from the database (or ``RIHUB_SECRET_KEY``).
    """
    settings = Settings.from_env()
    hub = Hub(settings.database_url)
    app = create_app(hub, read_only=not settings.writable, allowed_hosts=settings.allowed_hosts, load_model=True)
    hub.warm()
    return app
