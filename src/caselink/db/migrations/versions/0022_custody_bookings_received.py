"""custody: index the prison's active bookings by reception, for the unallocated prisoners list

Revision ID: 0022_custody_bookings_received
Revises: 0019_custody_offender_managers
"""

from alembic import op

revision = "0022_custody_bookings_received"
down_revision = "0019_custody_offender_managers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The prison offender managers' "unallocated" list counts and pages a prison's active bookings
    # in reception order: an index-only scan instead of fetching every booking of the prison.
    op.create_index(
        "ix_custody_bookings_active_received",
        "custody_bookings",
        ["prison_unit_id", "received_at", "id"],
        postgresql_where="status = 'active'",
    )


def downgrade() -> None:
    op.drop_index("ix_custody_bookings_active_received", table_name="custody_bookings")
