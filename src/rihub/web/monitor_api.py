"""The monitoring JSON API: ``/api/projects``, ``/api/indicators``, ``/api/periods``, ``/api/updates``.

Reads are open like the rest of the API. Writes take ``Authorization: Bearer <API token>`` (the
security middleware answers 401 before the body is read when the header is missing); the library
decides what the token's account may do (403 otherwise). A change carries the ``version`` it was
based on: a stale one is 409 with the record as it now stands in ``current``. ``PUT`` replaces the
fields, ``PATCH`` changes only the ones sent.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, create_model

from rihub.records import (
    Actor,
    Indicator,
    IndicatorInput,
    Period,
    PeriodInput,
    Project,
    ProjectInput,
    Update,
    UpdateInput,
)
from rihub.web import monitor_data as md
from rihub.web.auth import require_actor
from rihub.web.data import hub_of
from rihub.web.ids import ID
from rihub.web.monitor_views import (
    ConflictBody,
    IndicatorChange,
    PeriodChange,
    ProjectChange,
    ProjectCreate,
    ReviewAction,
    UpdateChange,
)
from rihub.web.output import Paging, json_response, list_response, paging
from rihub.web.views import ERRORS, ErrorBody, Page

router = APIRouter(prefix="/api", tags=["monitoring"])
WRITE_ERRORS: dict[int | str, dict[str, Any]] = ERRORS | {
    401: {"model": ErrorBody, "description": "No credentials, or an unknown, revoked or disabled token"},
    403: {"model": ErrorBody, "description": "The account's role or assignments do not allow this"},
    409: {"model": ConflictBody, "description": "Based on an old version: `current` is the record now"},
}
STATUS = Query(None, pattern="^(not-started|on-track|at-risk|off-track|completed)$")


def writer(request: Request) -> Actor:
    """The token's account; runs before the body is validated, so an anonymous client learns nothing."""
    return require_actor(request)


def patch_model(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` with every field optional plus a required ``version``: the body of a PATCH."""
    fields: dict[str, Any] = {name: (f.annotation | None, None) for name, f in model.model_fields.items()}  # type: ignore[operator]
    fields["version"] = (int, ...)
    return create_model(f"{model.__name__}Patch", **fields)


ProjectPatch = patch_model(ProjectCreate)
IndicatorPatch = patch_model(IndicatorInput)
PeriodPatch = patch_model(PeriodInput)
UpdatePatch = patch_model(UpdateInput)


def _merged(current: BaseModel, patch: BaseModel, model: type[BaseModel], **extra: Any) -> Any:
    """The stored record with the fields a PATCH sent laid over it, as ``model``."""
    sent = patch.model_dump(exclude_unset=True, exclude={"version"})
    base = current.model_dump(include=set(model.model_fields)) | extra
    return model.model_validate(base | sent)


# --- projects -----------------------------------------------------------------------------------


@router.get("/projects", summary="Projects, filtered", response_model=Page[Project], responses=ERRORS)
def projects(
    request: Request,
    page: Paging = Depends(paging),
    result: str | None = Query(None, max_length=60, description="Serving this expected result, e.g. AFR1.16"),
    status: str | None = STATUS,
) -> Response:
    return list_response(request, hub_of(request).projects(result=result, status=status), page, "projects")


@router.get("/projects/{project_id}", summary="One project", response_model=Project, responses=ERRORS)
def project(request: Request, project_id: int = ID("project id")) -> Response:
    return json_response(hub_of(request).project(project_id))


@router.post("/projects", summary="Add a project", status_code=201, response_model=Project, responses=WRITE_ERRORS)
def project_add(request: Request, body: ProjectCreate, actor: Actor = Depends(writer)) -> Response:
    hub = hub_of(request)
    data = ProjectInput.model_validate(body.model_dump(exclude={"results"}))
    return json_response(hub.project_add(actor, data, body.results), 201)


def _project_change(request: Request, actor: Actor, project_id: int, body: ProjectChange) -> Response:
    hub = hub_of(request)
    data = ProjectInput.model_validate(body.model_dump(exclude={"results", "version"}))
    project = hub.project_update(actor, project_id, body.version, data)
    return json_response(md.relink(hub, actor, project, body.results))


@router.put("/projects/{project_id}", summary="Change a project", response_model=Project, responses=WRITE_ERRORS)
def project_put(
    request: Request, body: ProjectChange, project_id: int = ID("project id"), actor: Actor = Depends(writer)
) -> Response:
    return _project_change(request, actor, project_id, body)


@router.patch(
    "/projects/{project_id}", summary="Change some fields of a project", response_model=Project, responses=WRITE_ERRORS
)
def project_patch(
    request: Request,
    body: ProjectPatch = Body(),  # type: ignore[valid-type]
    project_id: int = ID("project id"),
    actor: Actor = Depends(writer),
) -> Response:
    current = hub_of(request).project(project_id)
    keys = [r.key for r in current.results]
    merged = _merged(current, body, ProjectChange, results=keys, version=body.version)  # type: ignore[attr-defined]
    return _project_change(request, actor, project_id, merged)


# --- indicators and periods ---------------------------------------------------------------------


@router.get("/indicators", summary="Indicators, filtered", response_model=Page[Indicator], responses=ERRORS)
def indicators(
    request: Request,
    page: Paging = Depends(paging),
    project: int | None = Query(None, ge=1, description="Of this project"),
    result: str | None = Query(None, max_length=60, description="Measuring this expected result, e.g. AFR1.16"),
) -> Response:
    hub = hub_of(request)
    found = hub.indicators(project_id=project, result_id=hub.result_ref(result).result_id if result else None)
    return list_response(request, found, page, "indicators")


@router.get("/indicators/{indicator_id}", summary="One indicator", response_model=Indicator, responses=ERRORS)
def indicator(request: Request, indicator_id: int = ID("indicator id")) -> Response:
    return json_response(hub_of(request).indicator(indicator_id))


@router.post(
    "/indicators", summary="Add an indicator", status_code=201, response_model=Indicator, responses=WRITE_ERRORS
)
def indicator_add(request: Request, body: IndicatorInput, actor: Actor = Depends(writer)) -> Response:
    return json_response(hub_of(request).indicator_add(actor, body), 201)


@router.put(
    "/indicators/{indicator_id}", summary="Change an indicator", response_model=Indicator, responses=WRITE_ERRORS
)
def indicator_put(
    request: Request, body: IndicatorChange, indicator_id: int = ID("indicator id"), actor: Actor = Depends(writer)
) -> Response:
    data = IndicatorInput.model_validate(body.model_dump(exclude={"version"}))
    return json_response(hub_of(request).indicator_update(actor, indicator_id, body.version, data))


@router.patch(
    "/indicators/{indicator_id}",
    summary="Change some fields of an indicator",
    response_model=Indicator,
    responses=WRITE_ERRORS,
)
def indicator_patch(
    request: Request,
    body: IndicatorPatch = Body(),  # type: ignore[valid-type]
    indicator_id: int = ID("indicator id"),
    actor: Actor = Depends(writer),
) -> Response:
    hub = hub_of(request)
    data = _merged(hub.indicator(indicator_id), body, IndicatorInput)
    return json_response(hub.indicator_update(actor, indicator_id, body.version, data))  # type: ignore[attr-defined]


@router.get("/periods", summary="The reporting periods of an indicator", response_model=Page[Period], responses=ERRORS)
def periods(request: Request, indicator: int = Query(ge=1), page: Paging = Depends(paging)) -> Response:
    return list_response(request, hub_of(request).periods(indicator), page, "periods")


@router.post("/periods", summary="Add a period", status_code=201, response_model=Period, responses=WRITE_ERRORS)
def period_add(request: Request, body: PeriodInput, actor: Actor = Depends(writer)) -> Response:
    return json_response(hub_of(request).period_add(actor, body), 201)


@router.put("/periods/{period_id}", summary="Change a period", response_model=Period, responses=WRITE_ERRORS)
def period_put(
    request: Request, body: PeriodChange, period_id: int = ID("period id"), actor: Actor = Depends(writer)
) -> Response:
    data = PeriodInput.model_validate(body.model_dump(exclude={"version"}))
    return json_response(hub_of(request).period_update(actor, period_id, body.version, data))


@router.patch(
    "/periods/{period_id}", summary="Change some fields of a period", response_model=Period, responses=WRITE_ERRORS
)
def period_patch(
    request: Request,
    body: PeriodPatch = Body(),  # type: ignore[valid-type]
    period_id: int = ID("period id"),
    actor: Actor = Depends(writer),
) -> Response:
    hub = hub_of(request)
    data = _merged(hub.period(period_id), body, PeriodInput)
    return json_response(hub.period_update(actor, period_id, body.version, data))  # type: ignore[attr-defined]


# --- updates and their review -------------------------------------------------------------------


@router.get("/updates", summary="Progress updates, filtered", response_model=Page[Update], responses=ERRORS)
def updates(
    request: Request,
    page: Paging = Depends(paging),
    status: str | None = Query(None, pattern="^(draft|submitted|approved|returned)$"),
    period: int | None = Query(None, ge=1),
    project: int | None = Query(None, ge=1),
) -> Response:
    found = hub_of(request).updates(status=status, period_id=period, project_id=project)
    return list_response(request, found, page, "updates")


@router.get("/updates/{update_id}", summary="One progress update", response_model=Update, responses=ERRORS)
def update(request: Request, update_id: int = ID("update id")) -> Response:
    return json_response(hub_of(request).update(update_id))


@router.post("/updates", summary="Add a draft update", status_code=201, response_model=Update, responses=WRITE_ERRORS)
def update_add(request: Request, body: UpdateInput, actor: Actor = Depends(writer)) -> Response:
    return json_response(hub_of(request).update_add(actor, body), 201)


@router.put("/updates/{update_id}", summary="Change a draft", response_model=Update, responses=WRITE_ERRORS)
def update_put(
    request: Request, body: UpdateChange, update_id: int = ID("update id"), actor: Actor = Depends(writer)
) -> Response:
    data = UpdateInput.model_validate(body.model_dump(exclude={"version"}))
    return json_response(hub_of(request).update_edit(actor, update_id, body.version, data))


@router.patch(
    "/updates/{update_id}", summary="Change some fields of a draft", response_model=Update, responses=WRITE_ERRORS
)
def update_patch(
    request: Request,
    body: UpdatePatch = Body(),  # type: ignore[valid-type]
    update_id: int = ID("update id"),
    actor: Actor = Depends(writer),
) -> Response:
    hub = hub_of(request)
    data = _merged(hub.update(update_id), body, UpdateInput)
    return json_response(hub.update_edit(actor, update_id, body.version, data))  # type: ignore[attr-defined]


Step = Literal["submit", "approve", "return"]


@router.post(
    "/updates/{update_id}/{step}",
    summary="Submit an update (its author), or approve or return it (a reviewer; return needs a comment)",
    response_model=Update,
    responses=WRITE_ERRORS,
)
def update_step(
    request: Request,
    step: Step,
    body: ReviewAction,
    update_id: int = ID("update id"),
    actor: Actor = Depends(writer),
) -> Response:
    return json_response(md.review_step(hub_of(request), actor, update_id, step, body.version, body.comment))
