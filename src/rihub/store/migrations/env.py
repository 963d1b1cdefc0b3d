"""Alembic environment: the connection is handed over by rihub.store.migrate()."""

from __future__ import annotations

from alembic import context

from rihub.store.db import ours
from rihub.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - rihub always passes its own connection
    raise RuntimeError("run migrations through rihub.store.migrate()")


context.configure(
    connection=connection,
    target_metadata=metadata,
    include_name=ours,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
