"""Custody's reactions to other contexts' events, and the worker job that publishes movement
events once their hold-back has passed."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.custody import service
from caselink.platform.events.rules import Event
from caselink.platform.events.service import register_handler
from caselink.platform.worker import register_job

log = logging.getLogger("caselink.custody")

ARRIVALS_HANDLER = "custody.expected_arrivals"


@register_handler(ARRIVALS_HANDLER, ["court.defendant.remanded_in_custody", "court.sentence.imposed"])
async def expect_arrival(db: AsyncSession, event: Event) -> None:
    """Remand in custody or a custodial sentence: expect the person at the prison serving the court."""
    await service.arrival_from_court_event(db, event)


async def publish_movements(
    sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event, interval_seconds: float = 30.0
) -> None:
    while not stop.is_set():
        try:
            async with sessionmaker() as db:
                while await service.publish_due_movements(db) > 0 and not stop.is_set():
                    pass
        except Exception:
            log.exception("publishing custody movement events failed; will retry")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_seconds)


register_job("custody-movement-events", publish_movements)
