"""people merge and timeline: merges of duplicate records, and the cross-agency timeline

Revision ID: 0012_people_merge_timeline
Revises: 0006_people_search
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012_people_merge_timeline"
down_revision = "0006_people_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_timeline",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("entry_type", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("source_event_id", sa.Uuid(), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_timeline_person_id_persons"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_timeline")),
        sa.UniqueConstraint("source_event_id", name=op.f("uq_person_timeline_source_event_id")),
    )
    op.create_index(
        "ix_person_timeline_person_occurred",
        "person_timeline",
        ["person_id", sa.text("occurred_at DESC"), sa.text("id DESC")],
    )
    op.create_table(
        "person_merges",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("survivor_id", sa.BigInteger(), nullable=False),
        sa.Column("merged_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("merged_by", sa.String(length=200), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("moved", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("changed", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(length=200), nullable=True),
        sa.Column("undo_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["survivor_id"], ["persons.id"], name=op.f("fk_person_merges_survivor_id_persons")),
        sa.ForeignKeyConstraint(["merged_id"], ["persons.id"], name=op.f("fk_person_merges_merged_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merges")),
    )
    op.create_index(op.f("ix_person_merges_survivor_id"), "person_merges", ["survivor_id"])
    op.create_index(op.f("ix_person_merges_merged_id"), "person_merges", ["merged_id"])
    op.create_index(
        "uq_person_merges_active_merged",
        "person_merges",
        ["merged_id"],
        unique=True,
        postgresql_where=sa.text("undone_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("person_merges")
    op.drop_table("person_timeline")
