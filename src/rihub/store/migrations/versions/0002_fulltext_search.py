"""full-text search index

SQLite: one FTS5 table (porter stemming) kept in step with the extracted rows by triggers, so
every write path (ingest, supersede, cascade deletes) updates it inside its own transaction.
PostgreSQL: GIN expression indexes matching the ``to_tsvector('english', …)`` expressions that
``rihub.search.fulltext`` queries.

The FTS rowid encodes the source row: ``id * 8 + k`` with k = 1 initiative, 2 expected result,
3 sub-item, 4 footnote, 5 meeting contributions; deletes are then rowid look-ups, not scans.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 20:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, k, kind, title expression, body expression, owner expression, condition on the row)
_SOURCES = [
    ("initiatives", 1, "initiative", "{r}.title", "coalesce({r}.objective, '')", "{r}.id", "1"),
    ("expected_results", 2, "result", "''", "{r}.text", "{r}.initiative_id", "1"),
    (
        "sub_items",
        3,
        "sub_item",
        "''",
        "{r}.text",
        "(SELECT initiative_id FROM expected_results WHERE id = {r}.result_id)",
        "1",
    ),
    (
        "footnotes",
        4,
        "footnote",
        "''",
        "{r}.text",
        "(SELECT initiative_id FROM expected_results WHERE id = {r}.result_id)",
        "1",
    ),
    ("meetings", 5, "contribution", "''", "{r}.contributions", "{r}.id", "{r}.contributions IS NOT NULL"),
]
_WATCHED = {
    "initiatives": "title, objective",
    "expected_results": "text",
    "sub_items": "text",
    "footnotes": "text",
    "meetings": "contributions",
}


def _insert(table: str, k: int, kind: str, title: str, body: str, owner: str, row: str) -> str:
    r = row
    return (
        "INSERT INTO search_fts(rowid, title, body, kind, owner) "
        f"SELECT {r}.id * 8 + {k}, {title.format(r=r)}, {body.format(r=r)}, '{kind}', {owner.format(r=r)}"
    )


def _sqlite_upgrade() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "title, body, kind UNINDEXED, owner UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    for table, k, kind, title, body, owner, cond in _SOURCES:
        insert_new = _insert(table, k, kind, title, body, owner, "new")
        when_new = cond.format(r="new")
        op.execute(
            f"CREATE TRIGGER search_fts_{table}_ai AFTER INSERT ON {table} WHEN {when_new} BEGIN {insert_new}; END"
        )
        op.execute(
            f"CREATE TRIGGER search_fts_{table}_ad AFTER DELETE ON {table} "
            f"BEGIN DELETE FROM search_fts WHERE rowid = old.id * 8 + {k}; END"
        )
        op.execute(
            f"CREATE TRIGGER search_fts_{table}_au AFTER UPDATE OF {_WATCHED[table]} ON {table} "
            f"BEGIN DELETE FROM search_fts WHERE rowid = old.id * 8 + {k}; "
            f"{insert_new} WHERE {when_new}; END"
        )
        # Rows stored before this revision.
        op.execute(f"{_insert(table, k, kind, title, body, owner, table)} FROM {table} WHERE {cond.format(r=table)}")


_PG_INDEXES = {
    "ix_initiatives_fts": ("initiatives", "coalesce(title, '') || ' ' || coalesce(objective, '')"),
    "ix_expected_results_fts": ("expected_results", "text"),
    "ix_sub_items_fts": ("sub_items", "text"),
    "ix_footnotes_fts": ("footnotes", "text"),
    "ix_meetings_fts": ("meetings", "coalesce(contributions, '')"),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        for name, (table, expr) in _PG_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('english', {expr}))")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in _WATCHED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS search_fts_{table}_{suffix}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif dialect == "postgresql":
        for name in _PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
