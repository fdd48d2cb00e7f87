"""`caselink bench` (load test with locust, prints a table) and `caselink bench micro`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from caselink.bench.report import render
from caselink.bench.runner import (
    DEFAULT_RESULTS_ROOT,
    BenchError,
    BenchOptions,
    micro_modules,
    run_bench,
    run_micro,
)
from caselink.config import get_settings

app = typer.Typer(
    help="Benchmarks: load-test journeys with locust, or run the micro-benchmarks.",
    invoke_without_command=True,
    pretty_exceptions_enable=False,
)


def _split(values: list[str] | None) -> list[str]:
    # Accept both --journeys A,B and --journeys A --journeys B.
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


@app.callback()
def bench(
    ctx: typer.Context,
    users: int = typer.Option(50, "--users", "-u", min=1, help="Simulated users at the peak."),
    spawn_rate: float = typer.Option(10.0, "--spawn-rate", "-r", min=0.1, help="Users started per second."),
    duration: int = typer.Option(60, "--duration", "-t", min=1, help="Seconds to run, spawning included."),
    url: str | None = typer.Option(None, "--url", help="A running Caselink to test; if left out, one is started."),
    journeys: list[str] | None = typer.Option(
        None, "--journeys", "-j", help="Journey families to run (class names in locustfile.py); default all."
    ),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Server workers (default CASELINK_WORKERS)."),
    people: int | None = typer.Option(
        None, "--people", min=0, help="Demo people to make sure exist (default CASELINK_DEMO_PEOPLE)."
    ),
    results: Path = typer.Option(DEFAULT_RESULTS_ROOT, "--results", help="Folder for the raw CSVs and logs."),
) -> None:
    """Load-test Caselink with locust and print users, requests/s, p50/p95/p99 and failures."""
    if ctx.invoked_subcommand is not None:
        return
    options = BenchOptions(
        users=users,
        spawn_rate=spawn_rate,
        duration=duration,
        url=url,
        journeys=_split(journeys),
        workers=workers,
        people=people,
        results_root=results,
    )
    try:
        result = run_bench(get_settings(), options, progress=sys.stderr)
    except BenchError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(render(result.table))
    typer.echo(f"\nRaw CSVs and logs: {result.results_dir}")
    if result.table.failures:
        typer.secho(
            f"{result.table.failures} request(s) failed; see {result.results_dir}/locust_final_failures.csv.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1)


@app.command("micro")
def micro(
    only: list[str] | None = typer.Argument(None, help="Micro-benchmarks to run (e.g. micro_audit); default all."),
) -> None:
    """Run every src/caselink/bench/micro_*.py (each is `python -m caselink.bench.<name>`) and print its output."""
    known = micro_modules()
    names = [name if name.startswith("micro_") else f"micro_{name}" for name in _split(only)] or known
    unknown = [name for name in names if name not in known]
    if unknown:
        choices = ", ".join(known) or "none yet"
        typer.secho(f"Unknown micro-benchmark {', '.join(unknown)}; choose from {choices}.", fg="red", err=True)
        raise typer.Exit(2)
    if not names:
        typer.echo("There are no micro-benchmarks yet (src/caselink/bench/micro_*.py).")
        return
    codes = run_micro(names, sys.stdout)
    failed = [name for name, code in codes.items() if code != 0]
    if failed:
        typer.secho(f"Failed: {', '.join(failed)}.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
