"""sharing: subscriptions, webhook deliveries, the feed, the sharing log; idempotency keys

Revision ID: 0007_sharing
Revises: 0005_events_tasks
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007_sharing"
down_revision = "0005_events_tasks"
branch_labels = None
depends_on = ("0004_accounts",)


def upgrade() -> None:
    op.create_table(
        "sharing_subscriptions",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("event_types", sa.ARRAY(sa.String(length=120)), nullable=False),
        sa.Column("unit_codes", sa.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("region_codes", sa.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("webhook_url", sa.String(length=2000), nullable=True),
        sa.Column("secret", sa.String(length=100), nullable=True),
        sa.Column("previous_secret", sa.String(length=100), nullable=True),
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["api_clients.id"],
            name=op.f("fk_sharing_subscriptions_client_pk_api_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_subscriptions")),
        sa.UniqueConstraint("public_id", name=op.f("uq_sharing_subscriptions_public_id")),
    )
    op.create_index(op.f("ix_sharing_subscriptions_client_pk"), "sharing_subscriptions", ["client_pk"], unique=False)
    op.create_table(
        "sharing_webhook_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_position", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status", sa.SmallInteger(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replay_count", sa.Integer(), nullable=False),
        sa.Column("replayed_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_position"],
            ["events.position"],
            name=op.f("fk_sharing_webhook_deliveries_event_position_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["sharing_subscriptions.id"],
            name=op.f("fk_sharing_webhook_deliveries_subscription_id_sharing_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_webhook_deliveries")),
        sa.UniqueConstraint("message_id", name=op.f("uq_sharing_webhook_deliveries_message_id")),
        sa.UniqueConstraint("subscription_id", "event_position", name="uq_sharing_webhook_deliveries_sub_event"),
    )
    op.create_index(
        "ix_sharing_webhook_deliveries_due",
        "sharing_webhook_deliveries",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_sharing_webhook_deliveries_status", "sharing_webhook_deliveries", ["status", "id"], unique=False
    )
    op.create_index(
        "ix_sharing_webhook_deliveries_subscription",
        "sharing_webhook_deliveries",
        ["subscription_id", "id"],
        unique=False,
    )
    op.create_index(
        "ix_sharing_webhook_deliveries_event_position",
        "sharing_webhook_deliveries",
        ["event_position"],
        unique=False,
    )
    op.create_table(
        "sharing_feed",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_position", sa.BigInteger(), nullable=False),
        sa.Column("event_type", sa.String(length=120), nullable=False),
        sa.Column("unit_code", sa.String(length=40), nullable=True),
        sa.Column("region_code", sa.String(length=40), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_position"],
            ["events.position"],
            name=op.f("fk_sharing_feed_event_position_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sharing_feed")),
        sa.UniqueConstraint("event_position", name=op.f("uq_sharing_feed_event_position")),
    )
    op.create_table(
        "sharing_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("client_name", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"], ["api_clients.id"], name=op.f("fk_sharing_log_client_pk_api_clients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_log")),
    )
    op.create_index("ix_sharing_log_person", "sharing_log", ["person_id", "shared_at"], unique=False)
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("actor", "method", "path", "key", name="uq_idempotency_keys_actor_route_key"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_sharing_log_person", table_name="sharing_log")
    op.drop_table("sharing_log")
    op.drop_table("sharing_feed")
    op.drop_table("sharing_webhook_deliveries")
    op.drop_table("sharing_subscriptions")
