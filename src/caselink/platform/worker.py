"""The background worker: everything that runs after commit rather than inside a request.

One process (`caselink worker`, started by `caselink run` beside the web workers) runs each job as
an asyncio task: the outbox relay (events to in-process handlers), the audit sealer (hash-chains
new audit entries), retention (platform/retention.py: purges delivered rows), and any job a
context registers (e.g. webhook delivery). Every job is safe to run in several worker processes at
once (SKIP LOCKED claims, advisory locks), so a deployment may run as many as it likes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.config import Settings
from caselink.db.engine import create_engine

log = logging.getLogger("caselink.worker")

Job = Callable[[async_sessionmaker[AsyncSession], asyncio.Event], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class WorkerJob:
    name: str
    run: Job


_jobs: list[WorkerJob] = []


def register_job(name: str, run: Job) -> None:
    """Contexts add long-running jobs here; each gets the sessionmaker and a stop event."""
    if all(job.name != name for job in _jobs):
        _jobs.append(WorkerJob(name, run))


async def _relay(sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event) -> None:
    from caselink.platform.events.relay import run_relay

    await run_relay(sessionmaker, stop=stop)


async def _seal_audit(
    sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event, interval_seconds: float = 2.0
) -> None:
    """Chain new audit entries every couple of seconds, so `caselink audit verify` covers them."""
    from caselink.platform.audit.service import seal_all

    while not stop.is_set():
        try:
            async with sessionmaker() as db:
                await seal_all(db)
        except Exception:
            log.exception("audit sealing failed; will retry")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_seconds)


async def _retention(sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event) -> None:
    from caselink.platform.retention import run_retention_job

    await run_retention_job(sessionmaker, stop)


register_job("events-relay", _relay)
register_job("audit-sealer", _seal_audit)
register_job("retention", _retention)


def registered_jobs() -> list[WorkerJob]:
    return list(_jobs)


async def run_worker(settings: Settings, database_url: str, stop: asyncio.Event | None = None) -> None:
    from caselink.platform.events.service import load_handler_modules, sync_subscriptions

    # Contexts register their handlers and jobs when their handlers module is imported.
    load_handler_modules()
    stop = stop or asyncio.Event()
    engine = create_engine(database_url, pool_size=6, max_overflow=4)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with sessionmaker() as db:
        await sync_subscriptions(db)
        await db.commit()
    tasks = [asyncio.create_task(job.run(sessionmaker, stop), name=job.name) for job in _jobs]
    log.info("worker started", extra={"jobs": [job.name for job in _jobs]})
    try:
        await stop.wait()
    finally:
        # Jobs finish their current batch and return once stop is set; give them a moment.
        done, pending = await asyncio.wait(tasks, timeout=10)
        for task in pending:
            task.cancel()
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("worker job %s ended with an error", task.get_name(), exc_info=task.exception())
        await engine.dispose()
        log.info("worker stopped")
