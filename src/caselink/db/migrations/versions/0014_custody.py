"""custody: expected arrivals, bookings, movements, sentence terms and credit, release calculations

Revision ID: 0014_custody
Revises: 0002_people
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014_custody"
down_revision = "0002_people"
branch_labels = None
depends_on = None

PERSONS = "persons.id"
UNITS = "organisation_units.id"


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False)


def _created() -> list[sa.Column]:
    return [
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"))


def upgrade() -> None:
    # Prison numbers Caselink allocates on reception (custody.rules.prison_number_for).
    op.execute("CREATE SEQUENCE custody_prison_number_seq START 1")

    op.create_table(
        "custody_bookings",
        _id(),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("prison_unit_id", sa.Integer(), nullable=False),
        sa.Column("prison_number", sa.String(length=7), nullable=False),
        sa.Column("legal_status", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=60), nullable=True),
        sa.Column("out_reason", sa.String(length=32), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        *_created(),
        sa.CheckConstraint("status IN ('active', 'released')", name=op.f("ck_custody_bookings_status")),
        _fk("custody_bookings", "person_id", PERSONS),
        _fk("custody_bookings", "prison_unit_id", UNITS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_bookings")),
    )
    op.create_index(op.f("ix_custody_bookings_person_id"), "custody_bookings", ["person_id"])
    op.create_index(
        "ix_custody_bookings_roll",
        "custody_bookings",
        ["prison_unit_id", "location"],
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index(
        "uq_custody_bookings_one_active",
        "custody_bookings",
        ["person_id"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
    )

    op.create_table(
        "custody_expected_arrivals",
        _id(),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("prison_unit_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=False),
        sa.Column("from_court", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source_event_id", sa.Uuid(), nullable=True),
        sa.Column("booking_id", sa.BigInteger(), nullable=True),
        *_created(),
        sa.CheckConstraint(
            "status IN ('expected', 'received', 'cancelled')", name=op.f("ck_custody_expected_arrivals_status")
        ),
        _fk("custody_expected_arrivals", "person_id", PERSONS),
        _fk("custody_expected_arrivals", "prison_unit_id", UNITS),
        _fk("custody_expected_arrivals", "booking_id", "custody_bookings.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_expected_arrivals")),
        sa.UniqueConstraint("source_event_id", name=op.f("uq_custody_expected_arrivals_source_event_id")),
    )
    op.create_index(op.f("ix_custody_expected_arrivals_person_id"), "custody_expected_arrivals", ["person_id"])
    op.create_index(
        "ix_custody_expected_arrivals_prison", "custody_expected_arrivals", ["prison_unit_id", "status", "expected_on"]
    )

    op.create_table(
        "custody_movements",
        _id(),
        sa.Column("booking_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_unit_id", sa.Integer(), nullable=True),
        sa.Column("to_unit_id", sa.Integer(), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("publish_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversed_by", sa.String(length=200), nullable=True),
        sa.Column("reversal_reason", sa.Text(), nullable=True),
        *_created(),
        _fk("custody_movements", "booking_id", "custody_bookings.id"),
        _fk("custody_movements", "person_id", PERSONS),
        _fk("custody_movements", "from_unit_id", UNITS),
        _fk("custody_movements", "to_unit_id", UNITS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_movements")),
    )
    op.create_index(op.f("ix_custody_movements_booking_id"), "custody_movements", ["booking_id"])
    op.create_index(
        "ix_custody_movements_to_publish",
        "custody_movements",
        ["publish_after"],
        postgresql_where=sa.text("published_at IS NULL AND reversed_at IS NULL AND publish_after IS NOT NULL"),
    )

    op.create_table(
        "custody_sentence_terms",
        _id(),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("term_ref", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_event_id", sa.Uuid(), nullable=True),
        sa.Column("sentence_date", sa.Date(), nullable=False),
        sa.Column("offence_date", sa.Date(), nullable=False),
        sa.Column("offence_date_assumed", sa.Boolean(), nullable=False),
        sa.Column("length", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("extension", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("consecutive_to", sa.String(length=32), nullable=True),
        sa.Column("flags", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        *_created(),
        _fk("custody_sentence_terms", "person_id", PERSONS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_sentence_terms")),
        sa.UniqueConstraint("person_id", "term_ref", name="uq_custody_sentence_terms_person_ref"),
    )

    op.create_table(
        "custody_sentence_credits",
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("remand_days", sa.Integer(), nullable=False),
        sa.Column("tagged_bail_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _fk("custody_sentence_credits", "person_id", PERSONS),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_custody_sentence_credits")),
    )

    op.create_table(
        "custody_release_calculations",
        _id(),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("input", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("dates", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rule_packs", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("release_date", sa.Date(), nullable=False),
        sa.Column("hdced", sa.Date(), nullable=True),
        sa.Column("licence_expiry", sa.Date(), nullable=True),
        sa.Column("sentence_expiry", sa.Date(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("based_on_id", sa.BigInteger(), nullable=True),
        *_created(),
        sa.CheckConstraint("kind IN ('calculated', 'override')", name=op.f("ck_custody_release_calculations_kind")),
        sa.CheckConstraint(
            "kind <> 'override' OR override_reason IS NOT NULL",
            name=op.f("ck_custody_release_calculations_override_has_reason"),
        ),
        _fk("custody_release_calculations", "person_id", PERSONS),
        _fk("custody_release_calculations", "based_on_id", "custody_release_calculations.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_release_calculations")),
    )
    op.create_index(
        "uq_custody_release_calculations_current",
        "custody_release_calculations",
        ["person_id"],
        unique=True,
        postgresql_where=sa.text("current"),
    )
    op.create_index("ix_custody_release_calculations_history", "custody_release_calculations", ["person_id", "id"])
    op.create_index(
        "ix_custody_release_calculations_release",
        "custody_release_calculations",
        ["release_date"],
        postgresql_where=sa.text("current"),
    )


def downgrade() -> None:
    for table in (
        "custody_release_calculations",
        "custody_sentence_credits",
        "custody_sentence_terms",
        "custody_movements",
        "custody_expected_arrivals",
        "custody_bookings",
    ):
        op.drop_table(table)
    op.execute("DROP SEQUENCE custody_prison_number_seq")
