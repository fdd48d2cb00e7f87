"""idempotency keys: keep the response's Location header, replayed with the body

Revision ID: 0020_idempotency_headers
Revises: 0007_sharing
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020_idempotency_headers"
down_revision = "0007_sharing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "idempotency_keys",
        sa.Column("response_headers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("idempotency_keys", "response_headers")
