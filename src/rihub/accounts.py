"""Accounts and roles: who may write, how they prove it, and the throttle on guessing.

A part of :class:`rihub.hub.Hub` (mixed in). Roles, from least to most: **contributor** (submits
monitoring updates for the projects they are assigned to), **reviewer** (also approves or
returns updates and reviews framework links), **admin** (also manages accounts and
assignments). Anonymous readers need no account.

People sign in with a password (hashed with argon2id, ``argon2-cffi``'s defaults; a hash made
with weaker parameters is replaced on the next successful sign-in); scripts send an API token, a
256-bit random secret of which only the SHA-256 is stored (a fast hash is enough for a secret
nobody chose; argon2 is for passwords people pick). Every failed attempt is stored, so the
throttle holds across server workers: :data:`THROTTLE_LIMIT` failures from one client, or for
one account, within :data:`THROTTLE_WINDOW` refuse further attempts until the oldest of them
leaves the window. Every write here is audited (``object_type`` ``user`` or ``token``).

Methods that change accounts take an ``actor``; without one they act as the machine's operator
(:func:`operator`, the command line), who is an admin.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import hashlib
import math
import re
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rihub.config import Settings
from rihub.errors import AuthError, InputError, NotFoundError, PermissionDenied, ThrottledError
from rihub.records import Actor, ApiToken, IssuedToken, User
from rihub.store import accounts as store
from rihub.store.common import now
from rihub.store.db import write_transaction

if TYPE_CHECKING:
    from sqlalchemy import Engine

ROLES: tuple[str, ...] = get_args(Actor.model_fields["role"].annotation)
THROTTLE_LIMIT = 10
THROTTLE_WINDOW = dt.timedelta(minutes=10)
MIN_PASSWORD = 10
TOKEN_PREFIX = "rih_"
TOUCH_EVERY = dt.timedelta(minutes=1)  # how stale a token's last_used_at may get (saves a write a request)
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
WRONG = "wrong username or password"


@functools.cache
def hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so both cases take as long."""
    return hasher().hash(secrets.token_urlsafe(16))


def operator() -> Actor:
    """The command line's actor: the machine's operator, an admin, audited as ``cli:<os user>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(user_id=None, username=f"cli:{name}"[:64], role="admin")


def require(actor: Actor, roles: Iterable[str]) -> Actor:
    """``actor`` if their role is one of ``roles``; else a 403-style :class:`PermissionDenied`."""
    allowed = tuple(roles)
    if actor.role not in allowed:
        raise PermissionDenied(f"{actor.username} is a {actor.role}; this needs the role {' or '.join(allowed)}")
    return actor


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise InputError(
            f"username {username!r} is not valid: 1–64 lower-case letters, digits, '.', '_' or '-',"
            " starting with a letter or digit"
        )
    return username


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"role {role!r} is not one of {', '.join(ROLES)}")
    return role


def _hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters")
    return hasher().hash(password)


def _retry_after(times: list[dt.datetime], at: dt.datetime) -> int:
    """Seconds until fewer than the limit of these failures are in the window (0: not throttled)."""
    if len(times) < THROTTLE_LIMIT:
        return 0
    free_at = times[-THROTTLE_LIMIT] + THROTTLE_WINDOW
    return max(1, math.ceil((free_at - at).total_seconds()))


class Accounts:
    """Accounts, tokens, assignments and authentication (methods of :class:`rihub.hub.Hub`)."""

    engine: Engine

    # --- reading ---------------------------------------------------------------------------

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            return store.users(conn)

    def user(self, username: str) -> User:
        with self.engine.connect() as conn:
            return store.user(conn, username)

    def user_tokens(self, username: str | None = None) -> list[ApiToken]:
        """Tokens (of one account, or all), oldest first; revoked ones included, marked."""
        with self.engine.connect() as conn:
            if username is not None:
                store.user(conn, username)
            return store.tokens(conn, username)

    # --- changing accounts (admin) ---------------------------------------------------------

    def user_add(
        self,
        username: str,
        role: str,
        password: str | None = None,
        display_name: str = "",
        actor: Actor | None = None,
    ) -> User:
        """A new account; without a password it can only use API tokens."""
        actor = require(actor or operator(), ["admin"])
        _check_username(username)
        _check_role(role)
        password_hash = _hash_password(password) if password is not None else None
        with write_transaction(self.engine) as conn:
            return store.add_user(conn, actor, username, role, password_hash, display_name.strip()[:200])

    def user_role(self, username: str, role: str, actor: Actor | None = None) -> User:
        actor = require(actor or operator(), ["admin"])
        _check_role(role)
        with write_transaction(self.engine) as conn:
            return store.change_user(conn, actor, username, "role", role=role)

    def user_password(self, username: str, password: str, actor: Actor | None = None) -> User:
        actor = require(actor or operator(), ["admin"])
        password_hash = _hash_password(password)
        with write_transaction(self.engine) as conn:
            return store.change_user(conn, actor, username, "password", password_hash=password_hash)

    def user_disable(self, username: str, enable: bool = False, actor: Actor | None = None) -> User:
        """Disable an account (its sessions and tokens stop working at once), or enable it again."""
        actor = require(actor or operator(), ["admin"])
        with write_transaction(self.engine) as conn:
            return store.change_user(conn, actor, username, "enable" if enable else "disable", disabled=not enable)

    def user_assign(self, username: str, project_id: int, remove: bool = False, actor: Actor | None = None) -> User:
        """Let the account contribute to a project (or stop it)."""
        actor = require(actor or operator(), ["admin"])
        with write_transaction(self.engine) as conn:
            return store.assign(conn, actor, username, project_id, not remove)

    def user_token(self, username: str, name: str, actor: Actor | None = None) -> IssuedToken:
        """A new API token for the account; its secret is in the answer and nowhere else."""
        actor = require(actor or operator(), ["admin"])
        name = name.strip()
        if not name or len(name) > 100:
            raise InputError("a token needs a name of 1–100 characters (what script or machine uses it)")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with write_transaction(self.engine) as conn:
            issued = store.add_token(conn, actor, username, name, secret[:12], token_hash(secret))
        return IssuedToken(token=issued, secret=secret)

    def user_token_revoke(self, token_id: int, actor: Actor | None = None) -> ApiToken:
        actor = require(actor or operator(), ["admin"])
        with write_transaction(self.engine) as conn:
            return store.revoke_token(conn, actor, token_id)

    # --- authenticating --------------------------------------------------------------------

    def authenticate_password(self, username: str, password: str, client: str) -> Actor:
        """The account's actor if the password is right and the account enabled.

        ``client`` names where the attempt comes from (the web app passes the peer address).
        Unknown accounts, wrong passwords and disabled accounts give the same answer, so the
        answer does not tell which accounts exist.
        """
        username = username.strip().lower()
        self._check_throttle(client, username)
        with self.engine.connect() as conn:
            try:
                row = store.user_row(conn, username)
            except NotFoundError:
                row = None
        stored = row["password_hash"] if row is not None else None
        try:
            hasher().verify(stored or _dummy_hash(), password)
            ok = stored is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if row is None or stored is None or not ok or row["disabled"]:
            self._fail(client, username)
            raise AuthError(WRONG)
        if hasher().check_needs_rehash(stored):
            with write_transaction(self.engine) as conn:
                store.set_password_hash(conn, row["id"], hasher().hash(password))
        return Actor(user_id=row["id"], username=row["username"], role=row["role"])

    def authenticate_token(self, secret: str, client: str) -> Actor:
        """The actor whose API token this is, unless it is revoked or the account disabled."""
        self._check_throttle(client, "")
        with self.engine.connect() as conn:
            row = store.token_by_hash(conn, token_hash(secret.strip()))
        if row is None or row["revoked_at"] is not None or row["disabled"]:
            self._fail(client, "")
            raise AuthError("this API token is not valid (unknown, revoked, or its account is disabled)")
        stamp = now()
        last = row["last_used_at"]
        if last is None or stamp - (last if last.tzinfo else last.replace(tzinfo=dt.UTC)) > TOUCH_EVERY:
            with write_transaction(self.engine) as conn:
                store.touch_token(conn, row["id"], stamp)
        return Actor(user_id=row["user_id"], username=row["username"], role=row["role"])

    def session_actor(self, user_id: int) -> Actor | None:
        """The actor of a signed-in session, read afresh: None once the account is disabled."""
        with self.engine.connect() as conn:
            row = store.find_user(conn, user_id)
        if row is None or row["disabled"]:
            return None
        return Actor(user_id=row["id"], username=row["username"], role=row["role"])

    def is_assigned(self, actor: Actor, project_id: int) -> bool:
        """Whether a contributor may write to the project (reviewers and admins always may)."""
        if actor.role != "contributor":
            return True
        if actor.user_id is None:
            return False
        with self.engine.connect() as conn:
            return store.assigned(conn, actor.user_id, project_id)

    def secret_key(self) -> str:
        """The key that signs session cookies: ``RIHUB_SECRET_KEY``, else one stored in the database.

        Stored, not generated per process, so every worker (and every host on the same database)
        accepts the cookies the others signed, and restarts keep people signed in.
        """
        configured = Settings.from_env().secret_key
        if configured:
            if len(configured) < 32:
                raise InputError("RIHUB_SECRET_KEY must be at least 32 characters")
            return configured
        with write_transaction(self.engine) as conn:
            return store.server_key(conn, "session", lambda: secrets.token_urlsafe(48))

    def _check_throttle(self, client: str, username: str) -> None:
        at = now()
        with self.engine.connect() as conn:
            by_client, by_user = store.recent_failures(conn, client, username, at - THROTTLE_WINDOW)
        wait = max(_retry_after(by_client, at), _retry_after(by_user, at))
        if wait:
            raise ThrottledError(wait)

    def _fail(self, client: str, username: str) -> None:
        with write_transaction(self.engine) as conn:
            store.add_failure(conn, client, username, THROTTLE_WINDOW)
