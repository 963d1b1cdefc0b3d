"""coverage of each source block, and achieved results

- ``source_blocks.role``: the field of the outline a paragraph landed in ("title", "result",
  "furniture", …), empty when the reader assigned it nowhere; the source page shades those.
- ``achieved_results``: what a document reports as done under an initiative ("Achieved
  results"), implementation reporting kept apart from the expected results.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_blocks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=16), nullable=False, server_default=""))
    op.create_table(
        "achieved_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiatives.id"], name=op.f("fk_achieved_results_initiative_id_initiatives")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_documents.id"],
            name=op.f("fk_achieved_results_source_id_source_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_achieved_results")),
    )
    with op.batch_alter_table("achieved_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_achieved_results_initiative_id"), ["initiative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_achieved_results_source_id"), ["source_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("achieved_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_achieved_results_source_id"))
        batch_op.drop_index(batch_op.f("ix_achieved_results_initiative_id"))
    op.drop_table("achieved_results")
    with op.batch_alter_table("source_blocks", schema=None) as batch_op:
        batch_op.drop_column("role")
