"""registry over time: stable identities, document stages, versions, lineage

- ``initiatives`` and ``expected_results`` become stable identities: nothing cascades into them
  from a source document any more (``source_id`` is the document of the current version, SET NULL
  if that document row ever goes), and a result the current version no longer states is
  ``withdrawn`` instead of deleted.
- ``alignments`` (reviews, people's links) reference those ids without cascade; a document link
  records the source document whose table states it.
- ``source_documents.stage`` (draft | consolidated | adopted | report), ``conferences.year``.
- ``initiative_versions``: one row per document stating an initiative; existing rows get the
  version of the document they came from, so the upgrade keeps every reviewed link attached.
- ``result_matches`` (unclear matches for a person), ``lineage_links`` + ``lineage_events``.
- One meeting per (cycle, region, kind): duplicates from earlier ingests are merged into the
  newest.

The SQLite full-text index (0002) is dropped and rebuilt around the table rebuilds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:30:00
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UNKNOWN_CYCLE = "unknown"
_fts = importlib.import_module("rihub.store.migrations.versions.0002_fulltext_search")


def _year(code: str) -> int | None:
    found = re.search(r"(\d+)$", code)
    if not found:
        return None
    digits = found.group(1)
    return 2000 + int(digits) if len(digits) <= 2 else int(digits)


def _refk(batch: Any, table: str, column: str, target: str, ondelete: str | None) -> None:
    name = f"fk_{table}_{column}_{target.split('.')[0]}"
    batch.drop_constraint(name, type_="foreignkey")
    batch.create_foreign_key(name, target.split(".")[0], [column], [target.split(".")[1]], ondelete=ondelete)


def _new_tables() -> None:
    now = sa.DateTime(timezone=True)
    op.create_table(
        "initiative_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("initiative_id", sa.Integer(), sa.ForeignKey("initiatives.id"), nullable=False, index=True),
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey("source_documents.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("objective", sa.Text()),
        sa.Column("objective_kind", sa.String(12)),
        sa.Column("results_lead_in", sa.Text()),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("created_at", now, nullable=False),
        sa.Column("span_start", sa.Integer()),
        sa.Column("span_end", sa.Integer()),
        sa.UniqueConstraint("initiative_id", "source_id", name="uq_initiative_versions_initiative_source"),
    )
    op.create_table(
        "result_matches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("initiative_id", sa.Integer(), sa.ForeignKey("initiatives.id"), nullable=False, index=True),
        sa.Column("result_id", sa.Integer(), sa.ForeignKey("expected_results.id"), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source_documents.id", ondelete="SET NULL")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("old_number", sa.Integer()),
        sa.Column("old_text", sa.Text()),
        sa.Column("new_number", sa.Integer()),
        sa.Column("new_text", sa.Text()),
        sa.Column("score", sa.Float()),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", now),
        sa.Column("reason", sa.Text()),
        sa.Column("created_at", now, nullable=False),
    )
    op.create_table(
        "lineage_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("from_id", sa.Integer(), sa.ForeignKey("initiatives.id"), nullable=False, index=True),
        sa.Column("to_id", sa.Integer(), sa.ForeignKey("initiatives.id"), nullable=False, index=True),
        sa.Column("provenance", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("score", sa.Float()),
        sa.Column("evidence", sa.JSON()),
        sa.Column("created_by", sa.String(100)),
        sa.Column("created_at", now, nullable=False),
        sa.Column("updated_at", now, nullable=False),
        sa.UniqueConstraint("from_id", "to_id", name="uq_lineage_links_from_to"),
    )
    op.create_table(
        "lineage_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("link_id", sa.Integer(), sa.ForeignKey("lineage_links.id"), nullable=False, index=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", now, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("before", sa.JSON()),
        sa.Column("after", sa.JSON()),
        sa.Column("reason", sa.Text()),
    )


def _alter_tables() -> None:
    with op.batch_alter_table("conferences") as batch:
        batch.add_column(sa.Column("year", sa.Integer()))
    with op.batch_alter_table("source_documents") as batch:
        batch.add_column(sa.Column("stage", sa.String(16), nullable=False, server_default="draft"))
    with op.batch_alter_table("initiatives") as batch:
        batch.alter_column("source_id", existing_type=sa.Integer(), nullable=True)
        _refk(batch, "initiatives", "source_id", "source_documents.id", "SET NULL")
        batch.add_column(sa.Column("status", sa.String(12), nullable=False, server_default="current"))
        batch.add_column(sa.Column("field_sources", sa.JSON()))
        batch.create_index("ix_initiatives_conference_region", ["conference_id", "region_code"])
    with op.batch_alter_table("expected_results") as batch:
        batch.alter_column("source_id", existing_type=sa.Integer(), nullable=True)
        _refk(batch, "expected_results", "source_id", "source_documents.id", "SET NULL")
        _refk(batch, "expected_results", "initiative_id", "initiatives.id", None)
        batch.add_column(sa.Column("status", sa.String(12), nullable=False, server_default="current"))
    with op.batch_alter_table("alignments") as batch:
        _refk(batch, "alignments", "initiative_id", "initiatives.id", None)
        _refk(batch, "alignments", "result_id", "expected_results.id", None)
        batch.add_column(sa.Column("source_id", sa.Integer()))
        batch.create_foreign_key(
            "fk_alignments_source_id_source_documents", "source_documents", ["source_id"], ["id"], ondelete="SET NULL"
        )


def _merge_duplicate_meetings(conn: sa.Connection) -> None:
    """Earlier ingests stored one meeting per document: keep the newest of each (cycle, region, kind)."""
    found = conn.execute(sa.text("SELECT id, conference_id, region_code, kind FROM meetings ORDER BY id DESC")).all()
    seen: set[tuple[Any, ...]] = set()
    for row in found:
        key = (row.conference_id, row.region_code, row.kind)
        if key in seen:
            for table in ("officers", "reviewed_documents"):
                conn.execute(sa.text(f"DELETE FROM {table} WHERE meeting_id = :id"), {"id": row.id})
            conn.execute(sa.text("DELETE FROM meetings WHERE id = :id"), {"id": row.id})
        seen.add(key)


def _unknown_cycle(conn: sa.Connection) -> int:
    found = conn.scalar(sa.text("SELECT id FROM conferences WHERE code = :c"), {"c": UNKNOWN_CYCLE})
    if found is not None:
        return int(found)
    conn.execute(
        sa.text("INSERT INTO conferences (code, title) VALUES (:c, :t)"),
        {"c": UNKNOWN_CYCLE, "t": "Cycle not named in the document"},
    )
    return int(conn.scalar(sa.text("SELECT id FROM conferences WHERE code = :c"), {"c": UNKNOWN_CYCLE}))


def _backfill(conn: sa.Connection) -> None:
    for cid, code in conn.execute(sa.text("SELECT id, code FROM conferences")).all():
        conn.execute(sa.text("UPDATE conferences SET year = :y WHERE id = :i"), {"y": _year(code), "i": cid})
    if conn.scalar(sa.text("SELECT count(*) FROM initiatives WHERE conference_id IS NULL")):
        unknown = _unknown_cycle(conn)
        for table in ("initiatives", "meetings", "source_documents"):
            conn.execute(sa.text(f"UPDATE {table} SET conference_id = :u WHERE conference_id IS NULL"), {"u": unknown})
    conn.execute(
        sa.text(
            "UPDATE alignments SET source_id = (SELECT source_id FROM initiatives WHERE id = alignments.initiative_id)"
            " WHERE provenance = 'document'"
        )
    )
    stamp = dt.datetime.now(dt.UTC)
    versions = sa.table(
        "initiative_versions",
        *(
            sa.column(c)
            for c in [
                "initiative_id",
                "source_id",
                "stage",
                "position",
                "code",
                "kind",
                "title",
                "objective",
                "objective_kind",
                "results_lead_in",
                "span_start",
                "span_end",
                "created_at",
            ]
        ),
        sa.column("results", sa.JSON()),
        sa.column("links", sa.JSON()),
    )
    for i in conn.execute(sa.text("SELECT * FROM initiatives")).mappings().all():
        results = []
        for r in conn.execute(
            sa.text("SELECT * FROM expected_results WHERE initiative_id = :i ORDER BY position"), {"i": i["id"]}
        ).mappings():
            subs = conn.execute(
                sa.text(
                    "SELECT label, text, span_start, span_end FROM sub_items WHERE result_id = :r ORDER BY position"
                ),
                {"r": r["id"]},
            ).mappings()
            notes = conn.execute(
                sa.text("SELECT marker, text, span_start, span_end FROM footnotes WHERE result_id = :r ORDER BY id"),
                {"r": r["id"]},
            ).mappings()
            results.append(
                {
                    "number": r["number"],
                    "text": r["text"],
                    "span": [r["span_start"], r["span_end"]],
                    "sub_items": [[s["label"], s["text"], s["span_start"], s["span_end"]] for s in subs],
                    "footnotes": [[n["marker"], n["text"], n["span_start"], n["span_end"]] for n in notes],
                }
            )
        links = [
            [a["framework"], a["code"], a["label"], a["span_start"], a["span_end"]]
            for a in conn.execute(
                sa.text("SELECT * FROM alignments WHERE initiative_id = :i AND provenance = 'document' ORDER BY id"),
                {"i": i["id"]},
            ).mappings()
        ]
        conn.execute(
            sa.insert(versions).values(
                initiative_id=i["id"],
                source_id=i["source_id"],
                stage=i["stage"],
                position=i["position"],
                code=i["code"],
                kind=i["kind"],
                title=i["title"],
                objective=i["objective"],
                objective_kind=i["objective_kind"],
                results_lead_in=i["results_lead_in"],
                results=results,
                links=links,
                span_start=i["span_start"],
                span_end=i["span_end"],
                created_at=stamp,
            )
        )


def upgrade() -> None:
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        _fts.downgrade()
    _alter_tables()
    _new_tables()
    _backfill(conn)
    _merge_duplicate_meetings(conn)
    with op.batch_alter_table("meetings") as batch:
        batch.create_unique_constraint("uq_meetings_conference_region_kind", ["conference_id", "region_code", "kind"])
    if sqlite:
        _fts._sqlite_upgrade()


def downgrade() -> None:
    raise NotImplementedError("0003 keeps people's links on stable ids; restore a backup to go back")
