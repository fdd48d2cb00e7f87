"""The `caselink` command: run, serve, db upgrade, reference load/status, demo, bench."""

from __future__ import annotations

import sys

import typer

from caselink.config import Settings, get_settings
from caselink.platform.errors import ConfigurationError

app = typer.Typer(
    help="Caselink: case management for the criminal justice journey.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def fail(message: str, code: int = 1) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def database_url(settings: Settings, start_embedded: bool = True) -> str:
    """The URL to use: DATABASE_URL, or the embedded server (started here if it is not running)."""
    if settings.database_url:
        return settings.database_url
    from caselink.db.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(settings.data_dir, settings.embedded_pg_port)
    return server.start() if start_embedded else server.url()


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads", help="Target revision")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from caselink.db.migrate import upgrade

    url = database_url(get_settings())
    upgrade(url, revision)
    typer.echo(f"Database schema is at {revision}.")


# Each context adds its command group here (one line each), e.g.:
#   from caselink.reference.cli import app as reference_cli; app.add_typer(reference_cli, name="reference")


def main() -> None:
    try:
        app()
    except ConfigurationError as exc:
        typer.secho(exc.detail, fg=typer.colors.RED, err=True)
        sys.exit(2)
