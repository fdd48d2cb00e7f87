"""accounts: staff, sessions, sign-in throttles, MFA recovery codes, training, API clients

Revision ID: 0004_accounts
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_accounts"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

ALL_ROLES = [
    "police_case_builder",
    "cps_lawyer",
    "cps_paralegal",
    "court_legal_adviser",
    "court_clerk",
    "prison_offender_manager",
    "prison_records_clerk",
    "probation_practitioner",
    "senior_probation_officer",
    "unpaid_work_supervisor",
    "area_administrator",
    "national_administrator",
    "training_administrator",
    "data_quality_officer",
    "analyst",
    "auditor",
]

# The starting training catalogue; administrators change it afterwards (it is data, not code).
MODULES = [
    ("data-protection", "Data protection and information sharing", 12, ALL_ROLES),
    ("information-security", "Information security", 12, ALL_ROLES),
    ("caselink-essentials", "Using Caselink", None, ALL_ROLES),
    ("police-case-file", "Preparing a police case file", None, ["police_case_builder"]),
    ("code-for-crown-prosecutors", "The Code for Crown Prosecutors", 24, ["cps_lawyer", "cps_paralegal"]),
    ("court-results", "Recording court results", None, ["court_legal_adviser", "court_clerk"]),
    (
        "custody-records",
        "Custody records and sentence calculation",
        24,
        ["prison_offender_manager", "prison_records_clerk"],
    ),
    (
        "public-protection",
        "Safeguarding and public protection",
        24,
        ["probation_practitioner", "senior_probation_officer", "unpaid_work_supervisor", "prison_offender_manager"],
    ),
    (
        "account-administration",
        "Administering staff accounts",
        None,
        ["area_administrator", "national_administrator", "training_administrator"],
    ),
]


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("setup_token_hash", sa.String(length=64), nullable=True),
        sa.Column("setup_token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mfa_secret", sa.String(length=64), nullable=True),
        sa.Column("mfa_enrolled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mfa_last_step", sa.Integer(), nullable=True),
        sa.Column("suspended_reason", sa.Text(), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["organisation_units.id"], name=op.f("fk_staff_unit_id_organisation_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_username")),
        sa.UniqueConstraint("setup_token_hash", name=op.f("uq_staff_setup_token_hash")),
    )
    op.create_index(op.f("ix_staff_unit_id"), "staff", ["unit_id"], unique=False)
    op.create_index("ix_staff_roles", "staff", ["roles"], unique=False, postgresql_using="gin")

    op.create_table(
        "staff_teams",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_teams_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_staff_teams_team_id_teams")),
        sa.PrimaryKeyConstraint("staff_id", "team_id", name=op.f("pk_staff_teams")),
    )
    op.create_index(op.f("ix_staff_teams_team_id"), "staff_teams", ["team_id"], unique=False)

    op.create_table(
        "staff_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_recovery_codes_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_recovery_codes")),
    )
    op.create_index(op.f("ix_staff_recovery_codes_staff_id"), "staff_recovery_codes", ["staff_id"], unique=False)

    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=8), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("training_ok_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_sessions_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("id_hash", name=op.f("uq_staff_sessions_id_hash")),
    )
    op.create_index(op.f("ix_staff_sessions_staff_id"), "staff_sessions", ["staff_id"], unique=False)

    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.String(length=210), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttles")),
    )

    modules = op.create_table(
        "training_modules",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("refresh_months", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_training_modules")),
    )
    requirements = op.create_table(
        "training_requirements",
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("module_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["module_code"],
            ["training_modules.code"],
            name=op.f("fk_training_requirements_module_code_training_modules"),
        ),
        sa.PrimaryKeyConstraint("role", "module_code", name=op.f("pk_training_requirements")),
    )
    op.create_table(
        "training_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("module_code", sa.String(length=40), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["module_code"],
            ["training_modules.code"],
            name=op.f("fk_training_completions_module_code_training_modules"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_training_completions_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_completions")),
    )
    op.create_index(
        "ix_training_completions_staff_module",
        "training_completions",
        ["staff_id", "module_code", "completed_on"],
        unique=False,
    )

    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_api_clients_client_id")),
    )
    op.create_table(
        "api_access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["api_clients.id"],
            name=op.f("fk_api_access_tokens_client_pk_api_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_access_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_access_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_access_tokens_client_pk"), "api_access_tokens", ["client_pk"], unique=False)
    op.create_index(op.f("ix_api_access_tokens_expires_at"), "api_access_tokens", ["expires_at"], unique=False)

    op.bulk_insert(
        modules,
        [
            {"code": code, "title": title, "description": "", "refresh_months": refresh, "active": True}
            for code, title, refresh, _ in MODULES
        ],
    )
    op.bulk_insert(
        requirements,
        [{"role": role, "module_code": code} for code, _, _, roles in MODULES for role in roles],
    )


def downgrade() -> None:
    op.drop_table("api_access_tokens")
    op.drop_table("api_clients")
    op.drop_table("training_completions")
    op.drop_table("training_requirements")
    op.drop_table("training_modules")
    op.drop_table("sign_in_throttles")
    op.drop_table("staff_sessions")
    op.drop_table("staff_recovery_codes")
    op.drop_table("staff_teams")
    op.drop_table("staff")
