"""one link per subject and framework item

Concurrent editors could each add the same person link (the code checked, then inserted). This
revision merges such duplicates — the reviewed or earliest row is kept, the others' history moves
to it — and adds a unique index on (initiative, result or 0, framework, code), so the database
settles the race from now on.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _merge_duplicates(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.text("SELECT id, initiative_id, result_id, framework, code, provenance, status FROM alignments ORDER BY id")
    ).all()
    groups: dict[tuple[object, ...], list[sa.Row[tuple[object, ...]]]] = {}
    for row in rows:
        groups.setdefault((row.initiative_id, row.result_id or 0, row.framework, row.code), []).append(row)
    for group in groups.values():
        if len(group) < 2:
            continue
        # The report's own link first, then a reviewed one, then the earliest.
        kept = min(group, key=lambda r: (r.provenance != "document", r.status == "proposed", r.id))
        for other in group:
            if other.id == kept.id:
                continue
            conn.execute(
                sa.text("UPDATE alignment_events SET alignment_id = :k WHERE alignment_id = :o"),
                {"k": kept.id, "o": other.id},
            )
            conn.execute(sa.text("DELETE FROM alignments WHERE id = :o"), {"o": other.id})


def upgrade() -> None:
    _merge_duplicates(op.get_bind())
    op.create_index(
        "uq_alignments_subject_item",
        "alignments",
        ["initiative_id", sa.text("coalesce(result_id, 0)"), "framework", "code"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_alignments_subject_item", table_name="alignments")
