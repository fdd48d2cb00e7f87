"""Locust's CSV statistics turned into the table `caselink bench` prints. Pure: reads files, no I/O
beyond that, no locust import (locust patches the standard library with gevent when imported)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

TOTAL_NAME = "Aggregated"


@dataclass(frozen=True)
class Row:
    """One line of the table: a request name (a step of a journey) or the total."""

    name: str
    requests: int
    failures: int
    requests_per_second: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None

    @property
    def failure_percent(self) -> float:
        return 100.0 * self.failures / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class BenchTable:
    users: int
    rows: list[Row]
    total: Row

    @property
    def failures(self) -> int:
        return self.total.failures


def stats_file(prefix: Path) -> Path:
    """The stats file of a run. Locust rewrites ``PREFIX_stats.csv`` once a second, so it can miss
    the last second; our locustfile writes ``PREFIX_final_stats.csv`` when locust quits."""
    final = prefix.with_name(prefix.name + "_final_stats.csv")
    return final if final.exists() else prefix.with_name(prefix.name + "_stats.csv")


def _number(raw: str | None) -> float | None:
    # Locust writes "N/A" for percentiles of a name with no requests.
    if raw is None or raw.strip() in {"", "N/A"}:
        return None
    return float(raw)


def _row(record: dict[str, str], name: str) -> Row:
    return Row(
        name=name,
        requests=int(record["Request Count"]),
        failures=int(record["Failure Count"]),
        requests_per_second=_number(record["Requests/s"]) or 0.0,
        p50_ms=_number(record["50%"]),
        p95_ms=_number(record["95%"]),
        p99_ms=_number(record["99%"]),
    )


def read_stats(stats_csv: Path, users: int) -> BenchTable:
    """Parse a locust ``*_stats.csv`` (columns Type, Name, Request Count, ..., 50%, 95%, 99% ...)."""
    rows: list[Row] = []
    total: Row | None = None
    with stats_csv.open(newline="") as fh:
        for record in csv.DictReader(fh):
            if record["Name"] == TOTAL_NAME and not record["Type"]:
                total = _row(record, "Total")
            else:
                rows.append(_row(record, record["Name"]))
    if total is None:
        raise ValueError(f"{stats_csv} has no {TOTAL_NAME!r} row; is it a locust stats file?")
    return BenchTable(users=users, rows=rows, total=total)


def peak_users(history_csv: Path) -> int | None:
    """The most users locust had running at once, from ``*_stats_history.csv``."""
    if not history_csv.exists():
        return None
    peak = None
    with history_csv.open(newline="") as fh:
        for record in csv.DictReader(fh):
            try:
                count = int(record["User Count"])
            except (KeyError, ValueError):
                continue
            peak = count if peak is None else max(peak, count)
    return peak


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def render(table: BenchTable) -> str:
    """A plain-text table, one line per request name and a total, for a terminal or a closing note."""
    headings = ["Journey step", "Users", "Requests", "Req/s", "p50 ms", "p95 ms", "p99 ms", "Failures"]
    lines: list[list[str]] = []
    for row in [*table.rows, table.total]:
        lines.append(
            [
                row.name,
                str(table.users) if row is table.total else "",
                f"{row.requests:,}",
                f"{row.requests_per_second:,.1f}",
                _ms(row.p50_ms),
                _ms(row.p95_ms),
                _ms(row.p99_ms),
                f"{row.failures:,} ({row.failure_percent:.1f}%)",
            ]
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headings)]

    def fmt(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [fmt(line) for line in lines[:-1]]
    return "\n".join([fmt(headings), rule, *body, rule, fmt(lines[-1])])
