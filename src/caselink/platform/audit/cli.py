"""`caselink audit verify` and `caselink audit seal`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

app = typer.Typer(help="The audit trail: verify the hash chain, seal new entries.", no_args_is_help=True)


async def _with_session(action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from caselink.cli import database_url
    from caselink.config import get_settings
    from caselink.db.engine import Database, create_engine

    database = Database(create_engine(database_url(get_settings()), pool_size=1, max_overflow=0))
    try:
        async with database.sessionmaker() as session:
            return await action(session)
    finally:
        await database.dispose()


@app.command("verify")
def verify() -> None:
    """Recompute the hash chain; exit 0 when intact, 1 naming the first broken entry."""
    from caselink.platform.audit import service

    report = asyncio.run(_with_session(service.verify))
    if report.broken:
        typer.secho(report.broken.describe(), fg=typer.colors.RED, err=True)
        typer.echo(f"{report.checked} entries verified before the break.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Audit chain intact: {report.checked} entries verified, {report.unsealed} not yet sealed.")


@app.command("seal")
def seal() -> None:
    """Add committed entries to the hash chain (the sealer job does this every few seconds)."""
    from caselink.platform.audit import service

    sealed = asyncio.run(_with_session(service.seal_all))
    typer.echo(f"Sealed {sealed} audit entries.")
