"""`caselink retention run [--dry-run]`: purge what the retention policy says has been kept long
enough (the worker does this on its own every CASELINK_RETENTION_INTERVAL_SECONDS)."""

from __future__ import annotations

import asyncio

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

app = typer.Typer(help="Retention: delete delivered messages, old feed entries and expired keys.", no_args_is_help=True)


@app.command("run")
def run(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be deleted; delete nothing"),
) -> None:
    """Purge now, in batches, and print how many rows of each kind went. (A dry run counts each kind
    as things stand: events that the other steps would free are counted by the next run.)"""
    from caselink.config import get_settings
    from caselink.platform.events.cli import _with_database
    from caselink.platform.events.service import load_handler_modules
    from caselink.platform.retention import RetentionPolicy, RetentionReport, run_retention

    load_handler_modules()  # contexts register their purge steps beside their handlers
    policy = RetentionPolicy.from_settings(get_settings())

    async def main(sessionmaker: async_sessionmaker[AsyncSession]) -> RetentionReport:
        return await run_retention(sessionmaker, policy, dry_run=dry_run)

    report = asyncio.run(_with_database(main))
    for line in report.lines():
        typer.echo(line)
    keep = f"delivered kept {_days(policy.delivered_days)}, feed entries {_days(policy.feed_days)}"
    typer.echo(f"{'Dry run: would delete' if dry_run else 'Deleted'} {report.total} rows in all ({keep}).")


def _days(days: int) -> str:
    return f"{days} days" if days > 0 else "for ever"
