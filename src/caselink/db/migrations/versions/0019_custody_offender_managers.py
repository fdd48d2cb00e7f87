"""custody: prison offender manager allocations of bookings

Revision ID: 0019_custody_offender_managers
Revises: 0014_custody
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_custody_offender_managers"
down_revision = "0014_custody"
branch_labels = None
depends_on = ("0004_accounts",)

TABLE = "custody_offender_manager_allocations"


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{TABLE}_{column}_{referred}"))


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("booking_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("prison_unit_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("allocated_by", sa.String(length=200), nullable=False),
        sa.Column("allocated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=200), nullable=True),
        _fk("booking_id", "custody_bookings.id"),
        _fk("person_id", "persons.id"),
        _fk("prison_unit_id", "organisation_units.id"),
        _fk("staff_id", "staff.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(op.f(f"ix_{TABLE}_booking_id"), TABLE, ["booking_id"])
    op.create_index(
        "uq_custody_om_allocations_current",
        TABLE,
        ["booking_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index(
        "ix_custody_om_allocations_staff", TABLE, ["staff_id"], postgresql_where=sa.text("ended_at IS NULL")
    )


def downgrade() -> None:
    op.drop_table(TABLE)
