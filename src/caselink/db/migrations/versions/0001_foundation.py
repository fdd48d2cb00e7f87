"""foundation: organisations and standing data

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-22 05:59:24.857934
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Extensions for fuzzy search: trigram similarity, accent folding, phonetic codes.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    op.create_table(
        "organisation_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organisation_units.id"],
            name=op.f("fk_organisation_units_parent_id_organisation_units"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_units")),
        sa.UniqueConstraint("code", name=op.f("uq_organisation_units_code")),
    )
    op.create_index(op.f("ix_organisation_units_agency"), "organisation_units", ["agency"], unique=False)
    op.create_index(op.f("ix_organisation_units_kind"), "organisation_units", ["kind"], unique=False)
    op.create_index(
        "ix_organisation_units_name_trgm",
        "organisation_units",
        ["name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_index(op.f("ix_organisation_units_parent_id"), "organisation_units", ["parent_id"], unique=False)
    op.create_index("ix_organisation_units_listing", "organisation_units", ["agency", "kind", "name"], unique=False)
    op.create_table(
        "reference_codes",
        sa.Column("list_name", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("attributes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("list_name", "code", name=op.f("pk_reference_codes")),
    )
    op.create_table(
        "reference_data_loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_data_loads")),
    )
    op.create_table(
        "reference_offences",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=4), nullable=True),
        sa.Column("home_office_class", sa.String(length=16), nullable=True),
        sa.Column("recordable_on_pnc", sa.Boolean(), nullable=False),
        sa.Column("notifiable_to_home_office", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_reference_offences")),
    )
    op.create_index(op.f("ix_reference_offences_category"), "reference_offences", ["category"], unique=False)
    op.create_index(
        "ix_reference_offences_code_prefix",
        "reference_offences",
        ["code"],
        unique=False,
        postgresql_ops={"code": "text_pattern_ops"},
    )
    op.create_index(
        "ix_reference_offences_title_trgm",
        "reference_offences",
        ["title"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )
    op.create_table(
        "reference_offence_words",
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.Column("offences", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_reference_offence_words")),
    )
    op.create_index(
        "ix_reference_offence_words_word_trgm",
        "reference_offence_words",
        ["word"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["organisation_units.id"], name=op.f("fk_teams_unit_id_organisation_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("unit_id", "code", name="uq_teams_unit_code"),
    )
    op.create_index(op.f("ix_teams_unit_id"), "teams", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_teams_unit_id"), table_name="teams")
    op.drop_table("teams")
    op.drop_index("ix_reference_offence_words_word_trgm", table_name="reference_offence_words")
    op.drop_table("reference_offence_words")
    op.drop_index(
        "ix_reference_offences_title_trgm",
        table_name="reference_offences",
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )
    op.drop_index(
        "ix_reference_offences_code_prefix",
        table_name="reference_offences",
        postgresql_ops={"code": "text_pattern_ops"},
    )
    op.drop_index(op.f("ix_reference_offences_category"), table_name="reference_offences")
    op.drop_table("reference_offences")
    op.drop_table("reference_data_loads")
    op.drop_table("reference_codes")
    op.drop_index("ix_organisation_units_listing", table_name="organisation_units")
    op.drop_index(op.f("ix_organisation_units_parent_id"), table_name="organisation_units")
    op.drop_index(
        "ix_organisation_units_name_trgm",
        table_name="organisation_units",
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.drop_index(op.f("ix_organisation_units_kind"), table_name="organisation_units")
    op.drop_index(op.f("ix_organisation_units_agency"), table_name="organisation_units")
    op.drop_table("organisation_units")
