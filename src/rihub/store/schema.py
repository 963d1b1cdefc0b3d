"""The tables. SQLAlchemy Core so the same definitions serve SQLite and PostgreSQL.

Every extracted row carries ``source_id`` plus ``span_start``/``span_end`` (line or
paragraph numbers in that source) so a reviewer can check it against the original.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
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
    func,
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
    # The year the conference is held, read from its code ("WTDC-25" → 2025): cycles sort by it.
    Column("year", Integer),
)
# Cycles in order (the latest cycle, a cycle's neighbours) without sorting the table.
Index("ix_conferences_year", conferences.c.year, conferences.c.id)

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
    # Where the document stands in the process: draft | consolidated | adopted | report (model.STAGES).
    Column("stage", String(16), nullable=False, default="draft", server_default="draft"),
    Column("supersedes_id", Integer, ForeignKey("source_documents.id")),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)
Index("ix_source_documents_conference_id", source_documents.c.conference_id, source_documents.c.status)

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
    # The field the paragraph landed in ("title", "result", "furniture", …); "" when unassigned.
    Column("role", String(16), nullable=False, default="", server_default=""),
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
Index("ix_ingest_events_source_id", ingest_events.c.source_id)

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
    Column("report_url", String(2000)),
    Column("report_placeholder", Boolean),
    Column("video_label", String(200)),
    Column("video_url", String(2000)),
    Column("video_placeholder", Boolean),
    Column("contributions", Text),
    *_span(),
    # One meeting per cycle, region and kind: a second document telling of it updates this row.
    UniqueConstraint("conference_id", "region_code", "kind", name="uq_meetings_conference_region_kind"),
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

# The stable identity of an initiative: one row per (cycle, code), kept for life. Its columns hold
# the current version's fields (see store/versions.py for the precedence); ``source_id`` is the
# document of that version. Nothing cascades into it from a document row.
initiatives = Table(
    "initiatives",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("source_documents.id", ondelete="SET NULL"), index=True),
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
    Column("status", String(12), nullable=False, default="current", server_default="current"),  # current | withdrawn
    Column("field_sources", JSON),  # field name → source document id the current value came from
    *_span(),
    UniqueConstraint("conference_id", "code", name="uq_initiatives_conference_code"),
)
# Covering for "every cycle of this code" (an initiative page lists them all): no table reads.
Index("ix_initiatives_code_status", initiatives.c.code, initiatives.c.status, initiatives.c.conference_id)
Index("ix_initiatives_conference_region", initiatives.c.conference_id, initiatives.c.region_code)

# The stable identity of an expected result: (cycle, code, number) when first seen, kept when a
# later version renumbers or rewords it (matched by text). A result the current version no longer
# states is ``withdrawn``, never deleted: people's links may point at it.
expected_results = Table(
    "expected_results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("initiative_id", Integer, ForeignKey("initiatives.id"), nullable=False, index=True),
    Column("source_id", Integer, ForeignKey("source_documents.id", ondelete="SET NULL"), index=True),
    Column("position", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(12), nullable=False, default="current", server_default="current"),  # current | withdrawn
    *_span(),
)

# "Achieved results": what a document reports as done under an initiative, kept apart from its
# expected results (implementation reporting, for monitoring to build on). Rows belong to the
# document that states them.
achieved_results = Table(
    "achieved_results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("initiative_id", Integer, ForeignKey("initiatives.id"), nullable=False, index=True),
    _source(),
    Column("position", Integer, nullable=False),
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

# Links reference the stable ids and never cascade: an ingest cannot delete what a person decided.
alignments = Table(
    "alignments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("initiative_id", Integer, ForeignKey("initiatives.id"), nullable=False, index=True),
    Column("result_id", Integer, ForeignKey("expected_results.id"), index=True),
    # For provenance "document": the source document whose mapping table states the link.
    Column("source_id", Integer, ForeignKey("source_documents.id", ondelete="SET NULL")),
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

# One link per subject (an initiative, or one of its results) and framework item: concurrent
# editors adding the same link get one row (a NULL result counts as 0, since NULLs are distinct).
Index(
    "uq_alignments_subject_item",
    alignments.c.initiative_id,
    func.coalesce(alignments.c.result_id, 0),
    alignments.c.framework,
    alignments.c.code,
    unique=True,
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

# One row per document that states an initiative: its fields as that document words them, with
# the results, sub-items, footnotes and mapping links as JSON (a document row: it goes with its source).
initiative_versions = Table(
    "initiative_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("initiative_id", Integer, ForeignKey("initiatives.id"), nullable=False, index=True),
    _source(),
    Column("stage", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    Column("code", String(16), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("title", Text, nullable=False),
    Column("objective", Text),
    Column("objective_kind", String(12)),
    Column("results_lead_in", Text),
    Column("results", JSON, nullable=False),
    Column("links", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    *_span(),
    UniqueConstraint("initiative_id", "source_id", name="uq_initiative_versions_initiative_source"),
)

# Result matches a person should confirm: a new version's result paired with a stable result by
# text similarity that was not clear, or a withdrawn result that carries people's links.
result_matches = Table(
    "result_matches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("initiative_id", Integer, ForeignKey("initiatives.id"), nullable=False, index=True),
    Column("result_id", Integer, ForeignKey("expected_results.id"), nullable=False),
    Column("source_id", Integer, ForeignKey("source_documents.id", ondelete="SET NULL")),
    Column("kind", String(16), nullable=False),  # unclear | withdrawn
    Column("old_number", Integer),
    Column("old_text", Text),
    Column("new_number", Integer),
    Column("new_text", Text),
    Column("score", Float),
    Column("status", String(12), nullable=False),  # proposed | accepted | rejected
    Column("decided_by", String(100)),
    Column("decided_at", DateTime(timezone=True)),
    Column("reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_result_matches_result_id", result_matches.c.result_id)

# "Continues" links between initiatives of successive cycles of one region, proposed by similarity
# and confirmed or rejected by a person like framework links (history in lineage_events).
lineage_links = Table(
    "lineage_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("from_id", Integer, ForeignKey("initiatives.id"), nullable=False, index=True),
    Column("to_id", Integer, ForeignKey("initiatives.id"), nullable=False, index=True),
    Column("provenance", String(12), nullable=False),  # model | person
    Column("status", String(12), nullable=False),  # proposed | accepted | rejected
    Column("score", Float),
    Column("evidence", JSON),
    Column("created_by", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("from_id", "to_id", name="uq_lineage_links_from_to"),
)

lineage_events = Table(
    "lineage_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("link_id", Integer, ForeignKey("lineage_links.id"), nullable=False, index=True),
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

# --- Accounts, audit trail and implementation monitoring (migration 0008) ---
# People's rows: nothing here is written by an ingest, and nothing cascades into it from one.
# Monitoring references expected results by their stable ids, so re-ingesting a report, or its
# adopted version, leaves every project link, indicator and update on the same result.

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False, default="", server_default=""),
    Column("password_hash", Text),  # argon2; NULL for an account that signs in with tokens only
    Column("role", String(12), nullable=False),  # contributor | reviewer | admin
    Column("disabled", Boolean, nullable=False, default=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# API tokens for scripts: only a SHA-256 of the (random, 256-bit) secret is kept; ``prefix`` lets a
# person tell their tokens apart without the secret.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# Failed sign-ins and wrong tokens, per client and account: the throttle reads the recent ones, so
# it holds across several server workers.
auth_failures = Table(
    "auth_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client", String(100), nullable=False),
    Column("username", String(64), nullable=False, default="", server_default=""),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_auth_failures_client_at", "client", "at"),
)

# Secrets the server generates once and every worker shares (the session cookies' signing key),
# unless the deployment sets RIHUB_SECRET_KEY.
server_keys = Table(
    "server_keys",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Who changed what: one row per write, in the same transaction as the write.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(64), nullable=False),  # username, or "cli:<os user>" / "system"
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("action", String(20), nullable=False),  # create | update | delete | submit | approve | return | …
    Column("object_type", String(20), nullable=False),  # project | indicator | period | update | user | …
    Column("object_id", Integer, nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("comment", Text),
    Index("ix_audit_log_object", "object_type", "object_id"),
)

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, default="", server_default=""),
    Column("partners", JSON, nullable=False),  # list of organisation names
    Column("countries", JSON, nullable=False),  # list of ISO 3166-1 alpha-2 codes
    Column("budget", Float),
    Column("currency", String(3)),  # ISO 4217
    Column("start_date", Date),
    Column("end_date", Date),
    Column("status", String(12), nullable=False),  # not-started | on-track | at-risk | off-track | completed
    Column("version", Integer, nullable=False, default=1, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Which projects serve which expected results (by stable id; many to many).
project_results = Table(
    "project_results",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("result_id", Integer, ForeignKey("expected_results.id"), primary_key=True, index=True),
)

# Contributors submit updates for the projects they are assigned to.
assignments = Table(
    "assignments",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# An indicator measures one expected result within one project (the IATI result/indicator model).
indicators = Table(
    "indicators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False, index=True),
    Column("result_id", Integer, ForeignKey("expected_results.id"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, default="", server_default=""),
    Column("measure", String(12), nullable=False),  # unit | percentage | qualitative
    Column("ascending", Boolean, nullable=False, default=True, server_default="1"),
    Column("unit", String(50), nullable=False, default="", server_default=""),
    Column("baseline_year", Integer),
    Column("baseline_value", Float),
    Column("baseline_comment", Text),
    Column("version", Integer, nullable=False, default=1, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

periods = Table(
    "periods",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("indicator_id", Integer, ForeignKey("indicators.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("target", Float),
    Column("target_text", Text),  # a qualitative indicator's target
    Column("actual", Float),  # set by the latest approved update
    Column("actual_text", Text),
    Column("comment", Text),
    Column("version", Integer, nullable=False, default=1, server_default="1"),
    UniqueConstraint("indicator_id", "start_date", "end_date", name="uq_periods_indicator_dates"),
)

# A progress update on one period: draft → submitted → approved | returned (a returned update can
# be edited and submitted again). Evidence files are kept in the row, bounded by the upload limit.
updates = Table(
    "updates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("period_id", Integer, ForeignKey("periods.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("value", Float),
    Column("narrative", Text, nullable=False, default="", server_default=""),
    Column("progress", String(12)),  # the contributor's status for the period (vocabulary above)
    Column("evidence_name", String(255)),
    Column("evidence_type", String(100)),
    Column("evidence", LargeBinary),
    Column("status", String(12), nullable=False),  # draft | submitted | approved | returned
    Column("created_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("submitted_at", DateTime(timezone=True)),
    Column("reviewed_by", Integer, ForeignKey("users.id")),
    Column("reviewed_at", DateTime(timezone=True)),
    Column("review_comment", Text),
    Column("version", Integer, nullable=False, default=1, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_updates_status", "status"),
)

# The registry's recalibration of model proposals, learnt from reviews (`rihub align calibrate`):
# p' = sigmoid(slope * logit(p) + intercept) on the shipped calibrated probability p, per framework.
align_calibration = Table(
    "align_calibration",
    metadata,
    Column("framework", String(8), primary_key=True),
    Column("slope", Float, nullable=False),
    Column("intercept", Float, nullable=False),
    Column("reviews", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("fitted_by", String(100), nullable=False),
    Column("fitted_at", DateTime(timezone=True), nullable=False),
)

# Its per-label part: a logit offset for each label with enough reviews, on top of the framework's fit.
align_label_calibration = Table(
    "align_label_calibration",
    metadata,
    Column("framework", String(8), primary_key=True),
    Column("code", String(16), primary_key=True),
    Column("logit_offset", Float, nullable=False),
    Column("reviews", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
)
