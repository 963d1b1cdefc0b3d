"""``create_app(hub)``: the FastAPI application serving pages, JSON API, docs and static assets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from rihub import __version__
from rihub.hub import Hub
from rihub.web import api, data, errors, pages
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
    return Jinja2Templates(env=env)


def create_app(hub: Hub, *, read_only: bool = True) -> FastAPI:
    """The whole web app over ``hub``; holds no state of its own, so several workers can serve one database."""
    app = FastAPI(
        title="rihub",
        version=__version__,
        summary="ITU-D Regional Initiatives as open data",
        description="Read-only JSON API over the Regional Initiatives registry. Lists page with "
        "`_size`/`_page` or `limit`/`offset`, answer `{data, count, next}`, and give CSV with `_format=csv`.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.hub = hub
    app.state.templates = templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    errors.install(app)
    app.add_middleware(SecurityHeaders, read_only=read_only)
    return app
