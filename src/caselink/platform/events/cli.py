"""`caselink events relay | dead | replay | replay-dead`."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.platform.access.actor import Actor, ActorKind

T = TypeVar("T")

app = typer.Typer(help="Domain events: the outbox relay, dead letters and replay.", no_args_is_help=True)

# Replays from the command line are attributed to the operator's tool in the audit.
CLI_ACTOR_NAME = "caselink-cli"


async def _with_database(action: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]], pool: int = 2) -> T:
    from caselink.cli import database_url
    from caselink.config import get_settings
    from caselink.db.engine import Database, create_engine

    database = Database(create_engine(database_url(get_settings()), pool_size=pool, max_overflow=0))
    try:
        return await action(database.sessionmaker)
    finally:
        await database.dispose()


def _cli_actor() -> Actor:

    return Actor(kind=ActorKind.SYSTEM, name=CLI_ACTOR_NAME)


@app.command("relay")
def relay(
    batch_size: int = typer.Option(200, min=1, max=5000, help="Deliveries per transaction"),
    idle: float = typer.Option(0.5, min=0.05, help="Seconds to wait when nothing is due"),
) -> None:
    """Hand committed events to their handlers until stopped (Ctrl-C or SIGTERM finish the batch).
    Run as many as you like side by side."""
    from caselink.platform.events.relay import run_relay
    from caselink.platform.events.service import load_handler_modules, registry

    modules = load_handler_modules()
    typer.echo(f"Relaying to {len(registry)} handlers from {len(modules)} modules: {', '.join(registry.names())}")

    async def main(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_relay(sessionmaker, registry, stop=stop, batch_size=batch_size, idle_seconds=idle)

    asyncio.run(_with_database(main))


@app.command("dead")
def dead(handler: str = typer.Option(None, help="Only this handler's")) -> None:
    """List dead letters: deliveries that failed too often, with the reason."""
    from caselink.platform.events import service

    async def main(sessionmaker: async_sessionmaker[AsyncSession]) -> service.DeliveryPage:
        async with sessionmaker() as db:
            return await service.list_deliveries(db, status="dead", handler=handler, page_size=200)

    page = asyncio.run(_with_database(main))
    if not page.items:
        typer.echo("No dead letters.")
        return
    for d in page.items:
        typer.echo(f"{d.id}\t{d.handler}\t{d.event_type}\t{d.event_id}\tattempts={d.attempts}\t{d.last_error}")
    if page.total > len(page.items):
        typer.echo(f"... and {page.total - len(page.items)} more.")


@app.command("replay")
def replay(
    event_id: str = typer.Argument(..., help="The event's id (a UUID)"),
    handler: str = typer.Option(..., "--handler", help="The handler to hand it to again"),
) -> None:
    """Hand one event to one handler again (a dead letter once fixed, or any event)."""
    from caselink.platform.errors import CaselinkError
    from caselink.platform.events import service

    try:
        parsed = uuid.UUID(event_id)
    except ValueError:
        typer.secho(f"{event_id!r} is not an event id (a UUID).", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None

    async def main(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        async with sessionmaker() as db:
            return await service.replay(db, _cli_actor(), parsed, handler)

    try:
        delivery_id = asyncio.run(_with_database(main))
    except CaselinkError as exc:
        typer.secho(exc.detail, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Event {parsed} will be handed to {handler} again (delivery {delivery_id}).")


@app.command("replay-dead")
def replay_dead(handler: str = typer.Option(None, help="Only this handler's")) -> None:
    """Replay every dead letter (of one handler, or all)."""
    from caselink.platform.events import service

    async def main(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        async with sessionmaker() as db:
            return await service.replay_dead(db, _cli_actor(), handler)

    count = asyncio.run(_with_database(main))
    typer.echo(f"Replaying {count} dead letters.")
