"""indexes for a registry of many cycles

Reads filter by cycle and ingest looks rows up by their document; with hundreds of cycles these
must be index searches, not scans:

- ``initiatives (code, status, conference_id)`` replaces ``(code)``: every cycle of a code (an
  initiative page lists them) is read from the index alone.
- ``conferences (year, id)``: the latest cycle (the default of every read) and a cycle's
  neighbours (lineage proposals) are read in index order and stop at the first row.
- ``source_documents (conference_id, status)``: a cycle's documents (stats, export).
- ``ingest_events (source_id)``: retiring a superseded copy updates its events.
- ``result_matches (result_id)``: one open review item per stored result, checked at each ingest.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_conferences_year", "conferences", ["year", "id"]),
    ("ix_source_documents_conference_id", "source_documents", ["conference_id", "status"]),
    ("ix_ingest_events_source_id", "ingest_events", ["source_id"]),
    ("ix_result_matches_result_id", "result_matches", ["result_id"]),
]


def upgrade() -> None:
    op.drop_index("ix_initiatives_code", table_name="initiatives")
    op.create_index("ix_initiatives_code_status", "initiatives", ["code", "status", "conference_id"])
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index("ix_initiatives_code_status", table_name="initiatives")
    op.create_index("ix_initiatives_code", "initiatives", ["code"])
