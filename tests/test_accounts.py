"""Accounts, tokens, assignments and the sign-in throttle, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from rihub import accounts
from rihub.errors import AuthError, InputError, NotFoundError, PermissionDenied, ThrottledError
from rihub.hub import Hub
from rihub.records import Actor
from rihub.store import audit
from rihub.store import schema as t

PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Hub:
    if request.param == "sqlite":
        return Hub(f"sqlite:///{tmp_path / 'rihub.db'}")
    return Hub(request.getfixturevalue("postgres_url"))


def unique(prefix: str) -> str:
    """Names no other test uses (the PostgreSQL database is shared by the session)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def add_project(hub: Hub) -> int:
    stamp = dt.datetime.now(dt.UTC)
    with hub.engine.begin() as conn:
        key = conn.execute(
            insert(t.projects).values(
                title="Smart villages", partners=[], countries=[], status="on-track", created_at=stamp, updated_at=stamp
            )
        ).inserted_primary_key
    assert key is not None
    return int(key[0])


def test_a_password_is_stored_only_as_an_argon2_hash(hub: Hub) -> None:
    name = unique("amina")
    user = hub.user_add(name, "contributor", password=PASSWORD, display_name="Amina")
    with hub.engine.connect() as conn:
        stored = conn.execute(select(t.users.c.password_hash).where(t.users.c.id == user.id)).scalar_one()
        [entry] = audit.history(conn, "user", user.id)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert (entry.action, entry.after and entry.after["username"]) == ("create", name)
    assert entry.after is not None and "password_hash" not in entry.after
    actor = hub.authenticate_password(name, PASSWORD, client=unique("client"))
    assert actor == Actor(user_id=user.id, username=name, role="contributor")


def test_wrong_unknown_and_disabled_sign_ins_look_the_same(hub: Hub) -> None:
    name, client = unique("bo"), unique("client")
    hub.user_add(name, "reviewer", password=PASSWORD)
    with pytest.raises(AuthError, match="wrong username or password"):
        hub.authenticate_password(name, "not the password", client)
    with pytest.raises(AuthError, match="wrong username or password"):
        hub.authenticate_password(unique("nobody"), PASSWORD, client)
    hub.user_disable(name)
    with pytest.raises(AuthError, match="wrong username or password"):
        hub.authenticate_password(name, PASSWORD, client)
    hub.user_disable(name, enable=True)
    assert hub.authenticate_password(name, PASSWORD, client).role == "reviewer"
    with hub.engine.connect() as conn:
        failures = conn.execute(select(t.auth_failures.c.username).where(t.auth_failures.c.client == client)).all()
    assert len(failures) == 3


def test_a_token_works_until_revoked_or_its_account_is_disabled(hub: Hub) -> None:
    name, client = unique("script"), unique("client")
    user = hub.user_add(name, "contributor")
    issued = hub.user_token(name, "nightly import")
    assert issued.secret.startswith(accounts.TOKEN_PREFIX) and issued.token.prefix == issued.secret[:12]
    with hub.engine.connect() as conn:
        row = conn.execute(select(t.api_tokens).where(t.api_tokens.c.id == issued.token.id)).mappings().one()
    assert issued.secret not in row.values() and row["token_hash"] == accounts.token_hash(issued.secret)
    assert hub.authenticate_token(issued.secret, client).user_id == user.id
    assert hub.user_tokens(name)[0].last_used_at is not None
    hub.user_disable(name)
    with pytest.raises(AuthError, match="not valid"):
        hub.authenticate_token(issued.secret, client)
    assert hub.session_actor(user.id) is None
    hub.user_disable(name, enable=True)
    assert hub.authenticate_token(issued.secret, client).username == name
    revoked = hub.user_token_revoke(issued.token.id)
    assert revoked.revoked_at is not None
    with pytest.raises(AuthError, match="not valid"):
        hub.authenticate_token(issued.secret, client)
    with hub.engine.connect() as conn:
        actions = [e.action for e in audit.history(conn, "token", issued.token.id)]
    assert actions == ["create", "revoke"]


def test_the_throttle_refuses_even_the_right_password_and_says_how_long(hub: Hub) -> None:
    name, client = unique("cy"), unique("client")
    hub.user_add(name, "admin", password=PASSWORD)
    for _ in range(accounts.THROTTLE_LIMIT):
        with pytest.raises(AuthError):
            hub.authenticate_password(name, "guess guess guess", client)
    with pytest.raises(ThrottledError, match=r"too many attempts, try again in \d+ s") as caught:
        hub.authenticate_password(name, PASSWORD, client)
    assert 0 < caught.value.retry_after <= accounts.THROTTLE_WINDOW.total_seconds()
    # The account is throttled from another client too, and the client for another account.
    with pytest.raises(ThrottledError):
        hub.authenticate_password(name, PASSWORD, unique("elsewhere"))
    with pytest.raises(ThrottledError):
        hub.authenticate_token("rih_whatever", client)
    # Once the failures leave the window, the right password works again.
    with hub.engine.begin() as conn:
        old = dt.datetime.now(dt.UTC) - accounts.THROTTLE_WINDOW - dt.timedelta(seconds=1)
        conn.execute(update(t.auth_failures).where(t.auth_failures.c.client == client).values(at=old))
    assert hub.authenticate_password(name, PASSWORD, client).username == name


def test_roles_assignments_and_who_may_change_accounts(hub: Hub) -> None:
    name = unique("dee")
    user = hub.user_add(name, "contributor", password=PASSWORD)
    project = add_project(hub)
    contributor = Actor(user_id=user.id, username=name, role="contributor")
    assert not hub.is_assigned(contributor, project)
    assert hub.user_assign(name, project).projects == [project]
    assert hub.is_assigned(contributor, project)
    assert hub.user_role(name, "reviewer").role == "reviewer"
    with pytest.raises(PermissionDenied, match="needs the role admin"):
        hub.user_add(unique("eve"), "admin", actor=contributor)
    with pytest.raises(NotFoundError, match="no project"):
        hub.user_assign(name, 10**9)
    assert hub.user_assign(name, project, remove=True).projects == []
    with hub.engine.connect() as conn:
        actions = [e.action for e in audit.history(conn, "user", user.id)]
    assert actions == ["create", "assign", "role", "unassign"]


def test_bad_input_is_one_clear_error(hub: Hub) -> None:
    name = unique("fay")
    with pytest.raises(InputError, match="role 'boss'"):
        hub.user_add(name, "boss")
    with pytest.raises(InputError, match="username 'Not Valid'"):
        hub.user_add("Not Valid", "admin")
    with pytest.raises(InputError, match="at least 10 characters"):
        hub.user_add(name, "admin", password="short")
    hub.user_add(name, "admin")
    with pytest.raises(InputError, match="already exists"):
        hub.user_add(name, "reviewer")
    with pytest.raises(NotFoundError):
        hub.user_role(unique("ghost"), "admin")


def test_the_session_key_is_made_once_and_shared(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RIHUB_SECRET_KEY", raising=False)
    key = hub.secret_key()
    assert len(key) >= 32 and Hub(engine=hub.engine, url=hub.url).secret_key() == key
    monkeypatch.setenv("RIHUB_SECRET_KEY", "k" * 40)
    assert hub.secret_key() == "k" * 40
