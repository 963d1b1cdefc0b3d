"""server keys: the secret that signs session cookies, shared by every worker

One row per named secret (``session``), generated on first use when ``RIHUB_SECRET_KEY`` is not
set, so several workers and several hosts on one database sign and accept the same cookies.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_keys",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("server_keys")
