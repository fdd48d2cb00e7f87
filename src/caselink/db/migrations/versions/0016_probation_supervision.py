"""probation supervision: objectives, requirements, licence conditions, unpaid work sessions,
contacts with outcomes, enforcement actions, recalls

Revision ID: 0016_probation_supervision
Revises: 0015_probation
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_probation_supervision"
down_revision = "0015_probation"
branch_labels = None
depends_on = None

CASES = "probation_cases.id"
OUTCOMES_SQL = "('attended_complied', 'attended_failed_to_comply', 'acceptable_absence', 'unacceptable_absence')"


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger(), sa.Identity(always=False), primary_key=True)


def _created_at() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "probation_objectives",
        _id(),
        sa.Column("case_id", sa.BigInteger(), sa.ForeignKey(CASES), nullable=False),
        sa.Column("need", sa.String(60), nullable=False),
        sa.Column("objective", sa.Text(), nullable=False),
        sa.Column("target_date", sa.Date()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _created_at(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('open', 'achieved', 'withdrawn')", name="status"),
    )
    op.create_index("ix_probation_objectives_case_id", "probation_objectives", ["case_id"])

    op.create_table(
        "probation_requirements",
        _id(),
        sa.Column("case_id", sa.BigInteger(), sa.ForeignKey(CASES), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ordered_hours", sa.Integer(), nullable=False),
        sa.Column("ordered_days", sa.Integer(), nullable=False),
        sa.Column("hours_per_day", sa.Integer(), nullable=False),
        sa.Column("days_per_week", sa.Integer(), nullable=False),
        sa.Column("ends_on", sa.Date()),
        sa.Column("detail", sa.Text()),
        sa.Column("minutes_worked", sa.Integer(), nullable=False),
        sa.Column("days_used", sa.Integer(), nullable=False),
        sa.Column("sessions_attended", sa.Integer(), nullable=False),
        _created_at(),
        sa.UniqueConstraint("case_id", "position", name="uq_probation_requirements_case_position"),
        sa.CheckConstraint("minutes_worked <= ordered_hours * 60", name="hours_within_order"),
        sa.CheckConstraint("minutes_worked >= 0 AND days_used >= 0 AND sessions_attended >= 0", name="progress"),
    )

    op.create_table(
        "probation_licence_conditions",
        _id(),
        sa.Column("case_id", sa.BigInteger(), sa.ForeignKey(CASES), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _created_at(),
        sa.CheckConstraint("kind IN ('standard', 'additional')", name="kind"),
    )
    op.create_index("ix_probation_licence_conditions_case_id", "probation_licence_conditions", ["case_id"])

    op.create_table(
        "probation_upw_sessions",
        _id(),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("organisation_units.id"), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supervisor_staff_id", sa.Integer(), sa.ForeignKey("staff.id")),
        sa.Column("created_by", sa.String(200), nullable=False),
        _created_at(),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )
    op.create_index("ix_probation_upw_sessions_unit_day", "probation_upw_sessions", ["unit_id", "starts_at"])

    op.create_table(
        "probation_contacts",
        _id(),
        sa.Column("case_id", sa.BigInteger(), sa.ForeignKey(CASES), nullable=False),
        sa.Column("person_id", sa.BigInteger(), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(200)),
        sa.Column("with_whom", sa.String(200)),
        sa.Column("notes", sa.Text()),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("requirement_id", sa.BigInteger(), sa.ForeignKey("probation_requirements.id")),
        sa.Column("upw_session_id", sa.BigInteger(), sa.ForeignKey("probation_upw_sessions.id")),
        sa.Column("outcome", sa.String(32)),
        sa.Column("outcome_notes", sa.Text()),
        sa.Column("outcome_recorded_at", sa.DateTime(timezone=True)),
        sa.Column("outcome_recorded_by", sa.String(200)),
        sa.Column("minutes_credited", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        _created_at(),
        sa.CheckConstraint(f"outcome IS NULL OR outcome IN {OUTCOMES_SQL}", name="outcome"),
        sa.CheckConstraint("minutes_credited >= 0 AND minutes_credited <= 720", name="minutes_credited"),
    )
    op.create_index("ix_probation_contacts_case_time", "probation_contacts", ["case_id", "starts_at"])
    op.create_index(
        "ix_probation_contacts_failures",
        "probation_contacts",
        ["case_id", "starts_at"],
        postgresql_where=sa.text("outcome IN ('attended_failed_to_comply', 'unacceptable_absence')"),
    )
    op.create_index(
        "uq_probation_contacts_upw_place",
        "probation_contacts",
        ["upw_session_id", "case_id"],
        unique=True,
        postgresql_where=sa.text("upw_session_id IS NOT NULL"),
    )

    op.create_table(
        "probation_enforcement_actions",
        _id(),
        sa.Column("case_id", sa.BigInteger(), sa.ForeignKey(CASES), nullable=False),
        sa.Column("contact_id", sa.BigInteger(), sa.ForeignKey("probation_contacts.id"), nullable=False, unique=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("failures_in_window", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("rule_version", sa.String(80), nullable=False),
        sa.Column("due_date", sa.Date()),
        sa.Column("task_id", sa.BigInteger()),
        sa.Column("event_id", sa.Uuid()),
        sa.Column("created_by", sa.String(200), nullable=False),
        _created_at(),
        sa.CheckConstraint("kind IN ('warning', 'breach', 'recall_review', 'added_to_breach')", name="kind"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="status"),
    )
    op.create_index("ix_probation_enforcement_actions_case_id", "probation_enforcement_actions", ["case_id"])

    op.create_table(
        "probation_recalls",
        _id(),
        sa.Column("case_id", sa.BigInteger(), sa.ForeignKey(CASES), nullable=False),
        sa.Column("person_id", sa.BigInteger(), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("recall_type", sa.String(16), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("organisation_units.id"), nullable=False),
        sa.Column("recommended_by_staff_id", sa.Integer()),
        sa.Column("recommended_by", sa.String(200), nullable=False),
        sa.Column("recommended_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("countersigned_by_staff_id", sa.Integer()),
        sa.Column("countersigned_by", sa.String(200)),
        sa.Column("countersigned_at", sa.DateTime(timezone=True)),
        sa.Column("countersign_notes", sa.Text()),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_notes", sa.Text()),
        sa.Column("prison_code", sa.String(16)),
        sa.Column("expected_arrival_id", sa.BigInteger()),
        sa.Column("event_id", sa.Uuid()),
        sa.CheckConstraint("recall_type IN ('standard', 'fixed_term')", name="recall_type"),
        sa.CheckConstraint(
            "status IN ('awaiting_countersignature', 'countersigned', 'rejected', 'recalled', 'not_recalled')",
            name="status",
        ),
    )
    op.create_index("ix_probation_recalls_case_id", "probation_recalls", ["case_id"])
    op.create_index(
        "uq_probation_recalls_open",
        "probation_recalls",
        ["case_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('awaiting_countersignature', 'countersigned')"),
    )
    op.create_index("ix_probation_recalls_queue", "probation_recalls", ["unit_id", "status", "recommended_at"])


def downgrade() -> None:
    for table in (
        "probation_recalls",
        "probation_enforcement_actions",
        "probation_contacts",
        "probation_upw_sessions",
        "probation_licence_conditions",
        "probation_requirements",
        "probation_objectives",
    ):
        op.drop_table(table)
