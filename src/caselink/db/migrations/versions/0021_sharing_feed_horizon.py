"""sharing: the feed's retention horizon (how far old entries have been purged)

Revision ID: 0021_sharing_feed_horizon
Revises: 0020_idempotency_headers
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_sharing_feed_horizon"
down_revision = "0020_idempotency_headers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sharing_feed_horizon",
        sa.Column("id", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("purged_through", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_sharing_feed_horizon_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_feed_horizon")),
    )


def downgrade() -> None:
    op.drop_table("sharing_feed_horizon")
