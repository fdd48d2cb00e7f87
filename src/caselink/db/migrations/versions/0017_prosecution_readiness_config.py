"""prosecution: readiness checklists configured per CPS area (overrides of the national default)

Revision ID: 0017_prosecution_readiness
Revises: 0008_prosecution

(The id is shorter than the file name: alembic_version holds at most 32 characters.)
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017_prosecution_readiness"
down_revision = "0008_prosecution"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prosecution_readiness_overrides",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("cps_area_unit_id", sa.Integer(), nullable=False),
        sa.Column("hearing_type", sa.String(length=32), nullable=False),
        sa.Column("remove_item_ids", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("add_items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("not_ready_within_days", sa.SmallInteger(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["cps_area_unit_id"], ["organisation_units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cps_area_unit_id", "hearing_type", name="uq_prosecution_readiness_overrides_area_type"),
    )


def downgrade() -> None:
    op.drop_table("prosecution_readiness_overrides")
