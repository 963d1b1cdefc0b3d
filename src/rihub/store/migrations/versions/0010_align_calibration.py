"""the registry's alignment calibration, learnt from reviews

``align_calibration``: one row per framework, the Platt recalibration (slope, intercept on the
logit of the shipped calibrated probability) fitted by ``rihub align calibrate`` on the accepted,
rejected and added links; deleting the rows (``--reset``) returns to the shipped calibration.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "align_calibration",
        sa.Column("framework", sa.String(8), primary_key=True),
        sa.Column("slope", sa.Float(), nullable=False),
        sa.Column("intercept", sa.Float(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("fitted_by", sa.String(100), nullable=False),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("align_calibration")
