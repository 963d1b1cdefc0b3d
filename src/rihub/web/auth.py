"""Who is asking: a signed-in session cookie or an API token, and the CSRF token of every form.

MINIMAL STAND-IN written on the ``monitor-web`` branch so the monitoring pages can be built and
tested before the ``accounts`` branch's web layer lands; the accounts module replaces this file
when merged (same names: ``current_actor``, ``require_actor``, ``csrf_field``, ``check_csrf``).

- API: ``Authorization: Bearer <token>``, checked by :meth:`Hub.authenticate_token`.
- Pages: a cookie signed with :meth:`Hub.secret_key` holding the user id; the account is read
  afresh on every request, so disabling it signs the person out at once.
- CSRF: a form carries an HMAC of the session cookie; another site can neither read nor forge it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException

from rihub.errors import AuthError
from rihub.records import Actor

SESSION_COOKIE = "rihub_session"
SESSION_MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf"
router = APIRouter(include_in_schema=False)


def _signer(request: Request) -> URLSafeTimedSerializer:
    key = request.app.state.hub.secret_key()
    return URLSafeTimedSerializer(key, salt="rihub-session")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current_actor(request: Request) -> Actor | None:
    """The token's or the session's account; None for an anonymous reader. A wrong token is 401."""
    cached = request.scope.get("rihub.actor", False)
    if cached is not False:
        return cached
    actor: Actor | None = None
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        actor = request.app.state.hub.authenticate_token(secret.strip(), _client(request))
    elif cookie := request.cookies.get(SESSION_COOKIE):
        try:
            user_id = _signer(request).loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:
            user_id = None
        if isinstance(user_id, int):
            actor = request.app.state.hub.session_actor(user_id)
    request.scope["rihub.actor"] = actor
    return actor


def signed_in(request: Request) -> Actor | None:
    """:func:`current_actor` for templates: a page is still drawn when the request's token is bad."""
    try:
        return current_actor(request)
    except AuthError:
        return None


def require_actor(request: Request, roles: Iterable[str] | None = None) -> Actor:
    """The account behind the request: 401 without one, 403 when its role is not in ``roles``."""
    actor = current_actor(request)
    if actor is None:
        raise AuthError("sign in, or send an API token as `Authorization: Bearer <token>`")
    wanted = set(roles or ())
    if wanted and actor.role not in wanted:
        raise HTTPException(403, f"{actor.username} is a {actor.role}; this needs {' or '.join(sorted(wanted))}")
    return actor


def _csrf_token(request: Request) -> str:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    key = request.app.state.hub.secret_key().encode()
    return hmac.new(key, b"csrf\0" + cookie.encode(), hashlib.sha256).hexdigest()


def csrf_field(request: Request) -> Markup:
    """The hidden input every form carries."""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(_csrf_token(request))}">')


def check_csrf(request: Request, form: Mapping[str, Any]) -> None:
    """403 unless the form carries this session's CSRF token."""
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not request.cookies.get(SESSION_COOKIE):
        raise HTTPException(403, "this form was not sent from this site (no CSRF token); reload the page and try again")
    if not hmac.compare_digest(sent, _csrf_token(request)):
        raise HTTPException(403, "this form has expired or was not sent from this site; reload the page and try again")


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
    actor = request.app.state.hub.authenticate_password(username, password, _client(request))
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        _signer(request).dumps(actor.user_id),
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/login")
def login_page(request: Request) -> Response:
    wanted = request.query_params.get("next", "/")
    context = {"next": wanted if wanted.startswith("/") else "/", "json_url": None, "csv_url": None}
    return request.app.state.templates.TemplateResponse(request, "login.html", context)


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
