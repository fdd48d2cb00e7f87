"""people details: the history of changes to a person's details (person_changes)

Revision ID: 0018_people_details_history
Revises: 0006_people_search
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_people_details_history"
down_revision = "0006_people_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("person_id", sa.BigInteger(), sa.ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_by_id", sa.BigInteger(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index(
        "ix_person_changes_person_id_changed_at", "person_changes", ["person_id", "changed_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_person_changes_person_id_changed_at", table_name="person_changes")
    op.drop_table("person_changes")
