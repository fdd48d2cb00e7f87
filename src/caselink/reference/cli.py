"""`caselink reference load|status`: the CJS standing data and Caselink's own unit list."""

from __future__ import annotations

import asyncio

import typer

app = typer.Typer(help="CJS standing data (offence codes, courts, police units, codes) and Caselink's units.")


def _database_url() -> str:
    # Imported here: caselink.cli registers this sub-app, so a top-level import would be circular.
    from caselink.cli import database_url
    from caselink.config import get_settings

    return database_url(get_settings())


@app.command("load")
def load(
    force: bool = typer.Option(False, "--force", help="Load again even if this version is already loaded."),
) -> None:
    """Load the standing-data package from node_modules and Caselink's unit list (skipped if already loaded)."""
    from caselink.config import get_settings
    from caselink.reference.service import load_into

    outcome = asyncio.run(load_into(_database_url(), get_settings().assets_dir, force=force))
    typer.echo(outcome.summary())


@app.command("status")
def status() -> None:
    """Show which standing-data version is loaded and how many entries each list holds."""
    from caselink.reference.service import status_of

    current = asyncio.run(status_of(_database_url()))
    if not current.loads:
        typer.echo("No standing data is loaded; run `caselink reference load`.")
        raise typer.Exit(1)
    for record in current.loads:
        typer.echo(f"{record.package} {record.version} (loaded {record.loaded_at})")
    typer.echo(f"  {'offences':<28}{current.offences:>8,}")
    for list_name, count in current.lists.items():
        typer.echo(f"  {list_name:<28}{count:>8,}")
    for source, count in current.units_by_source.items():
        typer.echo(f"  {'units (' + source + ')':<28}{count:>8,}")
