"""people flags and limited access: registration types (seeded), registrations with their history,
exclusions and restrictions

Revision ID: 0011_people_flags_access
Revises: 0006_people_search

Chains on 0006 rather than 0010 (people linkage) so the two people changes made side by side do
not depend on each other; ``caselink db upgrade`` goes to ``heads`` (decision 0002).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011_people_flags_access"
down_revision = "0006_people_search"
branch_labels = None
depends_on = ("0004_accounts",)  # staff

# (code, name, warns, review months, agency, levels, categories, sort order)
REGISTRATION_TYPES = [
    ("ROSH", "Risk of serious harm", True, 6, "probation", ["LOW", "MEDIUM", "HIGH", "VERY_HIGH"], [], 10),
    ("MAPPA", "MAPPA", True, 12, "probation", ["1", "2", "3"], ["1", "2", "3", "4"], 20),
    ("DOMESTIC_ABUSE", "Domestic abuse perpetrator", True, 6, None, [], [], 30),
    ("CHILD_CONCERNS", "Child concerns", True, 6, None, [], [], 40),
    ("RISK_TO_STAFF", "Risk to staff", True, 6, None, [], [], 50),
    ("SELF_HARM", "Risk of self-harm", True, 3, None, [], [], 60),
    ("SERIOUS_ORGANISED_CRIME", "Serious organised crime", True, 12, "police", [], [], 70),
    ("TERRORISM", "Terrorism", True, 12, None, [], [], 80),
]


def upgrade() -> None:
    types = op.create_table(
        "registration_types",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("warns", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("review_months", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=True),
        sa.Column("levels", postgresql.ARRAY(sa.String(length=16)), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=16)), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default=sa.text("100"), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_registration_types")),
    )
    op.bulk_insert(
        types,
        [
            {
                "code": code,
                "name": name,
                "warns": warns,
                "review_months": months,
                "agency": agency,
                "levels": levels,
                "categories": categories,
                "active": True,
                "sort_order": order,
            }
            for code, name, warns, months, agency, levels, categories, order in REGISTRATION_TYPES
        ],
    )
    op.create_table(
        "person_registrations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("type_code", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("category", sa.String(length=16), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("owner_staff_id", sa.Integer(), nullable=False),
        sa.Column("owner_unit_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("review_task_id", sa.BigInteger(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_person_registrations_person_id_persons")),
        sa.ForeignKeyConstraint(
            ["type_code"],
            ["registration_types.code"],
            name=op.f("fk_person_registrations_type_code_registration_types"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_staff_id"], ["staff.id"], name=op.f("fk_person_registrations_owner_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["owner_unit_id"],
            ["organisation_units.id"],
            name=op.f("fk_person_registrations_owner_unit_id_organisation_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_registrations")),
    )
    op.create_index(op.f("ix_person_registrations_person_id"), "person_registrations", ["person_id"])
    op.create_index(
        "uq_person_registrations_live_type",
        "person_registrations",
        ["person_id", "type_code"],
        unique=True,
        postgresql_where=sa.text("ended_on IS NULL"),
    )
    op.create_table(
        "person_registration_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("registration_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "detail", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["person_registrations.id"],
            name=op.f("fk_person_registration_history_registration_id_person_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_registration_history")),
    )
    op.create_index(
        op.f("ix_person_registration_history_registration_id"), "person_registration_history", ["registration_id"]
    )
    op.create_table(
        "person_access_limits",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("staff_ids", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("responsible_staff_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=200), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_person_access_limits_person_id_persons")),
        sa.ForeignKeyConstraint(
            ["responsible_staff_id"], ["staff.id"], name=op.f("fk_person_access_limits_responsible_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_access_limits")),
    )
    op.create_index(op.f("ix_person_access_limits_person_id"), "person_access_limits", ["person_id"])


def downgrade() -> None:
    op.drop_table("person_access_limits")
    op.drop_table("person_registration_history")
    op.drop_table("person_registrations")
    op.drop_table("registration_types")
