"""Reviewing framework links from the web: accept, reject or add, each with who and why.

Mounted only when the app is started writable (``create_app(hub, read_only=False)``, ``rihub
serve --writable``); only a signed-in **reviewer** or **admin** may review (:mod:`rihub.web.auth`).
Two doors lead to the same ``Hub`` calls, recorded under the account's username:

- HTML forms (``POST /initiatives/{code}/alignments…``), drawn for reviewers only, each carrying
  the session's CSRF token (checked before anything else happens). Success redirects back (303)
  with a status in the query.
- JSON (``POST /api/…``) with ``Authorization: Bearer <api token>``; no cookie is read, so no
  CSRF risk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Header, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from rihub import frameworks
from rihub.errors import InputError, NotFoundError
from rihub.records import Actor, AlignmentRecord, LineageLink
from rihub.web import auth, data
from rihub.web.ids import ID, MAX_NUMBER, ascii_id
from rihub.web.output import json_response
from rihub.web.views import ERRORS, AlignmentView

MAX_REASON = 2000
DONE = {"accept": "accepted", "reject": "rejected", "add": "added"}
_BACK = re.compile(r"^/initiatives/([A-Za-z]+\d+)(?:/results/(\d{1,4}))?$")

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["review"])


@dataclass
class Forms:
    """What a page needs to draw review forms: who reviews, the CSRF token, the vocabulary."""

    actor: Actor
    request: Request

    def csrf(self, action: str) -> str:
        """The session's token (the same for every form; ``action`` names the form, for templates)."""
        return auth.csrf_token(self.request)

    @staticmethod
    def vocabulary() -> list[dict[str, Any]]:
        return [
            {"framework": fw, "items": [{"code": i.code, "title": i.title} for i in frameworks.goals(fw)]}
            for fw in frameworks.FRAMEWORKS
        ]


def forms_for(request: Request) -> Forms | None:
    """Review forms for this request: only on a writable server, only for a reviewer or admin."""
    if not request.app.state.writable:
        return None
    actor = auth.signed_in(request)
    return Forms(actor, request) if actor is not None and actor.role in auth.REVIEWERS else None


# --- shared checks ------------------------------------------------------------------------------


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


def _check_form(request: Request, csrf: str) -> Actor:
    """A signed-in reviewer (401 / 403) sending this session's form (403 otherwise)."""
    auth.require_actor(request)
    auth.check_csrf(request, {"csrf": csrf})
    return auth.require_actor(request, auth.REVIEWERS)


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
    reason: str = Form(""),
    csrf: str = Form(""),
    back: str = Form(""),
) -> Response:
    """Accept or reject one link from the page it is shown on."""
    actor = _check_form(request, csrf)
    if action not in ("accept", "reject"):
        raise InputError("action is accept or reject")
    why = _text(reason, "reason", MAX_REASON)
    link = _reviewable(request, alignment_id, code)
    data.hub_of(request).review(alignment_id, action, actor.username, why)
    return _back(code, back, _home_of(link), DONE[action], alignment_id, _pinned(request, link))


@pages.post("/initiatives/{code}/alignments")
def add_form(
    request: Request,
    code: str,
    target: str = Form(""),
    result: str = Form(""),
    reason: str = Form(""),
    csrf: str = Form(""),
    back: str = Form(""),
    cycle: str = Form("", max_length=40),
) -> Response:
    """Add a link chosen from the vocabulary (``target`` is ``FRAMEWORK:CODE``, e.g. ``SDG:9``)."""
    actor = _check_form(request, csrf)
    framework, sep, item = target.partition(":")
    if not sep or not item.strip():
        raise InputError("choose a framework item to link to (e.g. SDG 9)")
    why = _text(reason, "reason", MAX_REASON)
    link = _add(request, code, framework, item, _result_number(result), actor.username, why, cycle)
    return _back(code, back, _home_of(link), DONE["add"], link.id, _pinned(request, link))


# --- JSON API -----------------------------------------------------------------------------------


def reviewer(
    request: Request,
    authorization: str | None = Header(None, description="Bearer <API token of a reviewer or admin>"),
) -> Actor:
    """Runs before the body is validated, so an unauthenticated client learns nothing about the schema."""
    return auth.require_actor(request, auth.REVIEWERS)


class ReviewIn(BaseModel):
    action: Literal["accept", "reject"]
    reason: str = Field(min_length=1, max_length=MAX_REASON, description="Why (kept in the link's history)")


class AddIn(BaseModel):
    framework: str = Field(pattern="(?i)^(SDG|WSIS|GDC)$", description="SDG, WSIS or GDC")
    code: str = Field(min_length=1, max_length=20, description="An item of that vocabulary, e.g. 9 or C5")
    result: int | None = Field(None, ge=1, description="Expected-result number; omit for the whole initiative")
    reason: str = Field(min_length=1, max_length=MAX_REASON)


@api.post(
    "/alignments/{alignment_id}/review",
    name="api_review",
    summary="Accept or reject a proposed link (reviewer or admin API token)",
    response_model=AlignmentView,
    responses=ERRORS,
)
def review_api(
    request: Request, body: ReviewIn, alignment_id: int = ID("alignment id"), actor: Actor = Depends(reviewer)
) -> Response:
    _reviewable(request, alignment_id)
    why = _text(body.reason, "reason", MAX_REASON)
    data.hub_of(request).review(alignment_id, body.action, actor.username, why)
    return json_response(_view(request, alignment_id))


@api.post(
    "/initiatives/{code}/alignments",
    name="api_add_link",
    summary="Link an initiative or one of its expected results to a framework item (reviewer or admin API token)",
    status_code=201,
    response_model=AlignmentView,
    responses=ERRORS,
)
def add_api(
    request: Request,
    body: AddIn,
    code: str = Path(description="e.g. EUR1"),
    cycle: str | None = Query(None, max_length=40, description="WTDC cycle (default: the latest)"),
    actor: Actor = Depends(reviewer),
) -> Response:
    why = _text(body.reason, "reason", MAX_REASON)
    link = _add(request, code, body.framework, body.code, body.result, actor.username, why, cycle)
    return json_response(_view(request, link.id), 201)


@api.post(
    "/lineage/{link_id}/review",
    name="api_review_lineage",
    summary="Confirm or reject a proposed 'continues' link between cycles (reviewer or admin API token)",
    response_model=LineageLink,
    responses=ERRORS,
)
def review_lineage_api(
    request: Request, body: ReviewIn, link_id: int = ID("lineage link id"), actor: Actor = Depends(reviewer)
) -> Response:
    why = _text(body.reason, "reason", MAX_REASON)
    (link,) = data.hub_of(request).review_lineage([link_id], body.action, actor.username, why)
    return json_response(link)
