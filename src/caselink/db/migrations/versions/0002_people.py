"""people: the person index (persons, names, identifiers, addresses, contacts)

Revision ID: 0002_people
Revises: 0001_foundation
Create Date: 2026-11-22 06:08:40.676594
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_people"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # pg_trgm and fuzzystrmatch (dmetaphone, used by the generated phonetic columns) come from 0001.
    op.create_table(
        "persons",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("middle_names", sa.String(length=200), nullable=True),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=16), server_default="NOT_KNOWN", nullable=False),
        sa.Column("gender_identity", sa.String(length=32), nullable=True),
        sa.Column("nationality", sa.String(length=64), nullable=True),
        sa.Column("ethnicity", sa.String(length=8), nullable=True),
        sa.Column("language", sa.String(length=64), nullable=True),
        sa.Column("interpreter_needed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("merged_into_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["merged_into_id"], ["persons.id"], name=op.f("fk_persons_merged_into_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    op.create_index(op.f("ix_persons_date_of_birth"), "persons", ["date_of_birth"], unique=False)
    op.create_index("ix_persons_is_demo", "persons", ["is_demo"], unique=False, postgresql_where=sa.text("is_demo"))
    op.create_index(
        "ix_persons_merged_into_id",
        "persons",
        ["merged_into_id"],
        unique=False,
        postgresql_where=sa.text("merged_into_id IS NOT NULL"),
    )
    op.create_table(
        "person_addresses",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("line2", sa.String(length=200), nullable=True),
        sa.Column("line3", sa.String(length=200), nullable=True),
        sa.Column("town", sa.String(length=100), nullable=True),
        sa.Column("county", sa.String(length=100), nullable=True),
        sa.Column("postcode", sa.String(length=8), nullable=True),
        sa.Column("no_fixed_abode", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=True),
        sa.Column("to_date", sa.Date(), nullable=True),
        sa.Column("is_current", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_addresses_person_id_persons"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_addresses")),
    )
    op.create_index(op.f("ix_person_addresses_person_id"), "person_addresses", ["person_id"], unique=False)
    op.create_index(op.f("ix_person_addresses_postcode"), "person_addresses", ["postcode"], unique=False)
    op.create_table(
        "person_contacts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column("is_preferred", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_contacts_person_id_persons"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_contacts")),
    )
    op.create_index(op.f("ix_person_contacts_person_id"), "person_contacts", ["person_id"], unique=False)
    op.create_table(
        "person_identifiers",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("raw_value", sa.Text(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_identifiers_person_id_persons"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_identifiers")),
    )
    op.create_index(op.f("ix_person_identifiers_person_id"), "person_identifiers", ["person_id"], unique=False)
    op.create_index(
        "uq_person_identifiers_type_value",
        "person_identifiers",
        ["type", "value"],
        unique=True,
        postgresql_where=sa.text("valid"),
    )
    op.create_table(
        "person_names",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("name_type", sa.String(length=16), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("middle_names", sa.String(length=200), nullable=True),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_name_norm", sa.Text(), nullable=False),
        sa.Column("family_name_norm", sa.Text(), nullable=False),
        sa.Column(
            "given_name_phonetic", sa.Text(), sa.Computed("dmetaphone(given_name_norm)", persisted=True), nullable=True
        ),
        sa.Column(
            "family_name_phonetic",
            sa.Text(),
            sa.Computed("dmetaphone(family_name_norm)", persisted=True),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_names_person_id_persons"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_names")),
    )
    op.create_index(
        "ix_person_names_family_name_norm_trgm",
        "person_names",
        ["family_name_norm"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"family_name_norm": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_person_names_family_name_phonetic",
        "person_names",
        ["family_name_phonetic", "given_name_phonetic"],
        unique=False,
    )
    op.create_index(
        "ix_person_names_given_name_norm_trgm",
        "person_names",
        ["given_name_norm"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"given_name_norm": "gin_trgm_ops"},
    )
    op.create_index(op.f("ix_person_names_person_id"), "person_names", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_person_names_person_id"), table_name="person_names")
    op.drop_index(
        "ix_person_names_given_name_norm_trgm",
        table_name="person_names",
        postgresql_using="gin",
        postgresql_ops={"given_name_norm": "gin_trgm_ops"},
    )
    op.drop_index("ix_person_names_family_name_phonetic", table_name="person_names")
    op.drop_index(
        "ix_person_names_family_name_norm_trgm",
        table_name="person_names",
        postgresql_using="gin",
        postgresql_ops={"family_name_norm": "gin_trgm_ops"},
    )
    op.drop_table("person_names")
    op.drop_index(
        "uq_person_identifiers_type_value", table_name="person_identifiers", postgresql_where=sa.text("valid")
    )
    op.drop_index(op.f("ix_person_identifiers_person_id"), table_name="person_identifiers")
    op.drop_table("person_identifiers")
    op.drop_index(op.f("ix_person_contacts_person_id"), table_name="person_contacts")
    op.drop_table("person_contacts")
    op.drop_index(op.f("ix_person_addresses_postcode"), table_name="person_addresses")
    op.drop_index(op.f("ix_person_addresses_person_id"), table_name="person_addresses")
    op.drop_table("person_addresses")
    op.drop_index(
        "ix_persons_merged_into_id", table_name="persons", postgresql_where=sa.text("merged_into_id IS NOT NULL")
    )
    op.drop_index("ix_persons_is_demo", table_name="persons", postgresql_where=sa.text("is_demo"))
    op.drop_index(op.f("ix_persons_date_of_birth"), table_name="persons")
    op.drop_table("persons")
