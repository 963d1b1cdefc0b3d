"""Opening a database and bringing its schema up to date with Alembic."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

from rihub.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def ours(name: str | None, kind: str, _parent: object) -> bool:
    """Schema comparison filter: leave the FTS5 shadow tables (made by migration 0002) to SQLite."""
    return not (kind == "table" and name is not None and name.startswith("search_fts"))


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the write lock from its first statement.

    Every write goes through here, so a read-modify-write (the status a review replaces, the link
    an editor adds) reads what it then changes: on SQLite ``BEGIN IMMEDIATE`` takes the database's
    write lock before the read (other writers wait, readers in WAL mode do not); on PostgreSQL the
    writers lock the rows they read (``SELECT … FOR UPDATE``) and unique constraints settle races
    on inserts. Monitoring and every later write follow the same pattern.
    """
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def open_engine(url: str) -> Engine:
    """An engine for ``url`` with the schema migrated to the newest revision."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    try:
        sqlite = url.startswith("sqlite")
        # Writers queue for SQLite's lock rather than failing after the driver's default 5 s.
        engine = create_engine(url, future=True, connect_args={"timeout": 30} if sqlite else {})
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise StoreError(f"cannot use database URL {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not Path(database).parent.exists():
            raise StoreError(f"cannot create database {database}: its folder does not exist")
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine


@functools.cache
def head_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def at_head(connection: Connection) -> bool:
    """Whether the database is already at the newest revision (one read of ``alembic_version``)."""
    from alembic.runtime.migration import MigrationContext

    return set(MigrationContext.configure(connection).get_current_heads()) == head_revisions()


def migrate(engine: Engine) -> None:
    """Upgrade to the newest revision.

    On SQLite, foreign keys are off while migrating: a table rebuild drops the old table, and with
    them on that drop would cascade into the rows that reference it (people's links among them).
    The keys are checked afterwards, before they are switched back on. A database already at the
    newest revision is left alone: the check reads every reference, so it would make opening a
    large registry (each CLI command, each server start) as slow as the registry is big.
    """
    logging.getLogger("alembic").setLevel(logging.WARNING)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            current = at_head(connection)
            connection.rollback()
            if current:
                return
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            with connection.begin():
                command.upgrade(alembic_config(connection), "head")
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
                if broken:
                    raise StoreError(f"the migrated database has {len(broken)} rows with broken references")
    except OperationalError as exc:
        raise StoreError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: {exc.orig}") from exc


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())
