"""`caselink staff ...` and `caselink clients ...`: accounts and API clients from the command line
(run by someone with shell access to a Caselink server, so they act as Caselink itself)."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.platform.errors import CaselinkError, ValidationFailed

staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
clients_app = typer.Typer(help="API clients of other agencies' systems and approved suppliers.", no_args_is_help=True)

T = TypeVar("T")


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    # Imported here: caselink.cli registers these sub-apps, so a top-level import would be circular.
    from caselink.accounts.service import run_sync, with_session
    from caselink.cli import database_url
    from caselink.config import get_settings

    url = database_url(get_settings())
    try:
        return run_sync(lambda: with_session(url, work))
    except ValidationFailed as exc:
        for error in exc.errors:
            typer.secho(f"{error.field}: {error.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    except CaselinkError as exc:
        typer.secho(exc.detail, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


def _base_url() -> str:
    from caselink.config import get_settings

    settings = get_settings()
    return f"http://{settings.host}:{settings.port}"


@staff_app.command("create")
def staff_create(
    username: str = typer.Argument(..., help="Login name: lower-case letters, digits, dots, hyphens."),
    role: list[str] = typer.Option(..., "--role", help="A role (repeat for several), e.g. probation_practitioner."),
    unit: str = typer.Option(..., "--unit", help="Code of the unit the person belongs to, e.g. PS-NE-NEW."),
    name: str = typer.Option("", "--name", help="Full name (defaults to the username)."),
    team: list[str] = typer.Option([], "--team", help="Team code within the unit (repeat for several)."),
    email: str = typer.Option("", "--email"),
) -> None:
    """Create a staff account. Pipe a password on stdin to set it; otherwise a one-time set-up link is printed."""
    from caselink.accounts import service
    from caselink.accounts.schemas import StaffCreate
    from caselink.platform.access.actor import SYSTEM

    password = None
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n") or None
    data = StaffCreate(
        username=username,
        display_name=name or username,
        email=email or None,
        unit_code=unit,
        roles=role,
        team_codes=team,
    )
    created, token = _run(lambda db: service.create_staff(db, SYSTEM, data, password=password))
    typer.echo(f"Created {created.username} ({', '.join(created.roles)}) at {created.unit_code}.")
    if token:
        typer.echo(f"One-time set-up link (valid 7 days, shown once): {_base_url()}/account/set-up?token={token}")


@staff_app.command("list")
def staff_list(query: str = typer.Argument("", help="Part of a name or username")) -> None:
    """List staff accounts (the first 200)."""
    from caselink.accounts import service
    from caselink.platform.access.actor import SYSTEM

    listing = _run(lambda db: service.list_staff(db, SYSTEM, query or None, 1, 200))
    for s in listing.items:
        typer.echo(f"{s.username:<32} {s.status:<10} {s.unit_code:<12} {','.join(s.roles)}")
    typer.echo(f"{listing.total} accounts")


@clients_app.command("create")
def clients_create(
    name: str = typer.Argument(..., help="The system or supplier, e.g. 'Police case system (Kent)'."),
    scope: list[str] = typer.Option(..., "--scope", help="A scope such as people:read (repeat for several)."),
    expires_in_days: int = typer.Option(365, "--expires-in-days", min=1, max=730),
) -> None:
    """Create an API client; prints its client id and secret once (only a hash of the secret is kept)."""
    from caselink.accounts import service
    from caselink.accounts.schemas import ClientCreate
    from caselink.platform.access.actor import SYSTEM

    data = ClientCreate(name=name, scopes=scope, expires_in_days=expires_in_days)
    created = _run(lambda db: service.create_client(db, SYSTEM, data))
    typer.echo(f"client_id: {created.client.client_id}")
    typer.echo(f"client_secret: {created.secret}")
    typer.echo(f"scopes: {' '.join(created.client.scopes)}; expires {created.client.expires_at:%Y-%m-%d}")
    typer.echo("The secret is not shown again.")


@clients_app.command("revoke")
def clients_revoke(client_id: str = typer.Argument(...)) -> None:
    """Revoke an API client: its tokens stop working at once."""
    from caselink.accounts import service
    from caselink.platform.access.actor import SYSTEM

    client = _run(lambda db: service.revoke_client(db, SYSTEM, client_id))
    typer.echo(f"Revoked {client.client_id} ({client.name}).")


@clients_app.command("list")
def clients_list() -> None:
    """List API clients."""
    from caselink.accounts import service

    for c in _run(service.list_clients):
        state = "revoked" if c.revoked_at else f"expires {c.expires_at:%Y-%m-%d}"
        typer.echo(f"{c.client_id:<26} {state:<20} {' '.join(c.scopes):<40} {c.name}")
