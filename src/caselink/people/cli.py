"""`caselink people ...`: batch de-duplication, import from legacy systems, the matching quality measure."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.errors import CaselinkError, ValidationFailed

app = typer.Typer(help="The person index: de-duplication, import, matching quality.", no_args_is_help=True)
T = TypeVar("T")
console = Console(stderr=True)


def _actor(command: str) -> Actor:
    return Actor(kind=ActorKind.SYSTEM, name=f"people-{command}")


def _with_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    # Imported here: caselink.cli registers this sub-app, so a top-level import would be circular.
    from caselink.cli import database_url
    from caselink.config import get_settings
    from caselink.db.engine import create_engine

    url = database_url(get_settings())

    async def run() -> T:
        engine = create_engine(url, pool_size=1, max_overflow=0)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except ValidationFailed as exc:
        for error in exc.errors:
            typer.secho(f"{error.field}: {error.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    except CaselinkError as exc:
        typer.secho(exc.detail, fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


def _progress(started: float) -> Callable[[str], None]:
    def say(text: str) -> None:
        console.print(f"[{time.perf_counter() - started:7.1f} s] {text}...")

    return say


@app.command("dedupe")
def dedupe(
    train: bool = typer.Option(
        False, "--train", help="Train the model (u by random sampling, m by EM) instead of the fixed parameters."
    ),
    threads: int = typer.Option(2, "--threads", help="DuckDB threads."),
) -> None:
    """Find duplicate people across the whole index (Splink on DuckDB).

    Pairs above the high threshold are merged (each cluster into its earliest record); the uncertain band becomes one
    work-queue task per pair for a data quality officer, compared side by side at
    /people/review/PAIR_ID. Decided pairs are never proposed again.
    """
    from caselink.config import get_settings
    from caselink.people import linkage

    folder = get_settings().data_dir / "linkage"
    started = time.perf_counter()

    async def work(db: AsyncSession) -> linkage.DedupeSummary:
        return await linkage.dedupe(
            db, _actor("dedupe"), folder, train=train, progress=_progress(started), threads=threads
        )

    summary = _with_session(work)
    elapsed = time.perf_counter() - started
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in summary.timings.items())
    typer.echo(
        f"De-duplicated {summary.people:,} people in {elapsed:.1f} s ({steps}).\n"
        f"Scored {summary.pairs_scored:,} blocked pairs; model: {summary.model_note}.\n"
        f"Auto-linked (to merge): {summary.auto_links:,} pairs in {summary.clusters:,} clusters "
        f"(largest {summary.largest_cluster}); merged {summary.merged:,} records into the earliest of their "
        f"cluster, {summary.merge_refused:,} refused (left to merge, reason noted on the pair).\n"
        f"For review: {summary.review_pairs:,} pairs; {summary.tasks_created:,} new review tasks "
        f"for {summary.reviewers} data quality officer(s). Run {summary.run_id}."
    )
    if summary.review_pairs and not summary.reviewers:
        typer.secho(
            "No active data quality officer: review pairs are recorded but no tasks were created. "
            "Add one (caselink staff ...) and run again.",
            fg=typer.colors.YELLOW,
            err=True,
        )


IMPORT_HELP = """Import people from a legacy system's CSV file, matching each row before creating anyone.

Columns (header row required; only family_name is required; names are case-insensitive):
given_name, middle_names, family_name, date_of_birth (YYYY-MM-DD or DD/MM/YYYY), sex (MALE, FEMALE,
NOT_KNOWN, NOT_SPECIFIED), aliases (other names, "Given Family" separated by ";"),
address_line1, town, postcode, pnc, cro, prison_number, crn, asn, nino, source_ref (the legacy
system's own reference, echoed in the report).

Each row is decided by the match-before-create rules: LINK (a shared identifier or a strong match:
the row's new identifiers are added to that person), REVIEW (an uncertain match: a new record and a
review task for a data quality officer) or NEW. A row with errors (no family name, an impossible
date, a bad postcode, an identifier held by two different people) is reported and not written.
Identifiers that fail their check are kept as legacy values, flagged invalid and never matched.
See docs/people-import.md.
"""


@app.command("import", help=IMPORT_HELP)
def import_csv(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The CSV file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Decide every row and report, but write nothing."),
    report: Path | None = typer.Option(
        None, "--report", help="Write the per-row report (CSV) here; default FILE.report.csv."
    ),
    source: str = typer.Option("import", "--source", help="Recorded as the source of imported identifiers."),
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from caselink.people import importer

    try:
        rows = importer.read_csv(file)
    except importer.ImportFileError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    report_path = report or file.with_suffix(".report.csv")
    progress = Progress(
        TextColumn("Dry run" if dry_run else "Importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    task = progress.add_task("rows", total=len(rows))

    async def work(db: AsyncSession) -> list[importer.RowReport]:
        return await importer.import_rows(
            db,
            _actor("import"),
            rows,
            dry_run=dry_run,
            source=source,
            on_row=lambda _: progress.advance(task),
        )

    with progress:
        results = _with_session(work)
    importer.write_report(report_path, results)
    counts = importer.count_decisions(results)
    typer.echo(
        f"{'Dry run: ' if dry_run else ''}{len(results):,} rows: {counts.get('link', 0):,} linked, "
        f"{counts.get('review', 0):,} for review, {counts.get('new', 0):,} new, {counts.get('error', 0):,} with errors"
        f"{' (nothing was written)' if dry_run else ''}. Report: {report_path}"
    )
    if counts.get("error"):
        raise typer.Exit(1)


@app.command("match-eval")
def match_eval(
    people: int = typer.Option(2_000, "--people", help="People in the synthetic index."),
    duplicates: int = typer.Option(1_000, "--duplicates", help="Planted true duplicates."),
    hard_negatives: int = typer.Option(300, "--hard-negatives", help="Planted twins and relatives."),
    seed: int = typer.Option(7, "--seed"),
    examples: int = typer.Option(5, "--examples", help="Misses and false links to show per kind."),
    batch: bool = typer.Option(True, "--batch/--no-batch", help="Also measure the batch linkage (Splink)."),
) -> None:
    """Measure matching on a labelled synthetic set: precision and recall for auto-linking and the review band.

    Targets: precision at least 0.995 at the auto-link threshold; recall at least 0.97 counting the
    review band. Needs no database.
    """
    from caselink.people import evaluation

    started = time.perf_counter()
    labelled = evaluation.build_set(people=people, duplicates=duplicates, hard_negatives=hard_negatives, seed=seed)
    reports = [evaluation.evaluate_online(labelled)]
    if batch:
        reports.append(evaluation.evaluate_batch(labelled, progress=_progress(started)))
    typer.echo(evaluation.describe_set(labelled))
    failed = False
    for result in reports:
        typer.echo(evaluation.format_with_records(result, labelled, examples=examples))
        failed = failed or not result.meets_targets
    typer.echo(f"Measured in {time.perf_counter() - started:.1f} s.")
    if failed:
        raise typer.Exit(1)
