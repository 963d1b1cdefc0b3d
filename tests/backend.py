"""Which database the shared registries of a test run live in: SQLite files, or PostgreSQL.

`make test` runs the suite twice: once on SQLite, once with ``RIHUB_TEST_BACKEND=postgresql``,
where every registry the shared fixtures make (``demo_hub``, ``empty_hub``, ``aligned_hub``,
their copies) is a fresh database on one throwaway PostgreSQL server. The PostgreSQL pass keeps
only the tests that use one of those registries (the others do not touch a database, or make
their own SQLite file, and have run in the first pass) and leaves out the tests marked
``sqlite_only`` (SQLite's files, FTS5 internals); it prints how many of each, so nothing is
dropped silently.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rihub.hub import Hub

BACKEND = os.environ.get("RIHUB_TEST_BACKEND", "sqlite").lower()
POSTGRES = BACKEND in {"postgres", "postgresql"}
# The fixtures that hand a test a registry; in the PostgreSQL pass a test must use one of them.
REGISTRY_FIXTURES = frozenset(
    {"demo_hub", "empty_hub", "aligned_hub", "review_hub", "evil_hub", "pg_hub", "postgres_url", "two_cycle_hub"}
)
_names = itertools.count(1)


def _server_url(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def _admin(server: str, statement: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def new_url(folder: Path, server: str | None) -> str:
    """A URL of a new, empty database: a file in ``folder``, or a database on ``server``."""
    if server is None:
        return f"sqlite:///{folder / 'rihub.db'}"
    name = f"rihub_test_{os.getpid()}_{next(_names)}"
    _admin(server, f'CREATE DATABASE "{name}"')
    return _server_url(server, name)


def copy_hub(hub: Hub, path: Path) -> Hub:
    """A private copy of a registry: SQLite's backup API, or PostgreSQL's ``TEMPLATE`` clone."""
    url = hub.engine.url
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(str(url.database))
        target = sqlite3.connect(str(path))
        with target:
            source.backup(target)
        source.close()
        target.close()
        return Hub(f"sqlite:///{path}")
    server = _server_url(url.render_as_string(hide_password=False), "postgres")
    name = f"rihub_test_{os.getpid()}_{next(_names)}"
    hub.engine.dispose()  # a template database may have no open sessions
    _admin(
        server,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{url.database}' AND pid <> pg_backend_pid()",
    )
    _admin(server, f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"')
    return Hub(_server_url(server, name))


def url_of(hub: Hub) -> str:
    """The registry's database URL as the CLI's ``--db`` takes it (with its password, if any)."""
    return hub.engine.url.render_as_string(hide_password=False)
