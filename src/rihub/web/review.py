"""Reviewing framework links from the web: accept, reject or add, each with who and why.

Mounted only when the app is started writable (``create_app(hub, read_only=False, reviewers=…)``,
``rihub serve --review``). Two doors lead to the same ``Hub`` calls:

- HTML forms (``POST /initiatives/{code}/alignments…``): the editor token is typed into the form,
  and a CSRF token signed with a key derived from the editor token(s) is bound to the form's action
  and to a random nonce held in a ``SameSite=Strict`` cookie (double submit), so another site can
  neither forge nor replay a form. Success redirects back (303) with a status in the query.
- JSON (``POST /api/…``): ``Authorization: Bearer <token>``; no cookie is read, so no CSRF risk.

Nothing is kept between requests beyond what the signature proves, so several workers that share
the token accept each other's forms.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Header, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from rihub import frameworks
from rihub.errors import InputError, NotFoundError
from rihub.records import AlignmentRecord, LineageLink
from rihub.web import data
from rihub.web.ids import ID, MAX_NUMBER, ascii_id
from rihub.web.output import json_response
from rihub.web.views import ERRORS, AlignmentView

log = logging.getLogger("rihub.web")
CSRF_COOKIE = "rihub_csrf"
CSRF_MAX_AGE = 8 * 3600  # a form left open over a working day still posts
MAX_NAME = 100  # alignment_events.actor is VARCHAR(100)
MAX_REASON = 2000
DONE = {"accept": "accepted", "reject": "rejected", "add": "added"}
_BACK = re.compile(r"^/initiatives/([A-Za-z]+\d+)(?:/results/(\d{1,4}))?$")

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["review"])


@dataclass(frozen=True)
class Reviewers:
    """The editor token(s) that may change links, and the form signer derived from them."""

    tokens: tuple[str, ...]
    _signer: URLSafeTimedSerializer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.tokens or not all(self.tokens):
            raise ValueError("review needs at least one non-empty editor token")
        # The signing key is derived, never the token itself: a leaked form token reveals nothing.
        key = hmac.new(b"rihub-review-csrf", "\0".join(sorted(self.tokens)).encode(), hashlib.sha256).digest()
        object.__setattr__(self, "_signer", URLSafeTimedSerializer(key, salt="rihub-review-form"))

    @classmethod
    def of(cls, value: str | Iterable[str]) -> Reviewers:
        return cls((value,) if isinstance(value, str) else tuple(value))

    def allows(self, token: str | None) -> bool:
        """Constant-time comparison with every token (no early exit that would leak which matched)."""
        given = (token or "").encode()
        return any([hmac.compare_digest(given, t.encode()) for t in self.tokens]) and bool(given)

    def form_token(self, nonce: str, action: str) -> str:
        return str(self._signer.dumps({"n": nonce, "a": action}))

    def form_token_ok(self, token: str, nonce: str | None, action: str) -> bool:
        if not token or not nonce:
            return False
        try:
            claims = self._signer.loads(token, max_age=CSRF_MAX_AGE)
        except BadSignature:  # also covers SignatureExpired
            return False
        return (
            isinstance(claims, dict)
            and hmac.compare_digest(str(claims.get("n", "")), nonce)
            and claims.get("a") == action
        )


@dataclass
class Forms:
    """What a page needs to draw review forms: signed CSRF tokens and the vocabulary to choose from."""

    reviewers: Reviewers
    nonce: str
    new_nonce: bool

    def csrf(self, action: str) -> str:
        return self.reviewers.form_token(self.nonce, action)

    @staticmethod
    def vocabulary() -> list[dict[str, Any]]:
        return [
            {"framework": fw, "items": [{"code": i.code, "title": i.title} for i in frameworks.goals(fw)]}
            for fw in frameworks.FRAMEWORKS
        ]


def forms_for(request: Request) -> Forms | None:
    """Review forms for this request, or None on a read-only server (then no form is drawn)."""
    reviewers: Reviewers | None = request.app.state.reviewers
    if reviewers is None:
        return None
    nonce = request.cookies.get(CSRF_COOKIE)
    fresh = not nonce or len(nonce) > 64
    return Forms(reviewers, secrets.token_urlsafe(24) if fresh else str(nonce), fresh)


def remember_nonce(request: Request, response: Response, forms: Forms | None) -> None:
    if forms is not None and forms.new_nonce:
        response.set_cookie(
            CSRF_COOKIE,
            forms.nonce,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )


# --- shared checks ------------------------------------------------------------------------------


def _reviewers(request: Request) -> Reviewers:
    reviewers: Reviewers | None = request.app.state.reviewers
    if reviewers is None:  # pragma: no cover - the routes are only mounted with reviewers
        raise HTTPException(405, "this server is read-only")
    return reviewers


def _text(value: str, name: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InputError(f"{name} is required")
    if len(value) > limit:
        raise InputError(f"{name} is too long (at most {limit} characters)")
    return value


def _reviewable(request: Request, alignment_id: int, code: str | None = None) -> AlignmentRecord:
    """The link, checked to belong to ``code`` (when given) and to be reviewable (document links are not)."""
    link = data.hub_of(request).alignment(alignment_id)
    if code is not None and link.initiative != code.upper():
        raise NotFoundError(f"{code.upper()} has no alignment #{alignment_id}")
    if link.provenance == "document":
        raise HTTPException(
            409, f"alignment #{alignment_id} is stated in the report's own mapping table; it cannot be reviewed"
        )
    return link


def _result_number(value: str | int | None) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if ascii_id(text, "result", MAX_NUMBER) is None:
        raise InputError("result must be an expected-result number (1, 2, …) or empty for the whole initiative")
    return int(text)


def _add(
    request: Request,
    code: str,
    framework: str,
    target: str,
    result: int | None,
    actor: str,
    reason: str,
    cycle: str | None = None,
) -> AlignmentRecord:
    framework = framework.strip().upper()
    if framework not in frameworks.FRAMEWORKS:
        raise InputError(f"unknown framework {framework!r}; use {', '.join(frameworks.FRAMEWORKS)}")
    subject = code.upper() + (f".{result}" if result is not None else "")
    return data.hub_of(request).add_link(subject, framework, target.strip(), actor, reason, cycle=cycle or None)


def _view(request: Request, alignment_id: int) -> AlignmentView:
    return data.alignment_view(data.hub_of(request), alignment_id)


# --- HTML forms ---------------------------------------------------------------------------------


class Throttle:
    """Failed credentials per client: past ``limit`` failures in ``window`` seconds, 429 until the
    oldest failure leaves the window. Kept in memory: with several workers each counts its own
    (the limit per client is then workers × limit), which still turns a guessing run of thousands
    into a trickle; nothing else depends on it, so nothing is lost when a worker restarts."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> collections.deque[float]:
        failures = self._failures.setdefault(client, collections.deque())
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def check(self, client: str) -> None:
        with self._lock:
            now = time.monotonic()
            failures = self._recent(client, now)
            if len(failures) >= self.limit:
                wait = max(1, int(self.window - (now - failures[0])) + 1)
                raise HTTPException(
                    429, f"too many wrong editor tokens; try again in {wait} s", {"Retry-After": str(wait)}
                )

    def failed(self, client: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(client, now).append(now)
            if len(self._failures) > 10_000:  # bounded memory under a spray of addresses
                self._failures = {k: v for k, v in self._failures.items() if v}
        log.warning("wrong editor token from %s", client)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _allowed(request: Request, reviewers: Reviewers, token: str | None) -> None:
    """The token checked under the failed-credential throttle: 429 once a client has failed too often."""
    throttle: Throttle = request.app.state.throttle
    client = _client(request)
    throttle.check(client)
    if not reviewers.allows(token):
        throttle.failed(client)
        raise HTTPException(403, "wrong editor token")


def _check_form(request: Request, action: str, csrf: str, token: str) -> Reviewers:
    reviewers = _reviewers(request)
    if not reviewers.form_token_ok(csrf, request.cookies.get(CSRF_COOKIE), action):
        raise HTTPException(403, "this form has expired or was not sent from this site; reload the page and try again")
    _allowed(request, reviewers, token)
    return reviewers


def _back(
    code: str, back: str, default: str, done: str, alignment_id: int, cycle: str | None = None
) -> RedirectResponse:
    """303 to the page the form was on (only an initiative or result page of this code, in the
    link's cycle), with a status."""
    match = _BACK.match(back or "")
    path = back if match and match.group(1).upper() == code.upper() else default
    query = urlencode({"reviewed": done, "alignment": alignment_id} | ({"cycle": cycle} if cycle else {}))
    return RedirectResponse(f"{path}?{query}#alignment-{alignment_id}", status_code=303)


def _pinned(request: Request, link: AlignmentRecord) -> str | None:
    """The link's cycle when it is not the latest: the page to return to must show that cycle."""
    return None if link.cycle == data.hub_of(request).cycle() else link.cycle


def _home_of(link: AlignmentRecord) -> str:
    base = f"/initiatives/{link.initiative}"
    return base if link.result is None else f"{base}/results/{link.result}"


@pages.post("/initiatives/{code}/alignments/{alignment_id}/review")
def review_form(
    request: Request,
    code: str,
    alignment_id: int,
    action: str = Form(""),
    reviewer: str = Form(""),
    reason: str = Form(""),
    token: str = Form(""),
    csrf: str = Form(""),
    back: str = Form(""),
) -> Response:
    """Accept or reject one link from the page it is shown on."""
    _check_form(request, request.url.path, csrf, token)
    if action not in ("accept", "reject"):
        raise InputError("action is accept or reject")
    actor, why = _text(reviewer, "reviewer name", MAX_NAME), _text(reason, "reason", MAX_REASON)
    link = _reviewable(request, alignment_id, code)
    data.hub_of(request).review(alignment_id, action, actor, why)
    return _back(code, back, _home_of(link), DONE[action], alignment_id, _pinned(request, link))


@pages.post("/initiatives/{code}/alignments")
def add_form(
    request: Request,
    code: str,
    target: str = Form(""),
    result: str = Form(""),
    reviewer: str = Form(""),
    reason: str = Form(""),
    token: str = Form(""),
    csrf: str = Form(""),
    back: str = Form(""),
    cycle: str = Form("", max_length=40),
) -> Response:
    """Add a link chosen from the vocabulary (``target`` is ``FRAMEWORK:CODE``, e.g. ``SDG:9``)."""
    _check_form(request, request.url.path, csrf, token)
    framework, sep, item = target.partition(":")
    if not sep or not item.strip():
        raise InputError("choose a framework item to link to (e.g. SDG 9)")
    actor, why = _text(reviewer, "reviewer name", MAX_NAME), _text(reason, "reason", MAX_REASON)
    link = _add(request, code, framework, item, _result_number(result), actor, why, cycle)
    return _back(code, back, _home_of(link), DONE["add"], link.id, _pinned(request, link))


# --- JSON API -----------------------------------------------------------------------------------


def editor(request: Request, authorization: str | None = Header(None, description="Bearer <editor token>")) -> None:
    """Runs before the body is validated, so an unauthenticated client learns nothing about the schema."""
    reviewers = _reviewers(request)
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401, "send the editor token as `Authorization: Bearer <token>`", {"WWW-Authenticate": "Bearer"}
        )
    _allowed(request, reviewers, token.strip())


class ReviewIn(BaseModel):
    action: Literal["accept", "reject"]
    reviewer: str = Field(min_length=1, max_length=MAX_NAME, description="Who is reviewing")
    reason: str = Field(min_length=1, max_length=MAX_REASON, description="Why (kept in the link's history)")


class AddIn(BaseModel):
    framework: str = Field(pattern="(?i)^(SDG|WSIS|GDC)$", description="SDG, WSIS or GDC")
    code: str = Field(min_length=1, max_length=20, description="An item of that vocabulary, e.g. 9 or C5")
    result: int | None = Field(None, ge=1, description="Expected-result number; omit for the whole initiative")
    reviewer: str = Field(min_length=1, max_length=MAX_NAME)
    reason: str = Field(min_length=1, max_length=MAX_REASON)


@api.post(
    "/alignments/{alignment_id}/review",
    name="api_review",
    summary="Accept or reject a proposed link (editor token required)",
    dependencies=[Depends(editor)],
    response_model=AlignmentView,
    responses=ERRORS,
)
def review_api(request: Request, body: ReviewIn, alignment_id: int = ID("alignment id")) -> Response:
    _reviewable(request, alignment_id)
    actor, why = _text(body.reviewer, "reviewer", MAX_NAME), _text(body.reason, "reason", MAX_REASON)
    data.hub_of(request).review(alignment_id, body.action, actor, why)
    return json_response(_view(request, alignment_id))


@api.post(
    "/initiatives/{code}/alignments",
    name="api_add_link",
    summary="Link an initiative or one of its expected results to a framework item (editor token required)",
    dependencies=[Depends(editor)],
    status_code=201,
    response_model=AlignmentView,
    responses=ERRORS,
)
def add_api(
    request: Request,
    body: AddIn,
    code: str = Path(description="e.g. EUR1"),
    cycle: str | None = Query(None, max_length=40, description="WTDC cycle (default: the latest)"),
) -> Response:
    actor, why = _text(body.reviewer, "reviewer", MAX_NAME), _text(body.reason, "reason", MAX_REASON)
    link = _add(request, code, body.framework, body.code, body.result, actor, why, cycle)
    return json_response(_view(request, link.id), 201)


@api.post(
    "/lineage/{link_id}/review",
    name="api_review_lineage",
    summary="Confirm or reject a proposed 'continues' link between cycles (editor token required)",
    dependencies=[Depends(editor)],
    response_model=LineageLink,
    responses=ERRORS,
)
def review_lineage_api(request: Request, body: ReviewIn, link_id: int = ID("lineage link id")) -> Response:
    actor, why = _text(body.reviewer, "reviewer", MAX_NAME), _text(body.reason, "reason", MAX_REASON)
    (link,) = data.hub_of(request).review_lineage([link_id], body.action, actor, why)
    return json_response(link)
