"""search reads text that looks like markup as words (PostgreSQL)

PostgreSQL's text-search parser takes ``<script>…</script>`` for an XML tag and drops the words
between, and keeps "emergency/incident", "www.itu.int" or "a@b.org" as single tokens, so those
words could not be found; SQLite's tokenizer reads them all as words. The GIN indexes of
revision 0002 are rebuilt on the text with ``< > / . @ &`` read as spaces: exactly the
expression ``rihub.search.rows.words_of`` queries, so the planner uses them. SQLite is unchanged.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 03:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_initiatives_fts": ("initiatives", "coalesce(title, '') || ' ' || coalesce(objective, '')"),
    "ix_expected_results_fts": ("expected_results", "text"),
    "ix_sub_items_fts": ("sub_items", "text"),
    "ix_footnotes_fts": ("footnotes", "text"),
    "ix_meetings_fts": ("meetings", "coalesce(contributions, '')"),
}


def _rebuild(words: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (table, expr) in _INDEXES.items():
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('english', {words.format(expr)}))")


def upgrade() -> None:
    _rebuild("translate({}, '<>/.@&', '      ')")


def downgrade() -> None:
    _rebuild("{}")
