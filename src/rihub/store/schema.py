"""The tables. SQLAlchemy Core so the same definitions serve SQLite and PostgreSQL.

Every extracted row carries ``source_id`` plus ``span_start``/``span_end`` (line or
paragraph numbers in that source) so a reviewer can check it against the original.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _span() -> list[Column[int]]:
    return [Column("span_start", Integer), Column("span_end", Integer)]


def _source() -> Column[int]:
    return Column(
        "source_id", Integer, ForeignKey("source_documents.id", ondelete="CASCADE"), nullable=False, index=True
    )


regions = Table(
    "regions",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("position", Integer, nullable=False),
)

conferences = Table(
    "conferences",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("title", String(200), nullable=False, default=""),
    Column("city", String(100)),
    Column("country", String(100)),
    Column("start_date", Date),
    Column("end_date", Date),
)

source_documents = Table(
    "source_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, index=True),
    Column("filename", String(300), nullable=False),
    Column("format", String(10), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", Integer, nullable=False),
    Column("title", String(300), nullable=False, default=""),
    Column("language", String(8), nullable=False, default="en"),
    Column("conference_id", Integer, ForeignKey("conferences.id")),
    Column("status", String(12), nullable=False, default="current"),  # current | superseded
    Column("supersedes_id", Integer, ForeignKey("source_documents.id")),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

source_blocks = Table(
    "source_blocks",
    metadata,
    Column("id", Integer, primary_key=True),
    _source(),
    Column("position", Integer, nullable=False),
    Column("loc", Integer, nullable=False),
    Column("end_loc", Integer, nullable=False),
    Column("kind", String(10), nullable=False),
    Column("text", Text, nullable=False),
)

ingest_events = Table(
    "ingest_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("source_documents.id", ondelete="SET NULL")),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(20), nullable=False),  # ingested | unchanged | superseded
    Column("filename", String(300), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    _source(),
    Column("conference_id", Integer, ForeignKey("conferences.id")),
    Column("region_code", String(8), ForeignKey("regions.code"), nullable=False),
    Column("kind", String(20), nullable=False, default="rpm"),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("city", String(100)),
    Column("country", String(100)),
    Column("report_label", String(200)),
    Column("video_label", String(200)),
    Column("contributions", Text),
    *_span(),
)

officers = Table(
    "officers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False, index=True),
    _source(),
    Column("position", Integer, nullable=False),
    Column("role", String(20), nullable=False),
    Column("honorific", String(40)),
    Column("name", String(200), nullable=False),
    Column("country", String(200)),
    *_span(),
)

reviewed_documents = Table(
    "reviewed_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False, index=True),
    _source(),
    Column("position", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("description", Text, nullable=False),
    *_span(),
)

initiatives = Table(
    "initiatives",
    metadata,
    Column("id", Integer, primary_key=True),
    _source(),
    Column("conference_id", Integer, ForeignKey("conferences.id")),
    Column("region_code", String(8), ForeignKey("regions.code"), nullable=False),
    Column("code", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", String(12), nullable=False),  # initiative | priority
    Column("stage", String(12), nullable=False),  # draft | adopted
    Column("title", Text, nullable=False),
    Column("objective", Text),
    Column("objective_kind", String(12)),  # objective | rationale
    Column("results_lead_in", Text),
    *_span(),
    UniqueConstraint("conference_id", "code", name="uq_initiatives_conference_code"),
)
Index("ix_initiatives_code", initiatives.c.code)

expected_results = Table(
    "expected_results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("initiative_id", Integer, ForeignKey("initiatives.id", ondelete="CASCADE"), nullable=False, index=True),
    _source(),
    Column("position", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    *_span(),
)

sub_items = Table(
    "sub_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("result_id", Integer, ForeignKey("expected_results.id", ondelete="CASCADE"), nullable=False, index=True),
    _source(),
    Column("position", Integer, nullable=False),
    Column("label", String(8), nullable=False),
    Column("text", Text, nullable=False),
    *_span(),
)

footnotes = Table(
    "footnotes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("result_id", Integer, ForeignKey("expected_results.id", ondelete="CASCADE"), nullable=False, index=True),
    _source(),
    Column("marker", String(8), nullable=False),
    Column("text", Text, nullable=False),
    *_span(),
)

framework_items = Table(
    "framework_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("framework", String(8), nullable=False),
    Column("code", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("parent_code", String(16)),
    Column("version", String(32), nullable=False),
    UniqueConstraint("framework", "code", name="uq_framework_items_framework_code"),
)

alignments = Table(
    "alignments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("initiative_id", Integer, ForeignKey("initiatives.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("result_id", Integer, ForeignKey("expected_results.id", ondelete="CASCADE"), index=True),
    Column("framework", String(8), nullable=False),
    Column("code", String(16), nullable=False),
    Column("label", Text),
    Column("provenance", String(12), nullable=False),  # document | model | person
    Column("status", String(12), nullable=False),  # proposed | accepted | rejected
    Column("score", Float),
    Column("evidence", JSON),
    Column("created_by", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    *_span(),
)

alignment_events = Table(
    "alignment_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("alignment_id", Integer, ForeignKey("alignments.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(20), nullable=False),  # propose | accept | reject | add
    Column("before", JSON),
    Column("after", JSON),
    Column("reason", Text),
)

# Sentence embeddings of initiatives and expected results (float32 bytes), for semantic search
# and "similar results in other regions"; written by `rihub align`, read without loading the model.
embeddings = Table(
    "embeddings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("initiative_id", Integer, ForeignKey("initiatives.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("result_id", Integer, ForeignKey("expected_results.id", ondelete="CASCADE"), index=True),
    Column("model", String(100), nullable=False),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True),
    _source(),
    Column("code", String(40), nullable=False),
    Column("severity", String(10), nullable=False),  # error | warning | info
    Column("loc", Integer),
    Column("message", Text, nullable=False),
    Column("excerpt", Text),
    Column("suggestion", Text),
)
