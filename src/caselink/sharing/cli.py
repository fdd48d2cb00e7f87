"""`caselink sharing deliver | dead | replay | replay-dead`."""

from __future__ import annotations

import asyncio
import signal

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from caselink.platform.access.actor import Actor, ActorKind

app = typer.Typer(help="Sharing: webhook delivery, dead letters and replay.", no_args_is_help=True)

CLI_ACTOR = Actor(kind=ActorKind.SYSTEM, name="caselink-cli")


@app.command("deliver")
def deliver(
    batch_size: int = typer.Option(200, min=1, max=5000, help="Deliveries claimed per transaction"),
    concurrency: int = typer.Option(50, min=1, max=1000, help="Requests in flight at once"),
    idle: float = typer.Option(0.5, min=0.05, help="Seconds to wait when nothing is due"),
    once: bool = typer.Option(False, "--once", help="Deliver what is due now, then stop"),
) -> None:
    """Send pending webhooks until stopped (Ctrl-C or SIGTERM finish the batch in hand first).
    Run as many as you like side by side."""
    from caselink.platform.events.cli import _with_database
    from caselink.sharing.delivery import deliver_once, run_worker

    async def main(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        if once:
            result = await deliver_once(sessionmaker, batch_size=batch_size, concurrency=concurrency)
            typer.echo(f"Delivered {result.delivered}, retrying {result.retrying}, dead {result.dead}.")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(sessionmaker, stop=stop, batch_size=batch_size, concurrency=concurrency, idle_seconds=idle)

    asyncio.run(_with_database(main, pool=3))


@app.command("dead")
def dead() -> None:
    """List dead letters: webhooks that failed, with the reason."""
    from caselink.platform.events.cli import _with_database
    from caselink.sharing import service
    from caselink.sharing.schemas import DeliveryPage

    async def main(sessionmaker: async_sessionmaker[AsyncSession]) -> DeliveryPage:
        async with sessionmaker() as db:
            return await service.list_deliveries(db, status="dead", page_size=200)

    page = asyncio.run(_with_database(main))
    if not page.items:
        typer.echo("No dead letters.")
        return
    for d in page.items:
        typer.echo(f"{d.id}\t{d.client_name}\t{d.event_type}\t{d.webhook_url}\tattempts={d.attempts}\t{d.last_error}")
    if page.total > len(page.items):
        typer.echo(f"... and {page.total - len(page.items)} more.")


@app.command("replay")
def replay(delivery_id: int = typer.Argument(..., help="The delivery's number (see `caselink sharing dead`)")) -> None:
    """Send one webhook delivery again."""
    from caselink.platform.errors import CaselinkError
    from caselink.platform.events.cli import _with_database
    from caselink.sharing import service

    async def main(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        async with sessionmaker() as db:
            return await service.replay_delivery(db, CLI_ACTOR, delivery_id)

    try:
        asyncio.run(_with_database(main))
    except CaselinkError as exc:
        typer.secho(exc.detail, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Delivery {delivery_id} will be sent again.")


@app.command("replay-dead")
def replay_dead() -> None:
    """Send every dead letter again."""
    from caselink.platform.events.cli import _with_database
    from caselink.sharing import service

    async def main(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        async with sessionmaker() as db:
            return await service.replay_dead(db, CLI_ACTOR)

    typer.echo(f"Sending {asyncio.run(_with_database(main))} dead letters again.")
