"""Who is asking: signed session cookies for people, API tokens for scripts, CSRF for every form.

The helpers every writing route uses (the review of framework links, monitoring forms and API):

- ``current_actor(request) -> Actor | None``: the signed-in account (session cookie) or the API
  token's account (``Authorization: Bearer <token>``); None for an anonymous reader. A bad token
  is a 401 (429 once the client is throttled), never silently anonymous. Read afresh on every
  request, so disabling an account or revoking a token takes effect at once.
- ``require_actor(request, roles=None) -> Actor``: the actor, or 401 without credentials and
  403 when their role is not in ``roles`` (e.g. ``REVIEWERS``).
- ``csrf_field(request)``: the hidden ``<input name="csrf">`` for a template's form (also a
  template global: ``{{ csrf_field(request) }}``); ``csrf_token(request)`` is its value.
- ``check_csrf(request, form)``: 403 unless ``form["csrf"]`` is this session's token. Call it on
  every ``POST`` form; JSON API writes need none (they authenticate with a header no other site
  can make a browser send, and the middleware refuses an API ``POST`` without one).

The session is one cookie, ``rihub_session``: ``{user id, CSRF token}`` signed (and timed) with
itsdangerous under :meth:`Hub.secret_key` (``RIHUB_SECRET_KEY`` or a key kept in the database,
so every worker accepts it), ``HttpOnly``, ``SameSite=Lax``, ``Secure`` when the request came
over HTTPS, valid for :data:`SESSION_HOURS`. A visitor gets one only when a form is drawn for
them (the sign-in page); signing in and out both start a new CSRF token.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rihub.errors import AuthError, ThrottledError
from rihub.records import Actor

log = logging.getLogger("rihub.web")
COOKIE = "rihub_session"
SESSION_HOURS = 12
REVIEWERS = ("reviewer", "admin")
_SCOPE_KEY = "rihub.session"
_ACTOR_KEY = "rihub.actor"
_NONE = object()
BEARER = {"WWW-Authenticate": "Bearer"}


@dataclass
class Session:
    user_id: int | None = None
    csrf: str = ""
    changed: bool = False


class Sessions:
    """Pure ASGI middleware: reads the signed cookie into the scope, writes it back when it changed."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        self.app = app
        self.signer = URLSafeTimedSerializer(secret_key, salt="rihub-session")

    def _load(self, scope: Scope) -> Session:
        raw = _cookie(scope, COOKIE)
        if raw:
            try:
                claims = self.signer.loads(raw, max_age=SESSION_HOURS * 3600)
                if isinstance(claims, dict):
                    user_id = claims.get("u")
                    return Session(user_id if isinstance(user_id, int) else None, str(claims.get("c", "")))
            except BadSignature:
                pass
        return Session()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = scope[_SCOPE_KEY] = self._load(scope)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and session.changed:
                value = self.signer.dumps({"u": session.user_id, "c": session.csrf})
                cookie = f"{COOKIE}={value}; Path=/; Max-Age={SESSION_HOURS * 3600}; HttpOnly; SameSite=Lax"
                if scope.get("scheme") == "https":
                    cookie += "; Secure"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


def _session(request: Request) -> Session | None:
    session = request.scope.get(_SCOPE_KEY)
    return session if isinstance(session, Session) else None


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current_actor(request: Request) -> Actor | None:
    """The actor behind this request (cached on it), or None for an anonymous reader."""
    cached = request.scope.get(_ACTOR_KEY, _NONE)
    if cached is not _NONE:
        return cached if isinstance(cached, Actor) else None
    hub = request.app.state.hub
    actor: Actor | None = None
    authorization = request.headers.get("authorization", "")
    if authorization.strip():
        scheme, _, secret = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise HTTPException(
                401, "send an API token as `Authorization: Bearer <token>`", {"WWW-Authenticate": "Bearer"}
            )
        try:
            actor = hub.authenticate_token(secret.strip(), client_of(request))
        except ThrottledError as exc:
            raise HTTPException(429, str(exc), {"Retry-After": str(exc.retry_after)}) from exc
        except AuthError as exc:
            log.warning("rejected API token from %s", client_of(request))
            raise HTTPException(401, str(exc), BEARER) from exc
    else:
        session = _session(request)
        if session is not None and session.user_id is not None:
            actor = hub.session_actor(session.user_id)
    request.scope[_ACTOR_KEY] = actor
    return actor


def signed_in(request: Request) -> Actor | None:
    """:func:`current_actor` for templates: a page is still drawn when the request's token is bad."""
    try:
        return current_actor(request)
    except HTTPException:
        return None


def require_actor(request: Request, roles: Iterable[str] | None = None) -> Actor:
    """The actor, or 401 (no credentials) / 403 (a role not in ``roles``)."""
    actor = current_actor(request)
    if actor is None:
        raise HTTPException(
            401,
            "sign in at /login, or send an API token as `Authorization: Bearer <token>`",
            {"WWW-Authenticate": "Bearer"},
        )
    allowed = tuple(roles) if roles is not None else None
    if allowed is not None and actor.role not in allowed:
        raise HTTPException(403, f"{actor.username} is a {actor.role}; this needs the role {' or '.join(allowed)}")
    return actor


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made (and the cookie set) on first use."""
    session = _session(request)
    if session is None:
        raise RuntimeError("forms need the Sessions middleware (a writable app)")
    if not session.csrf:
        session.csrf, session.changed = secrets.token_urlsafe(32), True
    return session.csrf


def csrf_field(request: Request) -> Markup:
    return Markup('<input type="hidden" name="csrf" value="{}">').format(escape(csrf_token(request)))


def check_csrf(request: Request, form: Mapping[str, Any]) -> None:
    """403 unless the form carries this session's CSRF token."""
    session = _session(request)
    given = str(form.get("csrf") or "")
    if session is None or not session.csrf or not given or not hmac.compare_digest(given, session.csrf):
        raise HTTPException(403, "this form has expired or was not sent from this site; reload the page and try again")


def _restart(request: Request, user_id: int | None) -> None:
    session = _session(request)
    assert session is not None
    session.user_id, session.csrf, session.changed = user_id, secrets.token_urlsafe(32), True
    request.scope[_ACTOR_KEY] = _NONE


# --- sign in and out ----------------------------------------------------------------------------

pages = APIRouter(include_in_schema=False)


def _local(target: str) -> str:
    """Only a path on this site ("/x"), never "//elsewhere" or "/\\elsewhere": no open redirect."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def _login_page(request: Request, next_url: str, error: str | None = None, status: int = 200) -> Response:
    context = {"next_url": _local(next_url), "error": error, "json_url": None, "csv_url": None}
    return request.app.state.templates.TemplateResponse(request, "login.html", context, status_code=status)


@pages.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return _login_page(request, next)


@pages.get("/logout")
def logout_page(request: Request) -> Response:
    return _login_page(request, "/")


@pages.post("/login")
def login(
    request: Request,
    username: str = Form("", max_length=64),
    password: str = Form("", max_length=1024),
    csrf: str = Form(""),
    next: str = Form("/", max_length=2000),
) -> Response:
    check_csrf(request, {"csrf": csrf})
    try:
        actor = request.app.state.hub.authenticate_password(username, password, client_of(request))
    except ThrottledError as exc:
        response = _login_page(request, next, str(exc), 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except AuthError as exc:
        log.warning("failed sign-in for %r from %s", username[:64], client_of(request))
        return _login_page(request, next, str(exc), 401)
    _restart(request, actor.user_id)
    return RedirectResponse(_local(next), status_code=303)


@pages.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    check_csrf(request, {"csrf": csrf})
    _restart(request, None)
    return RedirectResponse("/", status_code=303)
