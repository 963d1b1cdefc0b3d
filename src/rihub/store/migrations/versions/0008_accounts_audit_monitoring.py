"""accounts, the audit trail, and implementation monitoring

- ``users``, ``api_tokens`` (SHA-256 of the secret only), ``auth_failures`` (the sign-in throttle,
  shared by every worker), ``assignments`` (contributor ↔ project).
- ``audit_log``: who, when, what, before and after — written in the transaction of each write.
- ``projects`` ↔ ``expected_results`` (``project_results``, by stable id), ``indicators``,
  ``periods`` and ``updates`` (the IATI result/indicator model), each editable row with a
  ``version`` column so a second save of a stale form is a conflict, not an overwrite.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer(), nullable=False, server_default="1")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("password_hash", sa.Text()),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default="0"),
        *_stamps(),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_api_tokens_user_id_users"), nullable=False
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "auth_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("username", sa.String(64), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_auth_failures_client_at", "auth_failures", ["client", "at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_audit_log_user_id_users")),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("object_type", sa.String(20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON()),
        sa.Column("after", sa.JSON()),
        sa.Column("comment", sa.Text()),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_object", "audit_log", ["object_type", "object_id"])
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("budget", sa.Float()),
        sa.Column("currency", sa.String(3)),
        sa.Column("start_date", sa.Date()),
        sa.Column("end_date", sa.Date()),
        sa.Column("status", sa.String(12), nullable=False),
        _version(),
        *_stamps(),
    )
    op.create_table(
        "project_results",
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE", name="fk_project_results_project_id_projects"),
            primary_key=True,
        ),
        sa.Column(
            "result_id",
            sa.Integer(),
            sa.ForeignKey("expected_results.id", name="fk_project_results_result_id_expected_results"),
            primary_key=True,
        ),
    )
    op.create_index("ix_project_results_result_id", "project_results", ["result_id"])
    op.create_table(
        "assignments",
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_assignments_user_id_users"), primary_key=True
        ),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE", name="fk_assignments_project_id_projects"),
            primary_key=True,
        ),
    )
    op.create_index("ix_assignments_project_id", "assignments", ["project_id"])
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", name="fk_indicators_project_id_projects"),
            nullable=False,
        ),
        sa.Column(
            "result_id",
            sa.Integer(),
            sa.ForeignKey("expected_results.id", name="fk_indicators_result_id_expected_results"),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("measure", sa.String(12), nullable=False),
        sa.Column("ascending", sa.Boolean(), nullable=False, server_default="1"),
        sa.Column("unit", sa.String(50), nullable=False, server_default=""),
        sa.Column("baseline_year", sa.Integer()),
        sa.Column("baseline_value", sa.Float()),
        sa.Column("baseline_comment", sa.Text()),
        _version(),
        *_stamps(),
    )
    op.create_index("ix_indicators_project_id", "indicators", ["project_id"])
    op.create_index("ix_indicators_result_id", "indicators", ["result_id"])
    op.create_table(
        "periods",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "indicator_id",
            sa.Integer(),
            sa.ForeignKey("indicators.id", ondelete="CASCADE", name="fk_periods_indicator_id_indicators"),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("target", sa.Float()),
        sa.Column("target_text", sa.Text()),
        sa.Column("actual", sa.Float()),
        sa.Column("actual_text", sa.Text()),
        sa.Column("comment", sa.Text()),
        _version(),
        sa.UniqueConstraint("indicator_id", "start_date", "end_date", name="uq_periods_indicator_dates"),
    )
    op.create_index("ix_periods_indicator_id", "periods", ["indicator_id"])
    op.create_table(
        "updates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "period_id",
            sa.Integer(),
            sa.ForeignKey("periods.id", ondelete="CASCADE", name="fk_updates_period_id_periods"),
            nullable=False,
        ),
        sa.Column("value", sa.Float()),
        sa.Column("narrative", sa.Text(), nullable=False, server_default=""),
        sa.Column("progress", sa.String(12)),
        sa.Column("evidence_name", sa.String(255)),
        sa.Column("evidence_type", sa.String(100)),
        sa.Column("evidence", sa.LargeBinary()),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column(
            "created_by", sa.Integer(), sa.ForeignKey("users.id", name="fk_updates_created_by_users"), nullable=False
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("reviewed_by", sa.Integer(), sa.ForeignKey("users.id", name="fk_updates_reviewed_by_users")),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("review_comment", sa.Text()),
        _version(),
        *_stamps(),
    )
    op.create_index("ix_updates_period_id", "updates", ["period_id"])
    op.create_index("ix_updates_status", "updates", ["status"])


def downgrade() -> None:
    for table in (
        "updates",
        "periods",
        "indicators",
        "assignments",
        "project_results",
        "projects",
        "audit_log",
        "auth_failures",
        "api_tokens",
        "users",
    ):
        op.drop_table(table)
