"""prosecution: case files, charging decisions, prosecution cases and readiness

Revision ID: 0008_prosecution
Revises: 0002_people
Depends on: 0004_accounts (staff), 0005_events_tasks

The courts context (0009_courts) builds on prosecution_cases, defendants and charges.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_prosecution"
down_revision = "0002_people"
branch_labels = None
depends_on = ["0004_accounts", "0005_events_tasks"]


def upgrade() -> None:
    op.create_table(
        "prosecution_cases",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("urn", sa.String(length=11), nullable=False),
        sa.Column("prosecuting_authority", sa.String(length=16), server_default="cps", nullable=False),
        sa.Column("police_force_unit_id", sa.Integer(), nullable=False),
        sa.Column("police_unit_id", sa.Integer(), nullable=False),
        sa.Column("officer_in_case_name", sa.String(length=200), nullable=False),
        sa.Column("officer_in_case_number", sa.String(length=32), nullable=True),
        sa.Column("cps_area_unit_id", sa.Integer(), nullable=False),
        sa.Column("allocated_lawyer_id", sa.Integer(), nullable=True),
        sa.Column("paralegal_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("custody_status", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("antecedents_served_on", sa.Date(), nullable=True),
        sa.Column("pre_sentence_report_requested_on", sa.Date(), nullable=True),
        sa.Column("submitted_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("charged_on", sa.Date(), nullable=True),
        sa.Column("next_hearing_id", sa.BigInteger(), nullable=True),
        sa.Column("next_hearing_type", sa.String(length=32), nullable=True),
        sa.Column("next_hearing_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("readiness_outstanding", sa.SmallInteger(), nullable=True),
        sa.Column("readiness_items", sa.SmallInteger(), nullable=True),
        sa.Column("readiness_within_days", sa.SmallInteger(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("urn ~ '^[0-9]{2}[A-Z]{2}[0-9]{7}$'", name=op.f("ck_prosecution_cases_urn_format")),
        sa.ForeignKeyConstraint(
            ["allocated_lawyer_id"], ["staff.id"], name=op.f("fk_prosecution_cases_allocated_lawyer_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["cps_area_unit_id"],
            ["organisation_units.id"],
            name=op.f("fk_prosecution_cases_cps_area_unit_id_organisation_units"),
        ),
        sa.ForeignKeyConstraint(["paralegal_id"], ["staff.id"], name=op.f("fk_prosecution_cases_paralegal_id_staff")),
        sa.ForeignKeyConstraint(
            ["police_force_unit_id"],
            ["organisation_units.id"],
            name=op.f("fk_prosecution_cases_police_force_unit_id_organisation_units"),
        ),
        sa.ForeignKeyConstraint(
            ["police_unit_id"],
            ["organisation_units.id"],
            name=op.f("fk_prosecution_cases_police_unit_id_organisation_units"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_staff_id"], ["staff.id"], name=op.f("fk_prosecution_cases_submitted_by_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prosecution_cases")),
        sa.UniqueConstraint("prosecuting_authority", "urn", name="uq_prosecution_cases_authority_urn"),
    )
    op.create_index(
        "ix_prosecution_cases_area_next_hearing",
        "prosecution_cases",
        ["cps_area_unit_id", "next_hearing_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_prosecution_cases_lawyer_next_hearing",
        "prosecution_cases",
        ["allocated_lawyer_id", "next_hearing_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_prosecution_cases_police_unit", "prosecution_cases", ["police_unit_id", "submitted_at"], unique=False
    )
    op.create_index("ix_prosecution_cases_urn", "prosecution_cases", ["urn"], unique=False)
    op.create_table(
        "case_material",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("unused", sa.Boolean(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prosecution_cases.id"],
            name=op.f("fk_case_material_case_id_prosecution_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_material")),
    )
    op.create_index(op.f("ix_case_material_case_id"), "case_material", ["case_id"], unique=False)
    op.create_table(
        "case_reviews",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prosecution_cases.id"],
            name=op.f("fk_case_reviews_case_id_prosecution_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_reviews")),
    )
    op.create_index(op.f("ix_case_reviews_case_id"), "case_reviews", ["case_id"], unique=False)
    op.create_table(
        "defendants",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("custody_status", sa.String(length=32), nullable=False),
        sa.Column("bail_conditions", sa.Text(), nullable=True),
        sa.Column("charging_outcome", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prosecution_cases.id"],
            name=op.f("fk_defendants_case_id_prosecution_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_defendants_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_defendants")),
        sa.UniqueConstraint("case_id", "person_id", name="uq_defendants_case_person"),
    )
    op.create_index(op.f("ix_defendants_case_id"), "defendants", ["case_id"], unique=False)
    op.create_index(op.f("ix_defendants_person_id"), "defendants", ["person_id"], unique=False)
    op.create_table(
        "disclosure_steps",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("done_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prosecution_cases.id"],
            name=op.f("fk_disclosure_steps_case_id_prosecution_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_steps")),
    )
    op.create_index(op.f("ix_disclosure_steps_case_id"), "disclosure_steps", ["case_id"], unique=False)
    op.create_table(
        "idpc_service",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("served_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prosecution_cases.id"],
            name=op.f("fk_idpc_service_case_id_prosecution_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idpc_service")),
    )
    op.create_index(op.f("ix_idpc_service_case_id"), "idpc_service", ["case_id"], unique=False)
    op.create_table(
        "readiness_ticks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("hearing_type", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("hearing_id", sa.BigInteger(), nullable=True),
        sa.Column("ticked_by", sa.String(length=200), nullable=False),
        sa.Column("ticked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prosecution_cases.id"],
            name=op.f("fk_readiness_ticks_case_id_prosecution_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_ticks")),
        sa.UniqueConstraint("case_id", "hearing_type", "item_id", name="uq_readiness_ticks_case_type_item"),
    )
    op.create_table(
        "victims",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("vulnerable_or_intimidated", sa.Boolean(), nullable=False),
        sa.Column("personal_statement", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["prosecution_cases.id"], name=op.f("fk_victims_case_id_prosecution_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victims")),
    )
    op.create_index(op.f("ix_victims_case_id"), "victims", ["case_id"], unique=False)
    op.create_table(
        "witnesses",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("special_measures", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("special_measures_applied", sa.Boolean(), nullable=False),
        sa.Column("dates_to_avoid", sa.Text(), nullable=True),
        sa.Column("required_at_trial", sa.Boolean(), nullable=False),
        sa.Column("warned", sa.Boolean(), nullable=False),
        sa.Column("warned_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prosecution_cases.id"],
            name=op.f("fk_witnesses_case_id_prosecution_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witnesses")),
    )
    op.create_index(op.f("ix_witnesses_case_id"), "witnesses", ["case_id"], unique=False)
    op.create_table(
        "charges",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("defendant_id", sa.BigInteger(), nullable=False),
        sa.Column("offence_code", sa.String(length=16), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("offence_date_from", sa.Date(), nullable=True),
        sa.Column("offence_date_to", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("proposed_charge_id", sa.BigInteger(), nullable=True),
        sa.Column("charged_on", sa.Date(), nullable=True),
        sa.Column("discontinuance_reason", sa.String(length=32), nullable=True),
        sa.Column("discontinuance_note", sa.Text(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status NOT IN ('discontinued', 'withdrawn') OR discontinuance_reason IS NOT NULL",
            name=op.f("ck_charges_stopped_has_reason"),
        ),
        sa.CheckConstraint(
            "offence_date_to IS NULL OR offence_date_from IS NULL OR offence_date_to >= offence_date_from",
            name=op.f("ck_charges_offence_dates_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["prosecution_cases.id"], name=op.f("fk_charges_case_id_prosecution_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["defendant_id"], ["defendants.id"], name=op.f("fk_charges_defendant_id_defendants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["offence_code"], ["reference_offences.code"], name=op.f("fk_charges_offence_code_reference_offences")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_charge_id"], ["charges.id"], name=op.f("fk_charges_proposed_charge_id_charges")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
    )
    op.create_index(op.f("ix_charges_case_id"), "charges", ["case_id"], unique=False)
    op.create_index(op.f("ix_charges_defendant_id"), "charges", ["defendant_id"], unique=False)
    op.create_table(
        "prosecution_remand_periods",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("defendant_id", sa.BigInteger(), nullable=False),
        sa.Column("remanded_on", sa.Date(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "released_on IS NULL OR released_on >= remanded_on",
            name=op.f("ck_prosecution_remand_periods_dates_in_order"),
        ),
        sa.ForeignKeyConstraint(
            ["defendant_id"],
            ["defendants.id"],
            name=op.f("fk_prosecution_remand_periods_defendant_id_defendants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prosecution_remand_periods")),
    )
    op.create_index(
        op.f("ix_prosecution_remand_periods_defendant_id"), "prosecution_remand_periods", ["defendant_id"], unique=False
    )
    op.create_index(
        "uq_prosecution_remand_periods_open",
        "prosecution_remand_periods",
        ["defendant_id"],
        unique=True,
        postgresql_where=sa.text("released_on IS NULL"),
    )
    op.create_table(
        "charging_decisions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("defendant_id", sa.BigInteger(), nullable=False),
        sa.Column("proposed_charge_id", sa.BigInteger(), nullable=False),
        sa.Column("decided_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("evidential", sa.String(length=16), nullable=False),
        sa.Column("public_interest", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("nfa_reason", sa.String(length=32), nullable=True),
        sa.Column("disposal", sa.String(length=40), nullable=True),
        sa.Column("action_plan_due", sa.Date(), nullable=True),
        sa.Column("action_plan_actions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("action_plan_task_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prosecution_cases.id"],
            name=op.f("fk_charging_decisions_case_id_prosecution_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_staff_id"], ["staff.id"], name=op.f("fk_charging_decisions_decided_by_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["defendant_id"],
            ["defendants.id"],
            name=op.f("fk_charging_decisions_defendant_id_defendants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_charge_id"],
            ["charges.id"],
            name=op.f("fk_charging_decisions_proposed_charge_id_charges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charging_decisions")),
    )
    op.create_index(op.f("ix_charging_decisions_case_id"), "charging_decisions", ["case_id"], unique=False)
    op.create_index(op.f("ix_charging_decisions_decision_id"), "charging_decisions", ["decision_id"], unique=False)
    op.create_table(
        "custody_time_limits",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("defendant_id", sa.BigInteger(), nullable=False),
        sa.Column("charge_id", sa.BigInteger(), nullable=False),
        sa.Column("first_appearance", sa.Date(), nullable=False),
        sa.Column("sent_for_trial_on", sa.Date(), nullable=True),
        sa.Column("clock", sa.String(length=16), nullable=False),
        sa.Column("limit_days", sa.Integer(), nullable=False),
        sa.Column("days_left", sa.Integer(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("steps", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rule_pack", sa.String(length=80), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prosecution_cases.id"],
            name=op.f("fk_custody_time_limits_case_id_prosecution_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["charge_id"], ["charges.id"], name=op.f("fk_custody_time_limits_charge_id_charges"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["defendant_id"],
            ["defendants.id"],
            name=op.f("fk_custody_time_limits_defendant_id_defendants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_time_limits")),
        sa.UniqueConstraint("charge_id", name=op.f("uq_custody_time_limits_charge_id")),
    )
    op.create_index(op.f("ix_custody_time_limits_case_id"), "custody_time_limits", ["case_id"], unique=False)
    op.create_index(op.f("ix_custody_time_limits_expiry_date"), "custody_time_limits", ["expiry_date"], unique=False)

    op.create_table(
        "prosecution_case_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("event_type", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["prosecution_cases.id"],
            name=op.f("fk_prosecution_case_history_case_id_prosecution_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prosecution_case_history")),
    )
    op.create_index(
        "ix_prosecution_case_history_case", "prosecution_case_history", ["case_id", "occurred_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_prosecution_case_history_case", table_name="prosecution_case_history")
    op.drop_table("prosecution_case_history")
    op.drop_index(op.f("ix_custody_time_limits_expiry_date"), table_name="custody_time_limits")
    op.drop_index(op.f("ix_custody_time_limits_case_id"), table_name="custody_time_limits")
    op.drop_table("custody_time_limits")
    op.drop_index(op.f("ix_charging_decisions_decision_id"), table_name="charging_decisions")
    op.drop_index(op.f("ix_charging_decisions_case_id"), table_name="charging_decisions")
    op.drop_table("charging_decisions")
    op.drop_index(
        "uq_prosecution_remand_periods_open",
        table_name="prosecution_remand_periods",
        postgresql_where=sa.text("released_on IS NULL"),
    )
    op.drop_index(op.f("ix_prosecution_remand_periods_defendant_id"), table_name="prosecution_remand_periods")
    op.drop_table("prosecution_remand_periods")
    op.drop_index(op.f("ix_charges_defendant_id"), table_name="charges")
    op.drop_index(op.f("ix_charges_case_id"), table_name="charges")
    op.drop_table("charges")
    op.drop_index(op.f("ix_witnesses_case_id"), table_name="witnesses")
    op.drop_table("witnesses")
    op.drop_index(op.f("ix_victims_case_id"), table_name="victims")
    op.drop_table("victims")
    op.drop_table("readiness_ticks")
    op.drop_index(op.f("ix_idpc_service_case_id"), table_name="idpc_service")
    op.drop_table("idpc_service")
    op.drop_index(op.f("ix_disclosure_steps_case_id"), table_name="disclosure_steps")
    op.drop_table("disclosure_steps")
    op.drop_index(op.f("ix_defendants_person_id"), table_name="defendants")
    op.drop_index(op.f("ix_defendants_case_id"), table_name="defendants")
    op.drop_table("defendants")
    op.drop_index(op.f("ix_case_reviews_case_id"), table_name="case_reviews")
    op.drop_table("case_reviews")
    op.drop_index(op.f("ix_case_material_case_id"), table_name="case_material")
    op.drop_table("case_material")
    op.drop_index("ix_prosecution_cases_urn", table_name="prosecution_cases")
    op.drop_index("ix_prosecution_cases_police_unit", table_name="prosecution_cases")
    op.drop_index("ix_prosecution_cases_lawyer_next_hearing", table_name="prosecution_cases")
    op.drop_index("ix_prosecution_cases_area_next_hearing", table_name="prosecution_cases")
    op.drop_table("prosecution_cases")
