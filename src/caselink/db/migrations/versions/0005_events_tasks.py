"""events and tasks: the transactional outbox (events, subscriptions, deliveries) and work queues

Revision ID: 0005_events_tasks
Revises: 0001_foundation
Create Date: 2026-11-22 06:10:44.383389
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_events_tasks"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_subscriptions",
        sa.Column("handler", sa.String(length=120), nullable=False),
        sa.Column("event_types", sa.ARRAY(sa.String(length=120)), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("handler", name=op.f("pk_event_subscriptions")),
    )
    op.create_table(
        "events",
        sa.Column("position", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("specversion", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("datacontenttype", sa.String(length=64), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("person_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("detail_url", sa.String(length=500), nullable=True),
        sa.Column("dataversion", sa.Integer(), nullable=False),
        sa.Column("ordering_key", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_events")),
        sa.UniqueConstraint("id", name=op.f("uq_events_id")),
    )
    op.create_index("ix_events_ordering_key_position", "events", ["ordering_key", "position"], unique=False)
    op.create_index("ix_events_time", "events", ["time"], unique=False)
    op.create_index(op.f("ix_events_type"), "events", ["type"], unique=False)
    op.create_table(
        "event_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_position", sa.BigInteger(), nullable=False),
        sa.Column("handler", sa.String(length=120), nullable=False),
        sa.Column("ordering_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replay_count", sa.Integer(), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replayed_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_position"],
            ["events.position"],
            name=op.f("fk_event_deliveries_event_position_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_deliveries")),
        sa.UniqueConstraint("event_position", "handler", name="uq_event_deliveries_event_handler"),
    )
    op.create_index(
        "ix_event_deliveries_dead",
        "event_deliveries",
        ["dead_at"],
        unique=False,
        postgresql_where=sa.text("status = 'dead'"),
    )
    op.create_index(
        "ix_event_deliveries_pending",
        "event_deliveries",
        ["event_position"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_event_deliveries_pending_key",
        "event_deliveries",
        ["handler", "ordering_key", "event_position"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_event_deliveries_status_handler", "event_deliveries", ["status", "handler"], unique=False)
    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("owner_type", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_basis", sa.String(length=200), nullable=True),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("source_event_id", sa.Uuid(), nullable=True),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.CheckConstraint("owner_type IN ('staff', 'team', 'unit')", name=op.f("ck_tasks_owner_type")),
        sa.CheckConstraint("status <> 'completed' OR outcome IS NOT NULL", name=op.f("ck_tasks_completed_has_outcome")),
        sa.CheckConstraint("status IN ('open', 'in_progress', 'completed', 'cancelled')", name=op.f("ck_tasks_status")),
        sa.CheckConstraint("subject_type IN ('person', 'case')", name=op.f("ck_tasks_subject_type")),
        sa.CheckConstraint("priority BETWEEN 1 AND 4", name=op.f("ck_tasks_priority")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_tasks_team_id_teams")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["organisation_units.id"], name=op.f("fk_tasks_unit_id_organisation_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_tasks_dedupe_key")),
    )
    op.create_index(
        "ix_tasks_active_owner",
        "tasks",
        ["owner_type", "owner_id", "due_date"],
        unique=False,
        postgresql_where=sa.text("status IN ('open', 'in_progress')"),
    )
    op.create_index(
        "ix_tasks_active_team",
        "tasks",
        ["team_id", "due_date"],
        unique=False,
        postgresql_where=sa.text("status IN ('open', 'in_progress')"),
    )
    op.create_index(
        "ix_tasks_active_unit",
        "tasks",
        ["unit_id", "due_date"],
        unique=False,
        postgresql_where=sa.text("status IN ('open', 'in_progress')"),
    )
    op.create_index("ix_tasks_subject", "tasks", ["subject_type", "subject_id"], unique=False)
    op.create_table(
        "task_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("task_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("from_owner_type", sa.String(length=16), nullable=True),
        sa.Column("from_owner_id", sa.Integer(), nullable=True),
        sa.Column("to_owner_type", sa.String(length=16), nullable=True),
        sa.Column("to_owner_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_history_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_history")),
    )
    op.create_index(op.f("ix_task_history_task_id"), "task_history", ["task_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_task_history_task_id"), table_name="task_history")
    op.drop_table("task_history")
    op.drop_index("ix_tasks_subject", table_name="tasks")
    op.drop_index(
        "ix_tasks_active_unit", table_name="tasks", postgresql_where=sa.text("status IN ('open', 'in_progress')")
    )
    op.drop_index(
        "ix_tasks_active_team", table_name="tasks", postgresql_where=sa.text("status IN ('open', 'in_progress')")
    )
    op.drop_index(
        "ix_tasks_active_owner", table_name="tasks", postgresql_where=sa.text("status IN ('open', 'in_progress')")
    )
    op.drop_table("tasks")
    op.drop_index("ix_event_deliveries_status_handler", table_name="event_deliveries")
    op.drop_index(
        "ix_event_deliveries_pending_key", table_name="event_deliveries", postgresql_where=sa.text("status = 'pending'")
    )
    op.drop_index(
        "ix_event_deliveries_pending", table_name="event_deliveries", postgresql_where=sa.text("status = 'pending'")
    )
    op.drop_index(
        "ix_event_deliveries_dead", table_name="event_deliveries", postgresql_where=sa.text("status = 'dead'")
    )
    op.drop_table("event_deliveries")
    op.drop_index(op.f("ix_events_type"), table_name="events")
    op.drop_index("ix_events_time", table_name="events")
    op.drop_index("ix_events_ordering_key_position", table_name="events")
    op.drop_table("events")
    op.drop_table("event_subscriptions")
