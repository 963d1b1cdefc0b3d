"""Monitoring writes with their rules: who may write what, stale versions, the review workflow.

Each function works on a connection inside the caller's :func:`rihub.store.db.write_transaction`,
so a Hub method writes one object in one transaction and an import writes a whole file in one.
The rules live here, in the library, so the CLI, the API and the forms enforce the same ones:

- **admin**: everything; an admin assigns contributors to projects (the accounts' ``user_assign``).
  The command line acts as an admin with no account (``user_id`` None); it cannot author updates
  (an update's author is an account).
- **reviewer**: creates and edits any project, indicator and period; approves or returns submitted
  updates, never their own.
- **contributor**: creates projects (and is assigned to the projects they create); edits the
  projects they are assigned to, with their indicators and periods; adds updates on those projects,
  edits and submits their own drafts and returned updates. Contributors never approve.

Disabled accounts write nothing, whatever the caller passes: the role is read from ``users``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from rihub.errors import ConflictError, InputError, NotFoundError, PermissionDenied
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
from rihub.store import monitor as store
from rihub.store.common import now

EDITORS = frozenset({"reviewer", "admin"})
MAX_EVIDENCE = 10 * 1024 * 1024  # bytes; evidence is kept in the row (docs/monitoring.md)


def actor_now(conn: Connection, actor: Actor) -> Actor:
    """The actor with the role its account has now; a disabled or unknown account is refused."""
    if actor.user_id is None:
        if actor.role != "admin":
            raise PermissionDenied("writing without an account is for the command line (admin) only")
        return actor
    row = store.user(conn, user_id=actor.user_id)
    if row is None or row["disabled"]:
        raise PermissionDenied(f"account {actor.username!r} is disabled or unknown")
    return actor.model_copy(update={"role": row["role"], "username": row["username"]})


def may_edit_project(conn: Connection, actor: Actor, project_id: int) -> None:
    if actor.role in EDITORS:
        return
    if actor.user_id is None or not store.is_assigned(conn, actor.user_id, project_id):
        raise PermissionDenied(f"{actor.username} is not assigned to project #{project_id}")


def locked(conn: Connection, kind: str, row_id: int, version: int | None) -> dict[str, Any]:
    """The row, locked; a stale ``version`` (None: no check, for new rows of an import) is a conflict."""
    row = store.get(conn, kind, row_id, lock=True)
    if row is None:
        raise NotFoundError(f"no {kind} #{row_id}")
    if version is not None and row["version"] != version:
        raise ConflictError(
            f"{kind} #{row_id} was changed by someone else since you read it (now version {row['version']}, "
            f"yours {version}); review the current values and save again",
            current=record_of(conn, kind, row_id),
        )
    return row


def record_of(conn: Connection, kind: str, row_id: int) -> Project | Indicator | Period | Update:
    found: list[Any]
    if kind == "project":
        found = store.projects(conn, ids=[row_id])
    elif kind == "indicator":
        found = store.indicators(conn, ids=[row_id])
    elif kind == "period":
        found = store.periods(conn, ids=[row_id])
    else:
        found = store.updates(conn, ids=[row_id])
    if not found:
        raise NotFoundError(f"no {kind} #{row_id}")
    return found[0]


class FieldError(InputError):
    """Bad input in one field of an input record (``field`` names it, so a form can show the message
    beside that field and an import can name its column)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _differs(before: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    return any(before.get(k) != v for k, v in values.items())


def _dates(start: Any, end: Any, what: str) -> None:
    if start is not None and end is not None and end < start:
        raise FieldError("end_date", f"the {what} ends ({end}) before it starts ({start})")


# --- projects ---------------------------------------------------------------------------------


def project_add(conn: Connection, actor: Actor, data: ProjectInput, result_ids: tuple[int, ...] = ()) -> Project:
    actor = actor_now(conn, actor)
    _dates(data.start_date, data.end_date, "project")
    row = store.create(conn, actor, "project", data.model_dump())
    if actor.role == "contributor" and actor.user_id is not None:
        store.assign(conn, actor, actor.user_id, row["id"])
    for result_id in result_ids:
        project_link(conn, actor, row["id"], result_id)
    return store.projects(conn, ids=[row["id"]])[0]


def project_update(conn: Connection, actor: Actor, project_id: int, version: int | None, data: ProjectInput) -> Project:
    actor = actor_now(conn, actor)
    before = locked(conn, "project", project_id, version)
    may_edit_project(conn, actor, project_id)
    _dates(data.start_date, data.end_date, "project")
    values = data.model_dump()
    if _differs(before, values):
        store.change(conn, actor, "project", before, values)
    return store.projects(conn, ids=[project_id])[0]


def project_link(conn: Connection, actor: Actor, project_id: int, result_id: int) -> Project:
    actor = actor_now(conn, actor)
    locked(conn, "project", project_id, None)
    may_edit_project(conn, actor, project_id)
    if result_id not in store.result_refs(conn, [result_id]):
        raise NotFoundError(f"no expected result #{result_id}")
    store.link(conn, actor, project_id, result_id)
    return store.projects(conn, ids=[project_id])[0]


def project_unlink(conn: Connection, actor: Actor, project_id: int, result_id: int) -> Project:
    actor = actor_now(conn, actor)
    locked(conn, "project", project_id, None)
    may_edit_project(conn, actor, project_id)
    if any(i.result_id == result_id for i in store.indicators(conn, project_ids=[project_id])):
        raise InputError(f"project #{project_id} has indicators on expected result #{result_id}; move them first")
    store.unlink(conn, actor, project_id, result_id)
    return store.projects(conn, ids=[project_id])[0]


# --- indicators and periods -------------------------------------------------------------------


def indicator_add(conn: Connection, actor: Actor, data: IndicatorInput) -> Indicator:
    """A new indicator; its expected result is linked to the project if it was not."""
    actor = actor_now(conn, actor)
    locked(conn, "project", data.project_id, None)
    may_edit_project(conn, actor, data.project_id)
    project_link(conn, actor, data.project_id, data.result_id)
    return Indicator.model_validate(store.create(conn, actor, "indicator", data.model_dump()))


def indicator_update(
    conn: Connection, actor: Actor, indicator_id: int, version: int | None, data: IndicatorInput
) -> Indicator:
    actor = actor_now(conn, actor)
    before = locked(conn, "indicator", indicator_id, version)
    may_edit_project(conn, actor, before["project_id"])
    if data.project_id != before["project_id"]:
        raise InputError(f"indicator #{indicator_id} belongs to project #{before['project_id']}; it cannot move")
    if data.result_id != before["result_id"]:
        project_link(conn, actor, data.project_id, data.result_id)
    values = data.model_dump()
    after = store.change(conn, actor, "indicator", before, values) if _differs(before, values) else before
    return Indicator.model_validate(after)


def _period_owner(conn: Connection, indicator_id: int) -> int:
    row = store.get(conn, "indicator", indicator_id)
    if row is None:
        raise NotFoundError(f"no indicator #{indicator_id}")
    return int(row["project_id"])


def period_add(conn: Connection, actor: Actor, data: PeriodInput) -> Period:
    actor = actor_now(conn, actor)
    may_edit_project(conn, actor, _period_owner(conn, data.indicator_id))
    _dates(data.start_date, data.end_date, "period")
    if store.period_by_dates(conn, data.indicator_id, data.start_date, data.end_date):
        raise FieldError(
            "start_date",
            f"indicator #{data.indicator_id} already has a period {data.start_date} – {data.end_date}; edit that one",
        )
    return Period.model_validate(store.create(conn, actor, "period", data.model_dump()))


def period_update(conn: Connection, actor: Actor, period_id: int, version: int | None, data: PeriodInput) -> Period:
    """Dates, target and comment; the actual is the approved update's, never typed here."""
    actor = actor_now(conn, actor)
    before = locked(conn, "period", period_id, version)
    may_edit_project(conn, actor, _period_owner(conn, before["indicator_id"]))
    if data.indicator_id != before["indicator_id"]:
        raise InputError(f"period #{period_id} belongs to indicator #{before['indicator_id']}; it cannot move")
    _dates(data.start_date, data.end_date, "period")
    same = store.period_by_dates(conn, data.indicator_id, data.start_date, data.end_date)
    if same and same["id"] != period_id:
        raise FieldError(
            "start_date", f"indicator #{data.indicator_id} already has a period {data.start_date} – {data.end_date}"
        )
    values = data.model_dump()
    after = store.change(conn, actor, "period", before, values) if _differs(before, values) else before
    return Period.model_validate(after)


# --- updates and their review -----------------------------------------------------------------


def _evidence(data: UpdateInput, evidence: bytes | None) -> dict[str, Any]:
    if evidence is None:
        return {}
    if len(evidence) > MAX_EVIDENCE:
        raise InputError(f"the evidence file is {len(evidence)} bytes; the limit is {MAX_EVIDENCE}")
    return {"evidence": evidence, "evidence_name": data.evidence_name or "evidence"}


def update_add(conn: Connection, actor: Actor, data: UpdateInput, evidence: bytes | None = None) -> Update:
    """A draft update by the actor (an account) on a period of a project they may edit."""
    actor = actor_now(conn, actor)
    if actor.user_id is None:
        raise PermissionDenied("an update needs an author account; sign in or use an API token")
    project_id = store.project_of_period(conn, data.period_id)
    if project_id is None:
        raise NotFoundError(f"no period #{data.period_id}")
    may_edit_project(conn, actor, project_id)
    values = data.model_dump() | _evidence(data, evidence) | {"status": "draft", "created_by": actor.user_id}
    return store.updates(conn, ids=[store.create(conn, actor, "update", values)["id"]])[0]


def _own(conn: Connection, actor: Actor, update_id: int, version: int | None) -> dict[str, Any]:
    before = locked(conn, "update", update_id, version)
    if actor.role != "admin" and before["created_by"] != actor.user_id:
        raise PermissionDenied(f"update #{update_id} is not yours to change")
    if before["status"] not in ("draft", "returned"):
        raise InputError(f"update #{update_id} is {before['status']}; only drafts and returned updates change")
    return before


def update_edit(
    conn: Connection, actor: Actor, update_id: int, version: int | None, data: UpdateInput, evidence: bytes | None
) -> Update:
    actor = actor_now(conn, actor)
    before = _own(conn, actor, update_id, version)
    if data.period_id != before["period_id"]:
        raise InputError(f"update #{update_id} belongs to period #{before['period_id']}; it cannot move")
    values = data.model_dump() | _evidence(data, evidence)
    if evidence is None:
        values = {k: v for k, v in values.items() if k not in ("evidence_name", "evidence_type")}
    if _differs(before, values):
        store.change(conn, actor, "update", before, values)
    return store.updates(conn, ids=[update_id])[0]


def update_submit(conn: Connection, actor: Actor, update_id: int, version: int | None) -> Update:
    actor = actor_now(conn, actor)
    before = _own(conn, actor, update_id, version)
    if before["value"] is None and not before["narrative"].strip():
        raise InputError(f"update #{update_id} has neither a value nor a narrative; nothing to submit")
    store.change(conn, actor, "update", before, {"status": "submitted", "submitted_at": now()}, action="submit")
    return store.updates(conn, ids=[update_id])[0]


def _review(conn: Connection, actor: Actor, update_id: int, version: int | None) -> dict[str, Any]:
    if actor.role not in EDITORS:
        raise PermissionDenied(f"{actor.username} is a {actor.role}; only reviewers approve or return updates")
    before = locked(conn, "update", update_id, version)
    if before["status"] != "submitted":
        raise InputError(f"update #{update_id} is {before['status']}; only submitted updates are reviewed")
    if actor.user_id is not None and before["created_by"] == actor.user_id:
        raise PermissionDenied(f"update #{update_id} is your own; another reviewer approves or returns it")
    return before


def _reviewed(actor: Actor, status: str, comment: str | None) -> dict[str, Any]:
    return {"status": status, "reviewed_by": actor.user_id, "reviewed_at": now(), "review_comment": comment}


def update_approve(
    conn: Connection, actor: Actor, update_id: int, version: int | None, comment: str | None = None
) -> Update:
    """Approve a submitted update: its value (and narrative) become the period's actual."""
    actor = actor_now(conn, actor)
    before = _review(conn, actor, update_id, version)
    store.change(conn, actor, "update", before, _reviewed(actor, "approved", comment), "approve", comment)
    period = locked(conn, "period", before["period_id"], None)
    actual = {"actual": before["value"], "actual_text": before["narrative"].strip() or None}
    store.change(conn, actor, "period", period, actual, "actual", f"from approved update #{update_id}")
    return store.updates(conn, ids=[update_id])[0]


def update_return(conn: Connection, actor: Actor, update_id: int, version: int | None, comment: str) -> Update:
    """Send a submitted update back to its author with a comment saying what to change."""
    actor = actor_now(conn, actor)
    if not comment.strip():
        raise InputError("say why the update goes back: a comment is required")
    before = _review(conn, actor, update_id, version)
    store.change(conn, actor, "update", before, _reviewed(actor, "returned", comment.strip()), "return", comment)
    return store.updates(conn, ids=[update_id])[0]
