"""probation cases, allocations, tier changes; assessments of risk and needs with history

Revision ID: 0015_probation
Revises: 0002_people
Depends on: 0004_accounts, 0005_events_tasks

The assessments context's tables are created here too: they were designed together with the
probation case (the latest completed assessment drives the tier).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015_probation"
down_revision = "0002_people"
branch_labels = None
depends_on = ("0004_accounts", "0005_events_tasks")


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_staff_id", sa.Integer(), nullable=False),
        sa.Column("author_unit_id", sa.Integer(), nullable=True),
        sa.Column("rosh_public", sa.String(length=10), nullable=True),
        sa.Column("rosh_known_adult", sa.String(length=10), nullable=True),
        sa.Column("rosh_children", sa.String(length=10), nullable=True),
        sa.Column("rosh_staff", sa.String(length=10), nullable=True),
        sa.Column("rosh_prisoners", sa.String(length=10), nullable=True),
        sa.Column("reoffending_score", sa.SmallInteger(), nullable=True),
        sa.Column(
            "needs", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("countersignature_required", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("countersigned_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("countersigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'countersigned', 'completed')", name=op.f("ck_assessments_status")
        ),
        sa.CheckConstraint(
            "countersigned_by_staff_id IS NULL OR countersigned_by_staff_id <> author_staff_id",
            name=op.f("ck_assessments_countersigner_not_author"),
        ),
        sa.CheckConstraint("reoffending_score BETWEEN 0 AND 100", name=op.f("ck_assessments_reoffending_score")),
        sa.ForeignKeyConstraint(["author_staff_id"], ["staff.id"], name=op.f("fk_assessments_author_staff_id_staff")),
        sa.ForeignKeyConstraint(
            ["author_unit_id"], ["organisation_units.id"], name=op.f("fk_assessments_author_unit_id_organisation_units")
        ),
        sa.ForeignKeyConstraint(
            ["countersigned_by_staff_id"], ["staff.id"], name=op.f("fk_assessments_countersigned_by_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_assessments_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("person_id", "sequence", name="uq_assessments_person_sequence"),
    )
    op.create_index(
        "ix_assessments_awaiting_countersignature",
        "assessments",
        ["submitted_at"],
        unique=False,
        postgresql_where=sa.text("status = 'submitted' AND countersignature_required"),
    )
    op.create_index(
        "ix_assessments_latest_completed",
        "assessments",
        ["person_id", "completed_at"],
        unique=False,
        postgresql_where=sa.text("status = 'completed'"),
    )
    op.create_table(
        "probation_cases",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("delivery_unit_id", sa.Integer(), nullable=False),
        sa.Column("delivery_unit_basis", sa.String(length=200), nullable=True),
        sa.Column("practitioner_staff_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("allocated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("allocated_by", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "sentence", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("source_reference", sa.String(length=64), nullable=True),
        sa.Column("source_event_id", sa.Uuid(), nullable=True),
        sa.Column("court_name", sa.String(length=200), nullable=True),
        sa.Column("tier", sa.String(length=2), nullable=True),
        sa.Column("tier_rule_version", sa.String(length=80), nullable=True),
        sa.Column("tier_calculated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_appointment_due", sa.Date(), nullable=True),
        sa.Column("first_appointment_task_id", sa.BigInteger(), nullable=True),
        sa.Column("allocation_task_id", sa.BigInteger(), nullable=True),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("termination_reason", sa.String(length=32), nullable=True),
        sa.Column("termination_notes", sa.Text(), nullable=True),
        sa.Column("terminated_by", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('community_order', 'suspended_sentence', 'licence')", name=op.f("ck_probation_cases_kind")
        ),
        sa.CheckConstraint(
            "status <> 'allocated' OR practitioner_staff_id IS NOT NULL",
            name=op.f("ck_probation_cases_allocated_has_practitioner"),
        ),
        sa.CheckConstraint(
            "status IN ('unallocated', 'allocated', 'terminated')", name=op.f("ck_probation_cases_status")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_unit_id"],
            ["organisation_units.id"],
            name=op.f("fk_probation_cases_delivery_unit_id_organisation_units"),
        ),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_probation_cases_person_id_persons")),
        sa.ForeignKeyConstraint(
            ["practitioner_staff_id"], ["staff.id"], name=op.f("fk_probation_cases_practitioner_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_probation_cases_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_probation_cases")),
        sa.UniqueConstraint("source_event_id", name=op.f("uq_probation_cases_source_event_id")),
    )
    op.create_index(
        "ix_probation_cases_caseload",
        "probation_cases",
        ["practitioner_staff_id", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'allocated'"),
    )
    op.create_index(op.f("ix_probation_cases_person_id"), "probation_cases", ["person_id"], unique=False)
    op.create_index(
        "ix_probation_cases_unallocated",
        "probation_cases",
        ["delivery_unit_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("status = 'unallocated'"),
    )
    op.create_table(
        "assessment_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("assessment_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_staff_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "snapshot", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_assessment_history_assessment_id_assessments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_history")),
    )
    op.create_index(op.f("ix_assessment_history_assessment_id"), "assessment_history", ["assessment_id"], unique=False)
    op.create_table(
        "probation_allocations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("allocated_by", sa.String(length=200), nullable=False),
        sa.Column("allocated_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("caseload_at_allocation", sa.Integer(), nullable=True),
        sa.Column("workload_points_at_allocation", sa.Integer(), nullable=True),
        sa.Column("allocated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["probation_cases.id"], name=op.f("fk_probation_allocations_case_id_probation_cases")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_probation_allocations_staff_id_staff")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_probation_allocations_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_probation_allocations")),
    )
    op.create_index(op.f("ix_probation_allocations_case_id"), "probation_allocations", ["case_id"], unique=False)
    op.create_table(
        "probation_tier_changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("from_tier", sa.String(length=2), nullable=True),
        sa.Column("to_tier", sa.String(length=2), nullable=False),
        sa.Column("trigger", sa.String(length=64), nullable=False),
        sa.Column("rule_version", sa.String(length=80), nullable=False),
        sa.Column(
            "inputs", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["probation_cases.id"], name=op.f("fk_probation_tier_changes_case_id_probation_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_probation_tier_changes")),
    )
    op.create_index(op.f("ix_probation_tier_changes_case_id"), "probation_tier_changes", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("probation_tier_changes")
    op.drop_table("probation_allocations")
    op.drop_table("assessment_history")
    op.drop_table("probation_cases")
    op.drop_table("assessments")
