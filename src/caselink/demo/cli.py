"""`caselink demo --people N [--seed S] [--cases-fraction F]`: generate synthetic people, and cases
across the agencies for a share of them, by bulk COPY."""

from __future__ import annotations

import asyncio
import time

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from caselink.config import get_settings
from caselink.demo.service import DemoDataError, LoadResult, load_demo_people

app = typer.Typer(help="Synthetic demo data.", pretty_exceptions_enable=False)


@app.callback(invoke_without_command=True)
def demo(
    people: int = typer.Option(1_000, "--people", "-n", help="How many people to generate."),
    seed: int = typer.Option(1, "--seed", help="The same seed gives the same people."),
    replace: bool = typer.Option(False, "--replace", help="Remove existing demo people first."),
    cases_fraction: float = typer.Option(
        0.3, "--cases-fraction", min=0.0, max=1.0, help="Share of the people with cases across the agencies (0: none)."
    ),
    batch_size: int = typer.Option(5_000, "--batch-size", help="People per COPY batch.", hidden=True),
) -> None:
    """Generate PEOPLE realistic, deterministic demo people with valid identifiers."""
    from caselink.cli import database_url, fail

    url = database_url(get_settings())
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("Generating people"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )
    task = progress.add_task("people", total=people, rate="")
    started = time.perf_counter()

    def on_progress(done: int, rows: int) -> None:
        elapsed = time.perf_counter() - started
        progress.update(task, completed=done, rate=f"{rows / elapsed:,.0f} rows/s" if elapsed else "")

    try:
        with progress:
            result = asyncio.run(
                load_demo_people(
                    url,
                    people,
                    seed,
                    replace=replace,
                    batch_size=batch_size,
                    on_progress=on_progress,
                    on_phase=lambda text: progress.console.print(f"{text}..."),
                    cases_fraction=cases_fraction,
                )
            )
    except DemoDataError as exc:
        fail(exc.detail)
        return
    assert isinstance(result, LoadResult)
    typer.echo(
        f"Generated {result.people:,} demo people and {result.cases:,} cases ({result.rows:,} rows) "
        f"in {result.seconds:.1f} s: "
        f"{result.rows_per_second:,.0f} rows/s, {result.people / result.seconds:,.0f} people/s."
    )
