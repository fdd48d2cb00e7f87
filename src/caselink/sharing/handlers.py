"""Outbox handler: every shareable event goes into the feed and is queued for each webhook
subscription that wants it, in the relay's transaction (so exactly once, after the writer commits)."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.platform.events.rules import Event
from caselink.platform.events.service import register_handler
from caselink.platform.worker import register_job
from caselink.sharing import retention, rules, service  # noqa: F401 - retention registers its purge steps

HANDLER_NAME = "sharing.outbound"


@register_handler(HANDLER_NAME, rules.SHAREABLE_PATTERNS)
async def share_event(db: AsyncSession, event: Event) -> None:
    await service.enqueue_event(db, event)


async def deliver_webhooks(sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event) -> None:
    """The webhook delivery worker, run by `caselink worker` beside the relay."""
    from caselink.sharing.delivery import run_worker

    await run_worker(sessionmaker, stop=stop)


register_job("webhook-delivery", deliver_webhooks)
