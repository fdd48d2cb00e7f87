"""people linkage: batch de-duplication runs and candidate pairs (auto-linked or for review)

Revision ID: 0010_people_linkage
Revises: 0006_people_search
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_people_linkage"
down_revision = "0006_people_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_linkage_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("pairs_scored", sa.BigInteger(), nullable=False),
        sa.Column("auto_links", sa.Integer(), nullable=False),
        sa.Column("review_pairs", sa.Integer(), nullable=False),
        sa.Column("clusters", sa.Integer(), nullable=False),
        sa.Column(
            "model", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_linkage_runs")),
    )
    op.create_table(
        "person_link_pairs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_a_id", sa.BigInteger(), nullable=False),
        sa.Column("person_b_id", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("cluster_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "reasons", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("task_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("person_a_id < person_b_id", name=op.f("ck_person_link_pairs_ordered")),
        sa.CheckConstraint("band IN ('auto_link', 'review')", name=op.f("ck_person_link_pairs_band")),
        sa.ForeignKeyConstraint(
            ["person_a_id"], ["persons.id"], name=op.f("fk_person_link_pairs_person_a_id_persons"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_b_id"], ["persons.id"], name=op.f("fk_person_link_pairs_person_b_id_persons"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["person_linkage_runs.id"], name=op.f("fk_person_link_pairs_run_id_person_linkage_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_link_pairs")),
    )
    op.create_index("uq_person_link_pairs_pair", "person_link_pairs", ["person_a_id", "person_b_id"], unique=True)
    op.create_index(op.f("ix_person_link_pairs_person_b_id"), "person_link_pairs", ["person_b_id"], unique=False)
    op.create_index("ix_person_link_pairs_open", "person_link_pairs", ["band", "decision", "id"], unique=False)


def downgrade() -> None:
    op.drop_table("person_link_pairs")
    op.drop_table("person_linkage_runs")
