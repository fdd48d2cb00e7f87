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
    """The URL to use: DATABASE_URL (checked with one connection, so a wrong one is one sentence),
    or the embedded server (started here if it is not running, and left running for the next command)."""
    if settings.database_url:
        from caselink.runner import check_database

        check_database(settings.database_url)
        return settings.database_url
    from caselink.db.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(settings.data_dir, settings.embedded_pg_port)
    return server.start() if start_embedded else server.url()


@app.command("run")
def run() -> None:
    """Set up and serve: embedded PostgreSQL (unless DATABASE_URL), migrations, standing and demo data.

    This is what `make run` calls. Ctrl-C stops the server and the embedded PostgreSQL it started.
    """
    from caselink import runner

    raise typer.Exit(runner.run())


@app.command("serve")
def serve() -> None:
    """Serve only (production): no migrations, no first-run steps; run as many as you like."""
    from caselink import runner

    raise typer.Exit(runner.serve())


@app.command("worker")
def worker() -> None:
    """Run background work: the event relay, the audit sealer and jobs contexts register.

    `caselink run` starts one beside the web server; production runs one or more (safe side by side).
    """
    import asyncio

    from caselink.platform.logging import configure_logging
    from caselink.platform.worker import run_worker

    settings = get_settings()
    configure_logging(json_logs=settings.log_json)
    asyncio.run(run_worker(settings, database_url(settings, start_embedded=False)))


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads", help="Target revision")) -> None:
    """Apply migrations up to REVISION (default: the latest of every context)."""
    from caselink.db.migrate import upgrade

    url = database_url(get_settings())
    upgrade(url, revision)
    typer.echo(f"Database schema is at {revision}.")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL of the data folder (one that a command left running)."""
    from caselink import runner

    typer.echo(runner.stop_embedded(get_settings()))


# Each context adds its command group here (one line each), e.g.:
#   from caselink.reference.cli import app as reference_cli; app.add_typer(reference_cli, name="reference")
from caselink.accounts.cli import clients_app as clients_cli  # noqa: E402
from caselink.accounts.cli import staff_app as staff_cli  # noqa: E402
from caselink.bench.cli import app as bench_cli  # noqa: E402
from caselink.demo.cli import app as demo_cli  # noqa: E402
from caselink.people.cli import app as people_cli  # noqa: E402
from caselink.platform.audit.cli import app as audit_cli  # noqa: E402
from caselink.platform.events.cli import app as events_cli  # noqa: E402
from caselink.platform.retention_cli import app as retention_cli  # noqa: E402
from caselink.reference.cli import app as reference_cli  # noqa: E402
from caselink.sharing.cli import app as sharing_cli  # noqa: E402

app.add_typer(bench_cli, name="bench")
app.add_typer(demo_cli, name="demo")
app.add_typer(people_cli, name="people")
app.add_typer(reference_cli, name="reference")
app.add_typer(audit_cli, name="audit")
app.add_typer(events_cli, name="events")
app.add_typer(staff_cli, name="staff")
app.add_typer(clients_cli, name="clients")
app.add_typer(sharing_cli, name="sharing")
app.add_typer(retention_cli, name="retention")


def main() -> None:
    # Problems of set-up are one sentence and a non-zero exit; a traceback would hide the sentence.
    # Anything else is a bug and keeps its traceback.
    try:
        app()
    except ConfigurationError as exc:
        typer.secho(exc.detail, fg=typer.colors.RED, err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
