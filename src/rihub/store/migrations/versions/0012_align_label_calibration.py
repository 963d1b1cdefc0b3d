"""the registry's per-label calibration, learnt from reviews

``align_label_calibration``: for each label with enough reviews, a logit offset added on top of its
framework's recalibration in ``align_calibration`` (what this registry's reviewers think of that label
in particular). Written and deleted together with ``align_calibration`` by ``rihub align calibrate``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "align_label_calibration",
        sa.Column("framework", sa.String(8), primary_key=True),
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("logit_offset", sa.Float(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("align_label_calibration")
