"""The monitoring forms: add and edit projects, indicators, periods and updates; submit, approve
and return updates. They work without JavaScript.

Every ``POST`` needs a signed-in account (401 otherwise) and the form's CSRF token (403 otherwise);
the library decides what the account may do (403). A form that does not validate comes back with
the person's own input and one message per field (422); a save based on an old ``version`` comes
back with their input, the values now stored beside it, and the current version to save on top
of (409). A success redirects (303) to the object's page with a status line.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from rihub.errors import ConflictError, ImportRowsError, InputError, NotFoundError
from rihub.monitor.service import MAX_EVIDENCE, FieldError
from rihub.records import (
    PROGRESS_STATUSES,
    Actor,
    IndicatorInput,
    PeriodInput,
    Project,
    ProjectInput,
    UpdateInput,
)
from rihub.web import monitor_data as md
from rihub.web.auth import check_csrf, require_actor, signed_in
from rihub.web.data import hub_of
from rihub.web.forms import Field, FormState, form_values, parse, split_list
from rihub.web.ids import ID
from rihub.web.monitor_pages import page_context

router = APIRouter(include_in_schema=False)
# The only routes that take a body over the 64 KB default: an update's evidence file and its fields.
UPLOAD_ROUTES = ("/periods/{id}/updates/new", "/updates/{id}/edit", "/monitoring/import")
MAX_UPLOAD = MAX_EVIDENCE + 64 * 1024
STATUSES = [(s, s.replace("-", " ")) for s in PROGRESS_STATUSES]
VERSION = Field("version", "Version", "hidden")
PROJECT = [
    Field("title", "Title", required=True),
    Field("description", "Description", "textarea"),
    Field("partners", "Partners", "list", hint="One organisation a line"),
    Field("countries", "Countries", "list", hint="ISO 3166 codes, one a line or separated by commas (KE, RW)"),
    Field("budget", "Budget", "number"),
    Field("currency", "Currency", hint="ISO 4217, e.g. USD or CHF"),
    Field("start_date", "Start", "date"),
    Field("end_date", "End", "date"),
    Field("status", "Status", "select", STATUSES, required=True),
    Field(
        "results", "Expected results it serves", "list", hint="One a line: AFR1.16 (latest cycle) or WTDC-25/AFR1/16"
    ),
]
MEASURES = [("unit", "number (units)"), ("percentage", "percentage"), ("qualitative", "qualitative (narrative)")]
PERIOD = [
    Field("start_date", "Period starts", "date", required=True),
    Field("end_date", "Period ends", "date", required=True),
    Field("target", "Target", "number"),
    Field("target_text", "Target (qualitative)"),
    Field("comment", "Comment"),
]
UPDATE = [
    Field("value", "Value reached", "number", hint="For a quantitative indicator"),
    Field("narrative", "Narrative", "textarea", hint="What was done; for a qualitative indicator, the result"),
    Field("progress", "Progress status", "select", STATUSES),
    Field("evidence", "Evidence file", "file", hint="Optional; up to 10 MB"),
]


def indicator_fields(project: Project) -> list[Field]:
    results = [(str(r.result_id), f"{r.initiative}.{r.number} — {r.text[:90]}") for r in project.results]
    return [
        Field("title", "Title", required=True),
        Field("description", "Description", "textarea"),
        Field(
            "result_id",
            "Expected result",
            "select",
            results,
            required=True,
            hint="Link the project to more on its own form",
        ),
        Field("measure", "Measure", "select", MEASURES, required=True),
        Field("ascending", "Higher is better", "checkbox"),
        Field("unit", "Unit", hint="e.g. people trained, schools connected"),
        Field("baseline_year", "Baseline year", "number", step="1"),
        Field("baseline_value", "Baseline value", "number"),
        Field("baseline_comment", "Baseline comment"),
    ]


async def posted(request: Request) -> FormData:
    """The form body (multipart or urlencoded), read once before the route runs."""
    return await request.form()


def writer(request: Request, form: FormData) -> Actor:
    """The signed-in account behind a form post: 401 without one, 403 without the form's CSRF token."""
    actor = require_actor(request)
    check_csrf(request, form)
    return actor


def _form_page(
    request: Request, title: str, action: str, fields: list[Field], state: FormState, **extra: Any
) -> Response:
    context = page_context(
        request,
        title=title,
        action=action,
        fields=fields,
        state=state,
        multipart=any(f.kind == "file" for f in fields),
        back=extra.pop("back", "/projects"),
        intro=extra.pop("intro", ""),
    )
    status = 409 if state.current is not None else 422 if state.message else 200
    return request.app.state.templates.TemplateResponse(request, "form.html", context, status_code=status)


def _signed_in(request: Request) -> Response | None:
    """A form page for someone not signed in: to the sign-in page, and back here afterwards."""
    if signed_in(request) is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return None


def _saved(url: str, kind: str) -> RedirectResponse:
    return RedirectResponse(f"{url}?saved={kind}", status_code=303)


def _failed(state: FormState, exc: Exception) -> FormState:
    if isinstance(exc, ConflictError):
        state.current = exc.current  # type: ignore[assignment]
        state.values["version"] = getattr(exc.current, "version", state.values.get("version"))
    if isinstance(exc, FieldError):  # the library names the field: the message goes beside it too
        state.errors[exc.field] = str(exc)
    state.message = str(exc)
    return state


# --- projects -----------------------------------------------------------------------------------


@router.get("/projects/new")
def project_new(request: Request) -> Response:
    keys = [k for k in request.query_params.getlist("result") if len(k) <= 60]
    state = FormState(values={"status": "not-started", "results": keys})
    return _signed_in(request) or _form_page(request, "New project", "/projects/new", PROJECT, state)


@router.post("/projects/new")
def project_create(request: Request, form: FormData = Depends(posted)) -> Response:
    actor = writer(request, form)
    values = form_values(form, PROJECT)
    data, state = parse(ProjectInput, values, PROJECT)
    keys = split_list(values.get("results"))
    if data is not None:
        try:
            project = hub_of(request).project_add(actor, data, keys)
            return _saved(f"/projects/{project.id}", "project")
        except (InputError, NotFoundError) as exc:
            state = _failed(state, exc)
    return _form_page(request, "New project", "/projects/new", PROJECT, state)


@router.get("/projects/{project_id}/edit")
def project_edit(request: Request, project_id: int = ID("project id")) -> Response:
    project = hub_of(request).project(project_id)
    state = FormState.of(project, results=[r.key for r in project.results])
    action = f"/projects/{project_id}/edit"
    return _signed_in(request) or _form_page(request, f"Edit {project.title}", action, [*PROJECT, VERSION], state)


@router.post("/projects/{project_id}/edit")
def project_save(request: Request, project_id: int = ID("project id"), form: FormData = Depends(posted)) -> Response:
    actor = writer(request, form)
    fields = [*PROJECT, VERSION]
    values = form_values(form, fields)
    data, state = parse(ProjectInput, values, fields)
    if data is not None:
        hub = hub_of(request)
        try:
            project = hub.project_update(actor, project_id, _version(values), data)
            md.relink(hub, actor, project, split_list(values.get("results")))
            return _saved(f"/projects/{project_id}", "project")
        except (ConflictError, InputError, NotFoundError) as exc:
            state = _failed(state, exc)
    return _form_page(
        request, "Edit project", f"/projects/{project_id}/edit", fields, state, back=f"/projects/{project_id}"
    )


def _version(values: dict[str, Any]) -> int:
    raw = str(values.get("version") or "")
    if not raw.isdigit():
        raise InputError("the form has no version; reload the page and try again")
    return int(raw)


# --- indicators ---------------------------------------------------------------------------------


@router.get("/projects/{project_id}/indicators/new")
def indicator_new(request: Request, project_id: int = ID("project id")) -> Response:
    project = hub_of(request).project(project_id)
    state = FormState(values={"measure": "unit", "ascending": True})
    action = f"/projects/{project_id}/indicators/new"
    title = f"New indicator of {project.title}"
    return _signed_in(request) or _form_page(
        request, title, action, indicator_fields(project), state, back=f"/projects/{project_id}"
    )


@router.post("/projects/{project_id}/indicators/new")
def indicator_create(
    request: Request, project_id: int = ID("project id"), form: FormData = Depends(posted)
) -> Response:
    actor = writer(request, form)
    project = hub_of(request).project(project_id)
    fields = indicator_fields(project)
    data, state = parse(IndicatorInput, form_values(form, fields), fields, project_id=project_id)
    if data is not None:
        try:
            found = hub_of(request).indicator_add(actor, data)
            return _saved(f"/indicators/{found.id}", "indicator")
        except (InputError, NotFoundError) as exc:
            state = _failed(state, exc)
    action = f"/projects/{project_id}/indicators/new"
    return _form_page(request, "New indicator", action, fields, state, back=f"/projects/{project_id}")


@router.get("/indicators/{indicator_id}/edit")
def indicator_edit(request: Request, indicator_id: int = ID("indicator id")) -> Response:
    hub = hub_of(request)
    found = hub.indicator(indicator_id)
    fields = [*indicator_fields(hub.project(found.project_id)), VERSION]
    action = f"/indicators/{indicator_id}/edit"
    back = f"/indicators/{indicator_id}"
    return _signed_in(request) or _form_page(
        request, f"Edit {found.title}", action, fields, FormState.of(found), back=back
    )


@router.post("/indicators/{indicator_id}/edit")
def indicator_save(
    request: Request, indicator_id: int = ID("indicator id"), form: FormData = Depends(posted)
) -> Response:
    actor = writer(request, form)
    hub = hub_of(request)
    found = hub.indicator(indicator_id)
    fields = [*indicator_fields(hub.project(found.project_id)), VERSION]
    values = form_values(form, fields)
    data, state = parse(IndicatorInput, values, fields, project_id=found.project_id)
    if data is not None:
        try:
            hub.indicator_update(actor, indicator_id, _version(values), data)
            return _saved(f"/indicators/{indicator_id}", "indicator")
        except (ConflictError, InputError, NotFoundError) as exc:
            state = _failed(state, exc)
    action = f"/indicators/{indicator_id}/edit"
    return _form_page(request, f"Edit {found.title}", action, fields, state, back=f"/indicators/{indicator_id}")


# --- periods ------------------------------------------------------------------------------------


@router.get("/indicators/{indicator_id}/periods/new")
def period_new(request: Request, indicator_id: int = ID("indicator id")) -> Response:
    found = hub_of(request).indicator(indicator_id)
    action = f"/indicators/{indicator_id}/periods/new"
    back = f"/indicators/{indicator_id}"
    return _signed_in(request) or _form_page(
        request, f"New period of {found.title}", action, PERIOD, FormState(), back=back
    )


@router.post("/indicators/{indicator_id}/periods/new")
def period_create(
    request: Request, indicator_id: int = ID("indicator id"), form: FormData = Depends(posted)
) -> Response:
    actor = writer(request, form)
    data, state = parse(PeriodInput, form_values(form, PERIOD), PERIOD, indicator_id=indicator_id)
    if data is not None:
        try:
            hub_of(request).period_add(actor, data)
            return _saved(f"/indicators/{indicator_id}", "period")
        except (InputError, NotFoundError) as exc:
            state = _failed(state, exc)
    action = f"/indicators/{indicator_id}/periods/new"
    return _form_page(request, "New period", action, PERIOD, state, back=f"/indicators/{indicator_id}")


@router.get("/periods/{period_id}/edit")
def period_edit(request: Request, period_id: int = ID("period id")) -> Response:
    period = hub_of(request).period(period_id)
    back = f"/indicators/{period.indicator_id}"
    fields = [*PERIOD, VERSION]
    action = f"/periods/{period_id}/edit"
    return _signed_in(request) or _form_page(request, "Edit period", action, fields, FormState.of(period), back=back)


@router.post("/periods/{period_id}/edit")
def period_save(request: Request, period_id: int = ID("period id"), form: FormData = Depends(posted)) -> Response:
    actor = writer(request, form)
    hub = hub_of(request)
    period = hub.period(period_id)
    fields = [*PERIOD, VERSION]
    values = form_values(form, fields)
    data, state = parse(PeriodInput, values, fields, indicator_id=period.indicator_id)
    back = f"/indicators/{period.indicator_id}"
    if data is not None:
        try:
            hub.period_update(actor, period_id, _version(values), data)
            return _saved(back, "period")
        except (ConflictError, InputError, NotFoundError) as exc:
            state = _failed(state, exc)
    return _form_page(request, "Edit period", f"/periods/{period_id}/edit", fields, state, back=back)


# --- updates ------------------------------------------------------------------------------------


def _evidence(form: FormData) -> tuple[bytes | None, dict[str, str]]:
    """The uploaded file, if one was chosen, and its name and type for the update record."""
    upload = form.get("evidence")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, {}
    body = upload.file.read()
    if not body:
        return None, {}
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:255]
    return body, {"evidence_name": name, "evidence_type": (upload.content_type or "application/octet-stream")[:100]}


@router.get("/periods/{period_id}/updates/new")
def update_new(request: Request, period_id: int = ID("period id")) -> Response:
    period = hub_of(request).period(period_id)
    back = f"/indicators/{period.indicator_id}"
    action = f"/periods/{period_id}/updates/new"
    title = f"Progress update for {period.start_date} – {period.end_date}"
    return _signed_in(request) or _form_page(request, title, action, UPDATE, FormState(), back=back)


@router.post("/periods/{period_id}/updates/new")
def update_create(request: Request, period_id: int = ID("period id"), form: FormData = Depends(posted)) -> Response:
    actor = writer(request, form)
    evidence, named = _evidence(form)
    data, state = parse(UpdateInput, form_values(form, UPDATE), UPDATE, period_id=period_id, **named)
    if data is not None:
        try:
            found = hub_of(request).update_add(actor, data, evidence)
            return _saved(f"/updates/{found.id}", "update")
        except (InputError, NotFoundError) as exc:
            state = _failed(state, exc)
    return _form_page(request, "Progress update", f"/periods/{period_id}/updates/new", UPDATE, state)


@router.get("/updates/{update_id}/edit")
def update_edit(request: Request, update_id: int = ID("update id")) -> Response:
    found = hub_of(request).update(update_id)
    action = f"/updates/{update_id}/edit"
    fields = [*UPDATE, VERSION]
    back = f"/updates/{update_id}"
    return _signed_in(request) or _form_page(request, "Edit update", action, fields, FormState.of(found), back=back)


@router.post("/updates/{update_id}/edit")
def update_save(request: Request, update_id: int = ID("update id"), form: FormData = Depends(posted)) -> Response:
    actor = writer(request, form)
    hub = hub_of(request)
    found = hub.update(update_id)
    fields = [*UPDATE, VERSION]
    values = form_values(form, fields)
    evidence, named = _evidence(form)
    data, state = parse(UpdateInput, values, fields, period_id=found.period_id, **named)
    if data is not None:
        try:
            hub.update_edit(actor, update_id, _version(values), data, evidence)
            return _saved(f"/updates/{update_id}", "update")
        except (ConflictError, InputError, NotFoundError) as exc:
            state = _failed(state, exc)
    return _form_page(request, "Edit update", f"/updates/{update_id}/edit", fields, state, back=f"/updates/{update_id}")


def update_step(request: Request, update_id: int = ID("update id"), form: FormData = Depends(posted)) -> Response:
    """Submit (the author), approve or return (a reviewer) from the update's page."""
    step = request.url.path.rsplit("/", 1)[-1]
    actor = writer(request, form)
    values = form_values(form, [VERSION, Field("comment", "Comment")])
    hub = hub_of(request)
    try:
        md.review_step(hub, actor, update_id, step, _version(values), values.get("comment") or None)
    except (ConflictError, InputError) as exc:
        row = md.update_row(hub, update_id)
        context = page_context(request, row=row, step_error=str(exc), comment=values.get("comment", ""))
        status = 409 if isinstance(exc, ConflictError) else 422
        return request.app.state.templates.TemplateResponse(request, "update.html", context, status_code=status)
    return _saved(f"/updates/{update_id}", step)


for _step in ("submit", "approve", "return"):
    router.add_api_route(f"/updates/{{update_id}}/{_step}", update_step, methods=["POST"], name=f"update_{_step}")


@router.get("/updates/{update_id}/evidence")
def evidence(request: Request, update_id: int = ID("update id")) -> Response:
    """The evidence file, always as a download (never rendered inline on this site's origin)."""
    found = hub_of(request).update_evidence(update_id)
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in found.name)[:120] or "evidence"
    return Response(
        found.data,
        media_type="application/octet-stream",
        headers={"content-disposition": f'attachment; filename="{safe}"'},
    )


# --- import ---------------------------------------------------------------------------------------


def _import_page(
    request: Request, message: str | None = None, rows: list[Any] | None = None, status: int = 200
) -> Response:
    context = page_context(request, message=message, rows=rows or [], summary=None)
    return request.app.state.templates.TemplateResponse(request, "import.html", context, status_code=status)


@router.get("/monitoring/import")
def import_form(request: Request) -> Response:
    return _signed_in(request) or _import_page(request)


@router.post("/monitoring/import")
def import_file(request: Request, form: FormData = Depends(posted)) -> Response:
    """Upsert a filled-in template or an edited export; a file with a bad row changes nothing."""
    actor = writer(request, form)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _import_page(request, "Choose a .xlsx or .csv file to import.", status=422)
    fmt = upload.filename.rsplit(".", 1)[-1].lower()
    try:
        summary = hub_of(request).monitor_import(upload.file.read(), actor, fmt)
    except ImportRowsError as exc:
        return _import_page(request, str(exc), exc.errors, status=422)
    except InputError as exc:
        return _import_page(request, str(exc), status=422)
    context = page_context(request, message=None, rows=[], summary=summary)
    return request.app.state.templates.TemplateResponse(request, "import.html", context)
