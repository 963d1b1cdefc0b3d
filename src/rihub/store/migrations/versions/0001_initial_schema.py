"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 20:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conferences")),
        sa.UniqueConstraint("code", name=op.f("uq_conferences_code")),
    )
    op.create_table(
        "framework_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.String(length=16), nullable=True),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_items")),
        sa.UniqueConstraint("framework", "code", name="uq_framework_items_framework_code"),
    )
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_table(
        "source_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conference_id"], ["conferences.id"], name=op.f("fk_source_documents_conference_id_conferences")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["source_documents.id"], name=op.f("fk_source_documents_supersedes_id_source_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_documents")),
    )
    with op.batch_alter_table("source_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_documents_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_source_documents_sha256"), ["sha256"], unique=False)

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("loc", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("suggestion", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_documents.id"],
            name=op.f("fk_findings_source_id_source_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_findings_source_id"), ["source_id"], unique=False)

    op.create_table(
        "ingest_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_documents.id"],
            name=op.f("fk_ingest_events_source_id_source_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_events")),
    )
    op.create_table(
        "initiatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("objective", sa.Text(), nullable=True),
        sa.Column("objective_kind", sa.String(length=12), nullable=True),
        sa.Column("results_lead_in", sa.Text(), nullable=True),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conference_id"], ["conferences.id"], name=op.f("fk_initiatives_conference_id_conferences")
        ),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_initiatives_region_code_regions")),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_documents.id"],
            name=op.f("fk_initiatives_source_id_source_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiatives")),
        sa.UniqueConstraint("conference_id", "code", name="uq_initiatives_conference_code"),
    )
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.create_index("ix_initiatives_code", ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_initiatives_source_id"), ["source_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("report_label", sa.String(length=200), nullable=True),
        sa.Column("video_label", sa.String(length=200), nullable=True),
        sa.Column("contributions", sa.Text(), nullable=True),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conference_id"], ["conferences.id"], name=op.f("fk_meetings_conference_id_conferences")
        ),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_meetings_region_code_regions")),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_documents.id"],
            name=op.f("fk_meetings_source_id_source_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_source_id"), ["source_id"], unique=False)

    op.create_table(
        "source_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("loc", sa.Integer(), nullable=False),
        sa.Column("end_loc", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_documents.id"],
            name=op.f("fk_source_blocks_source_id_source_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_blocks")),
    )
    with op.batch_alter_table("source_blocks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_blocks_source_id"), ["source_id"], unique=False)

    op.create_table(
        "expected_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_expected_results_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_documents.id"],
            name=op.f("fk_expected_results_source_id_source_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expected_results")),
    )
    with op.batch_alter_table("expected_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expected_results_initiative_id"), ["initiative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_expected_results_source_id"), ["source_id"], unique=False)

    op.create_table(
        "officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("honorific", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=200), nullable=True),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_officers_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_documents.id"],
            name=op.f("fk_officers_source_id_source_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
    )
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_officers_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_officers_source_id"), ["source_id"], unique=False)

    op.create_table(
        "reviewed_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_reviewed_documents_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_documents.id"],
            name=op.f("fk_reviewed_documents_source_id_source_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviewed_documents")),
    )
    with op.batch_alter_table("reviewed_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviewed_documents_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviewed_documents_source_id"), ["source_id"], unique=False)

    op.create_table(
        "alignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=True),
        sa.Column("framework", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("provenance", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_alignments_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["expected_results.id"],
            name=op.f("fk_alignments_result_id_expected_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alignments")),
    )
    with op.batch_alter_table("alignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alignments_initiative_id"), ["initiative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alignments_result_id"), ["result_id"], unique=False)

    op.create_table(
        "embeddings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=True),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_embeddings_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["expected_results.id"],
            name=op.f("fk_embeddings_result_id_expected_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embeddings")),
    )
    with op.batch_alter_table("embeddings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_embeddings_initiative_id"), ["initiative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_embeddings_result_id"), ["result_id"], unique=False)

    op.create_table(
        "footnotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("marker", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["expected_results.id"],
            name=op.f("fk_footnotes_result_id_expected_results"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_documents.id"],
            name=op.f("fk_footnotes_source_id_source_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_footnotes")),
    )
    with op.batch_alter_table("footnotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_footnotes_result_id"), ["result_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_footnotes_source_id"), ["source_id"], unique=False)

    op.create_table(
        "sub_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["expected_results.id"],
            name=op.f("fk_sub_items_result_id_expected_results"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source_documents.id"],
            name=op.f("fk_sub_items_source_id_source_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sub_items")),
    )
    with op.batch_alter_table("sub_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sub_items_result_id"), ["result_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sub_items_source_id"), ["source_id"], unique=False)

    op.create_table(
        "alignment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alignment_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alignment_id"],
            ["alignments.id"],
            name=op.f("fk_alignment_events_alignment_id_alignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alignment_events")),
    )
    with op.batch_alter_table("alignment_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alignment_events_alignment_id"), ["alignment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alignment_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alignment_events_alignment_id"))

    op.drop_table("alignment_events")
    with op.batch_alter_table("sub_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sub_items_source_id"))
        batch_op.drop_index(batch_op.f("ix_sub_items_result_id"))

    op.drop_table("sub_items")
    with op.batch_alter_table("footnotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_footnotes_source_id"))
        batch_op.drop_index(batch_op.f("ix_footnotes_result_id"))

    op.drop_table("footnotes")
    with op.batch_alter_table("embeddings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_embeddings_result_id"))
        batch_op.drop_index(batch_op.f("ix_embeddings_initiative_id"))

    op.drop_table("embeddings")
    with op.batch_alter_table("alignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alignments_result_id"))
        batch_op.drop_index(batch_op.f("ix_alignments_initiative_id"))

    op.drop_table("alignments")
    with op.batch_alter_table("reviewed_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewed_documents_source_id"))
        batch_op.drop_index(batch_op.f("ix_reviewed_documents_meeting_id"))

    op.drop_table("reviewed_documents")
    with op.batch_alter_table("officers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officers_source_id"))
        batch_op.drop_index(batch_op.f("ix_officers_meeting_id"))

    op.drop_table("officers")
    with op.batch_alter_table("expected_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expected_results_source_id"))
        batch_op.drop_index(batch_op.f("ix_expected_results_initiative_id"))

    op.drop_table("expected_results")
    with op.batch_alter_table("source_blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_blocks_source_id"))

    op.drop_table("source_blocks")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_source_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiatives_source_id"))
        batch_op.drop_index("ix_initiatives_code")

    op.drop_table("initiatives")
    op.drop_table("ingest_events")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_source_id"))

    op.drop_table("findings")
    with op.batch_alter_table("source_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_documents_sha256"))
        batch_op.drop_index(batch_op.f("ix_source_documents_key"))

    op.drop_table("source_documents")
    op.drop_table("regions")
    op.drop_table("framework_items")
    op.drop_table("conferences")
