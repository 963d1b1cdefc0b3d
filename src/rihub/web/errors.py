"""One error handler for every failure: HTML pages for people, JSON for /api and JSON clients."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from rihub.errors import (
    AuthError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDenied,
    RihubError,
    ThrottledError,
)
from rihub.web.security import HEADERS, is_data_path

log = logging.getLogger("rihub.web")


def wants_json(request: Request) -> bool:
    """JSON for the API, the .json/.csv twins and clients that ask for JSON rather than HTML."""
    if is_data_path(request.url.path) or request.query_params.get("_format") in ("json", "csv"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _status_of(exc: Exception) -> tuple[int, str, list[dict[str, Any]]]:
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return exc.status_code, detail, []
    if isinstance(exc, RequestValidationError):
        problems = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        names = ", ".join(p["loc"][-1] for p in problems if p["loc"]) or "request"
        return 422, f"invalid value for {names}", problems
    if isinstance(exc, ThrottledError):
        return 429, str(exc), []
    if isinstance(exc, AuthError):
        return 401, str(exc), []
    if isinstance(exc, PermissionDenied):
        return 403, str(exc), []
    if isinstance(exc, NotFoundError):
        return 404, str(exc), []
    if isinstance(exc, ConflictError):
        return 409, str(exc), []
    if isinstance(exc, InputError):
        return 422, str(exc), []
    if isinstance(exc, RihubError):
        return 400, str(exc), []
    if isinstance(exc, OperationalError):  # locked, unreachable, out of space: the database, not the request
        return 503, "the database is busy or unavailable; try again in a moment", []
    return 500, "something went wrong on our side; the error has been logged", []


def error_response(request: Request, exc: Exception) -> Response:
    status, detail, problems = _status_of(exc)
    if status == 503:
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    elif status >= 500:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    title = HTTPStatus(status).phrase
    headers = dict(HEADERS)
    if isinstance(exc, StarletteHTTPException) and exc.headers:
        headers.update(exc.headers)
    if isinstance(exc, ThrottledError):
        headers["Retry-After"] = str(exc.retry_after)
    if wants_json(request):
        body: dict[str, Any] = {"error": {"status": status, "title": title, "detail": detail}}
        if problems:
            body["error"]["errors"] = problems
        if isinstance(exc, ConflictError) and isinstance(exc.current, BaseModel):
            body["current"] = exc.current.model_dump(mode="json")
        return JSONResponse(body, status_code=status, headers=headers)
    templates = request.app.state.templates
    html = templates.get_template("error.html").render(
        request=request, status=status, title=title, detail=detail, problems=problems, json_url=None, csv_url=None
    )
    return HTMLResponse(html, status_code=status, headers=headers)


async def handle(request: Request, exc: Exception) -> Response:
    return error_response(request, exc)


def method_not_allowed(scope: Scope) -> Any:
    """The read-only guard's answer, rendered by the same handler as every other error."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        exc = StarletteHTTPException(405, "this server is read-only", headers={"Allow": "GET, HEAD, OPTIONS"})
        await error_response(request, exc)(scope, receive, send)

    return app


def unauthorized(scope: Scope) -> Any:
    """A write to the API without a credential: 401 before the body is read, so nothing about the
    request's schema leaks to an anonymous client."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        exc = StarletteHTTPException(
            401, "send an API token as `Authorization: Bearer <token>`", headers={"WWW-Authenticate": "Bearer"}
        )
        await error_response(request, exc)(scope, receive, send)

    return app


def too_large(scope: Scope, limit: int) -> Any:
    async def app(scope: Scope, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        exc = StarletteHTTPException(413, f"the request body is over {limit // 1024} KB, this route's limit")
        await error_response(request, exc)(scope, receive, send)

    return app


def nul_in_request(scope: Scope) -> Any:
    """A path or query holding a NUL character: no name, code or id holds one (and PostgreSQL
    refuses it in text), so it is answered 400 before any route reads it."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        exc = StarletteHTTPException(400, "the request's address holds a NUL character")
        await error_response(Request(scope, receive), exc)(scope, receive, send)

    return app


def install(app: FastAPI) -> None:
    for kind in (StarletteHTTPException, RequestValidationError, RihubError, Exception):
        app.add_exception_handler(kind, handle)
