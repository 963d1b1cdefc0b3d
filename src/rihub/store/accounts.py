"""Accounts, API tokens, project assignments, the sign-in throttle and the server's keys (SQL only).

Hashing, token generation and the rules (who may do what, when to throttle) live in
:mod:`rihub.accounts`; this module reads and writes rows. Every change to an account, a token or
an assignment writes its audit entry on the same connection, so both commit together. Callers
open the connection with :func:`rihub.store.db.write_transaction`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from rihub.errors import InputError, NotFoundError
from rihub.records import Actor, ApiToken, User
from rihub.store import audit
from rihub.store import schema as t
from rihub.store.common import insert_one, now

U = t.users.c
K = t.api_tokens.c


def user_row(conn: Connection, username: str, *, lock: bool = False) -> RowMapping:
    query = select(t.users).where(U.username == username)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFoundError(f"no account named {username!r}")
    return row


def find_user(conn: Connection, user_id: int) -> RowMapping | None:
    return conn.execute(select(t.users).where(U.id == user_id)).mappings().first()


def _projects(conn: Connection, user_ids: list[int]) -> dict[int, list[int]]:
    a = t.assignments.c
    out: dict[int, list[int]] = {i: [] for i in user_ids}
    query = select(a.user_id, a.project_id).where(a.user_id.in_(user_ids)).order_by(a.project_id)
    for user_id, project_id in conn.execute(query):
        out[user_id].append(project_id)
    return out


def _user(row: RowMapping, projects: list[int]) -> User:
    return User.model_validate({**row, "has_password": row["password_hash"] is not None, "projects": projects})


def users(conn: Connection, username: str | None = None) -> list[User]:
    """Every account (or the one named), by username, with its assigned projects."""
    query = select(t.users).order_by(U.username)
    if username is not None:
        query = query.where(U.username == username)
    rows = list(conn.execute(query).mappings())
    projects = _projects(conn, [r["id"] for r in rows])
    return [_user(r, projects[r["id"]]) for r in rows]


def user(conn: Connection, username: str) -> User:
    found = users(conn, username)
    if not found:
        raise NotFoundError(f"no account named {username!r}")
    return found[0]


def add_user(
    conn: Connection, actor: Actor, username: str, role: str, password_hash: str | None, display_name: str
) -> User:
    stamp = now()
    values: dict[str, Any] = {
        "username": username,
        "display_name": display_name,
        "password_hash": password_hash,
        "role": role,
        "disabled": False,
        "created_at": stamp,
        "updated_at": stamp,
    }
    try:
        with conn.begin_nested():
            user_id = insert_one(conn, t.users, **values)
    except IntegrityError as exc:
        raise InputError(f"an account named {username!r} already exists") from exc
    audit.record(conn, actor, "create", "user", user_id, after={"id": user_id, **values})
    return user(conn, username)


def change_user(conn: Connection, actor: Actor, username: str, action: str, **values: Any) -> User:
    """Set columns of one account (role, disabled, password_hash…), audited as ``action``."""
    before = user_row(conn, username, lock=True)
    conn.execute(update(t.users).where(U.id == before["id"]).values(**values, updated_at=now()))
    after = user_row(conn, username)
    audit.record(conn, actor, action, "user", before["id"], before=dict(before), after=dict(after))
    return user(conn, username)


def set_password_hash(conn: Connection, user_id: int, password_hash: str) -> None:
    """Replace a hash with a stronger one of the same password (argon2 parameters raised): no audit."""
    conn.execute(update(t.users).where(U.id == user_id).values(password_hash=password_hash))


def assign(conn: Connection, actor: Actor, username: str, project_id: int, assigned: bool) -> User:
    """Assign the account to a project (or remove the assignment); audited on the account."""
    account = user_row(conn, username, lock=True)
    if conn.execute(select(t.projects.c.id).where(t.projects.c.id == project_id)).first() is None:
        raise NotFoundError(f"no project with id {project_id}")
    a = t.assignments.c
    present = conn.execute(select(a.user_id).where(a.user_id == account["id"], a.project_id == project_id)).first()
    if assigned and present is None:
        conn.execute(insert(t.assignments).values(user_id=account["id"], project_id=project_id))
    elif not assigned and present is not None:
        conn.execute(delete(t.assignments).where(a.user_id == account["id"], a.project_id == project_id))
    else:
        return user(conn, username)
    action = "assign" if assigned else "unassign"
    audit.record(conn, actor, action, "user", account["id"], after={"project_id": project_id})
    return user(conn, username)


def assigned(conn: Connection, user_id: int, project_id: int) -> bool:
    a = t.assignments.c
    return conn.execute(select(a.user_id).where(a.user_id == user_id, a.project_id == project_id)).first() is not None


# --- API tokens ------------------------------------------------------------------------------


def _token_query() -> Any:
    return select(*t.api_tokens.c, U.username).join(t.users, U.id == K.user_id).order_by(K.id)


def tokens(conn: Connection, username: str | None = None) -> list[ApiToken]:
    query = _token_query()
    if username is not None:
        query = query.where(U.username == username)
    return [ApiToken.model_validate(dict(r)) for r in conn.execute(query).mappings()]


def token(conn: Connection, token_id: int) -> ApiToken:
    row = conn.execute(_token_query().where(K.id == token_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no API token with id {token_id}")
    return ApiToken.model_validate(dict(row))


def add_token(conn: Connection, actor: Actor, username: str, name: str, prefix: str, token_hash: str) -> ApiToken:
    account = user_row(conn, username)
    values = {"user_id": account["id"], "name": name, "prefix": prefix, "token_hash": token_hash, "created_at": now()}
    token_id = insert_one(conn, t.api_tokens, **values)
    audit.record(conn, actor, "create", "token", token_id, after={"id": token_id, **values})
    return token(conn, token_id)


def revoke_token(conn: Connection, actor: Actor, token_id: int) -> ApiToken:
    before = conn.execute(select(t.api_tokens).where(K.id == token_id)).mappings().first()
    if before is None:
        raise NotFoundError(f"no API token with id {token_id}")
    if before["revoked_at"] is None:
        conn.execute(update(t.api_tokens).where(K.id == token_id).values(revoked_at=now()))
        after = conn.execute(select(t.api_tokens).where(K.id == token_id)).mappings().one()
        audit.record(conn, actor, "revoke", "token", token_id, before=dict(before), after=dict(after))
    return token(conn, token_id)


def token_by_hash(conn: Connection, token_hash: str) -> RowMapping | None:
    """The token row with its account's columns (``username``, ``role``, ``disabled``)."""
    query = select(*t.api_tokens.c, U.username, U.role, U.disabled).join(t.users, U.id == K.user_id)
    return conn.execute(query.where(K.token_hash == token_hash)).mappings().first()


def touch_token(conn: Connection, token_id: int, at: dt.datetime) -> None:
    conn.execute(update(t.api_tokens).where(K.id == token_id).values(last_used_at=at))


# --- the throttle ----------------------------------------------------------------------------


def add_failure(conn: Connection, client: str, username: str, window: dt.timedelta) -> None:
    """Note one failed attempt; failures older than the window are dropped on the way."""
    stamp = now()
    conn.execute(delete(t.auth_failures).where(t.auth_failures.c.at < stamp - window))
    conn.execute(insert(t.auth_failures).values(client=client[:100], username=username[:64], at=stamp))


def recent_failures(
    conn: Connection, client: str, username: str, since: dt.datetime
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """When the failures since ``since`` happened: those from this client, those for this account."""
    f = t.auth_failures.c
    who = or_(f.client == client[:100], f.username == username[:64]) if username else f.client == client[:100]
    by_client: list[dt.datetime] = []
    by_user: list[dt.datetime] = []
    for c, name, at in conn.execute(select(f.client, f.username, f.at).where(who, f.at >= since).order_by(f.at)):
        if c == client[:100]:
            by_client.append(_aware(at))
        if username and name == username[:64]:
            by_user.append(_aware(at))
    return by_client, by_user


def _aware(at: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back without their zone; they were written in UTC."""
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


# --- server keys -----------------------------------------------------------------------------


def server_key(conn: Connection, name: str, make: Any) -> str:
    """The named secret, made by ``make()`` and stored on first use (the first writer wins a race)."""
    query = select(t.server_keys.c.value).where(t.server_keys.c.name == name)
    value = conn.execute(query).scalar_one_or_none()
    if value is not None:
        return str(value)
    try:
        with conn.begin_nested():
            conn.execute(insert(t.server_keys).values(name=name, value=make(), created_at=now()))
    except IntegrityError:
        pass
    return str(conn.execute(query).scalar_one())


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(t.users)).scalar_one())
