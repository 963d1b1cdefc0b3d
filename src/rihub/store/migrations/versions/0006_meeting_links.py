"""a meeting's report and video links: address and placeholder flag

The meetings table of a coordination report has "Report" and "Video" cells that are hyperlinks
in Word; a text version keeps only the word. ``*_url`` keeps the target when the source carries
one, ``*_placeholder`` says the label only repeats its column's heading (not a value to show).
Meetings ingested before this revision keep their labels; re-ingesting a source fills the rest.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = ("report", "video")


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(f"{name}_url", sa.String(2000)))
            batch.add_column(sa.Column(f"{name}_placeholder", sa.Boolean()))


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        for name in COLUMNS:
            batch.drop_column(f"{name}_placeholder")
            batch.drop_column(f"{name}_url")
