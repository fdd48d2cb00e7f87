"""courts: hearings, pleas, outcomes per charge, remands, sentences, finalisations

Revision ID: 0009_courts
Revises: 0008_prosecution
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009_courts"
down_revision = "0008_prosecution"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False)


def _created() -> list[sa.Column]:
    return [
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _fk(column: str, target: str, table: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"))


def upgrade() -> None:
    op.create_table(
        "court_hearings",
        _id(),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("court_unit_id", sa.Integer(), nullable=False),
        sa.Column("cps_area_unit_id", sa.Integer(), nullable=True),
        sa.Column("court_type", sa.String(length=16), nullable=False),
        sa.Column("hearing_type_code", sa.String(length=16), nullable=False),
        sa.Column("hearing_type", sa.String(length=16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sitting_date", sa.Date(), nullable=False),
        sa.Column("courtroom", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("relisted_from_id", sa.BigInteger(), nullable=True),
        sa.Column("adjournment_reason", sa.String(length=32), nullable=True),
        sa.Column("trial_effectiveness", sa.String(length=16), nullable=True),
        sa.Column("trial_reason", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_created(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('listed', 'heard', 'adjourned', 'vacated')", name=op.f("ck_court_hearings_status")
        ),
        _fk("case_id", "prosecution_cases.id", "court_hearings"),
        _fk("court_unit_id", "organisation_units.id", "court_hearings"),
        _fk("cps_area_unit_id", "organisation_units.id", "court_hearings"),
        _fk("relisted_from_id", "court_hearings.id", "court_hearings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_hearings")),
    )
    op.create_index(op.f("ix_court_hearings_case_id"), "court_hearings", ["case_id"])
    op.create_index(
        "ix_court_hearings_daily_list", "court_hearings", ["court_unit_id", "sitting_date", "courtroom", "starts_at"]
    )
    op.create_index(
        "ix_court_hearings_trials_by_area",
        "court_hearings",
        ["cps_area_unit_id", "sitting_date"],
        postgresql_where=sa.text("trial_effectiveness IS NOT NULL"),
    )

    op.create_table(
        "court_pleas",
        _id(),
        sa.Column("hearing_id", sa.BigInteger(), nullable=False),
        sa.Column("charge_id", sa.BigInteger(), nullable=False),
        sa.Column("plea_code", sa.String(length=8), nullable=False),
        sa.Column("plea", sa.String(length=16), nullable=False),
        *_created(),
        _fk("hearing_id", "court_hearings.id", "court_pleas"),
        _fk("charge_id", "charges.id", "court_pleas"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_pleas")),
        sa.UniqueConstraint("hearing_id", "charge_id", name="uq_court_pleas_hearing_charge"),
    )
    op.create_index(op.f("ix_court_pleas_charge_id"), "court_pleas", ["charge_id"])

    op.create_table(
        "court_charge_outcomes",
        _id(),
        sa.Column("charge_id", sa.BigInteger(), nullable=False),
        sa.Column("defendant_id", sa.BigInteger(), nullable=False),
        sa.Column("hearing_id", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("verdict_code", sa.String(length=4), nullable=False),
        sa.Column("result_code", sa.String(length=8), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        *_created(),
        _fk("charge_id", "charges.id", "court_charge_outcomes"),
        _fk("defendant_id", "defendants.id", "court_charge_outcomes"),
        _fk("hearing_id", "court_hearings.id", "court_charge_outcomes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_charge_outcomes")),
        sa.UniqueConstraint("charge_id", name=op.f("uq_court_charge_outcomes_charge_id")),
    )
    op.create_index(op.f("ix_court_charge_outcomes_defendant_id"), "court_charge_outcomes", ["defendant_id"])
    op.create_index(op.f("ix_court_charge_outcomes_hearing_id"), "court_charge_outcomes", ["hearing_id"])

    op.create_table(
        "court_remands",
        _id(),
        sa.Column("hearing_id", sa.BigInteger(), nullable=False),
        sa.Column("defendant_id", sa.BigInteger(), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.Column("status_code", sa.String(length=4), nullable=False),
        sa.Column("result_code", sa.String(length=8), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=True),
        *_created(),
        _fk("hearing_id", "court_hearings.id", "court_remands"),
        _fk("defendant_id", "defendants.id", "court_remands"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_remands")),
        sa.UniqueConstraint("hearing_id", "defendant_id", name="uq_court_remands_hearing_defendant"),
    )
    op.create_index(op.f("ix_court_remands_defendant_id"), "court_remands", ["defendant_id"])

    op.create_table(
        "court_sentences",
        _id(),
        sa.Column("hearing_id", sa.BigInteger(), nullable=False),
        sa.Column("defendant_id", sa.BigInteger(), nullable=False),
        sa.Column("sentenced_on", sa.Date(), nullable=False),
        sa.Column("disposals", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("result_codes", postgresql.ARRAY(sa.String(length=8)), nullable=False),
        sa.Column("rule_pack", sa.String(length=64), nullable=False),
        *_created(),
        _fk("hearing_id", "court_hearings.id", "court_sentences"),
        _fk("defendant_id", "defendants.id", "court_sentences"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_sentences")),
        sa.UniqueConstraint("hearing_id", "defendant_id", name="uq_court_sentences_hearing_defendant"),
    )
    op.create_index(op.f("ix_court_sentences_defendant_id"), "court_sentences", ["defendant_id"])

    op.create_table(
        "court_finalisations",
        sa.Column("defendant_id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("cps_area_unit_id", sa.Integer(), nullable=True),
        sa.Column("court_type", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("charged_on", sa.Date(), nullable=False),
        sa.Column("finalised_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _fk("defendant_id", "defendants.id", "court_finalisations"),
        _fk("case_id", "prosecution_cases.id", "court_finalisations"),
        _fk("cps_area_unit_id", "organisation_units.id", "court_finalisations"),
        sa.PrimaryKeyConstraint("defendant_id", name=op.f("pk_court_finalisations")),
    )
    op.create_index(op.f("ix_court_finalisations_case_id"), "court_finalisations", ["case_id"])
    op.create_index("ix_court_finalisations_area_day", "court_finalisations", ["cps_area_unit_id", "finalised_on"])


def downgrade() -> None:
    for table in (
        "court_finalisations",
        "court_sentences",
        "court_remands",
        "court_charge_outcomes",
        "court_pleas",
        "court_hearings",
    ):
        op.drop_table(table)
