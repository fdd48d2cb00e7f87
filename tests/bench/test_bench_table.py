"""The bench's plumbing: locust's CSV into the printed table, and one short real run. Nothing here
is timed; the figures a run prints are for people, not assertions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from caselink.bench.report import peak_users, read_stats, render, stats_file
from caselink.bench.runner import (
    BenchError,
    BenchOptions,
    app_server,
    available_journeys,
    check_journeys,
    measure,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_stats_csv_becomes_one_row_per_request_name_and_a_total() -> None:
    table = read_stats(FIXTURES / "locust_stats.csv", users=20)

    assert [row.name for row in table.rows] == ["api: offences search", "offence finder: search words", "start page"]
    search = table.rows[0]
    assert (search.requests, search.failures) == (400, 2)
    assert search.requests_per_second == pytest.approx(6.6666)
    assert (search.p50_ms, search.p95_ms, search.p99_ms) == (12, 40, 120)
    assert search.failure_percent == pytest.approx(0.5)
    assert table.total.name == "Total"
    assert (table.total.requests, table.total.failures, table.failures) == (1000, 2, 2)
    assert (table.total.p50_ms, table.total.p95_ms, table.total.p99_ms) == (17, 62, 210)


def test_a_request_name_without_requests_has_no_percentiles() -> None:
    table = read_stats(FIXTURES / "locust_stats.csv", users=20)

    idle = table.rows[2]
    assert (idle.requests, idle.p50_ms, idle.p99_ms, idle.failure_percent) == (0, None, None, 0.0)


def test_rendered_table_shows_users_throughput_latency_and_failures() -> None:
    text = render(read_stats(FIXTURES / "locust_stats.csv", users=20))
    lines = text.splitlines()

    assert lines[0].split() == [
        "Journey",
        "step",
        "Users",
        "Requests",
        "Req/s",
        "p50",
        "ms",
        "p95",
        "ms",
        "p99",
        "ms",
        "Failures",
    ]
    search = next(line for line in lines if line.startswith("api: offences search"))
    assert search.split()[3:] == ["400", "6.7", "12", "40", "120", "2", "(0.5%)"]
    total = lines[-1].split()
    assert total == ["Total", "20", "1,000", "16.7", "17", "62", "210", "2", "(0.2%)"]
    assert "–" in next(line for line in lines if line.startswith("start page"))


def test_users_are_the_peak_of_the_history() -> None:
    assert peak_users(FIXTURES / "locust_stats_history.csv") == 20
    assert peak_users(FIXTURES / "missing.csv") is None


def test_final_stats_are_preferred_over_the_periodic_file(tmp_path: Path) -> None:
    prefix = tmp_path / "locust"
    shutil.copy(FIXTURES / "locust_stats.csv", tmp_path / "locust_stats.csv")
    assert stats_file(prefix) == tmp_path / "locust_stats.csv"
    shutil.copy(FIXTURES / "locust_stats.csv", tmp_path / "locust_final_stats.csv")
    assert stats_file(prefix) == tmp_path / "locust_final_stats.csv"


def test_a_file_without_a_total_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "x_stats.csv"
    broken.write_text("\n".join((FIXTURES / "locust_stats.csv").read_text().splitlines()[:-1]))
    with pytest.raises(ValueError, match="Aggregated"):
        read_stats(broken, users=1)


def test_journeys_are_the_locustfile_families_and_unknown_ones_are_named() -> None:
    assert {"StartPage", "OffenceFinder", "OffenceApi"} <= set(available_journeys())
    with pytest.raises(BenchError, match=r"Unknown journey Nope; choose from .*StartPage"):
        check_journeys(["StartPage", "Nope"])


@pytest.mark.slow
def test_short_real_run_against_a_started_server(database_url: str, reference_loaded: str, tmp_path: Path) -> None:
    """5 users for 5 s against uvicorn on the test database: the table has rows and no failures."""
    # The journeys that need no sign-in: the shared test database holds no demo logins.
    options = BenchOptions(users=5, spawn_rate=5, duration=5, journeys=["StartPage", "OffenceFinder", "OffenceApi"])
    env = {"CASELINK_DATA_DIR": str(tmp_path / "data"), "CASELINK_LOG_JSON": "false"}
    with app_server(database_url, tmp_path / "server.log", workers=1, extra_env=env) as host:
        result = measure(host, options, tmp_path)

    table = result.table
    assert table.rows, (tmp_path / "locust.log").read_text()
    assert table.total.requests > 0
    assert table.failures == 0, (tmp_path / "locust_final_failures.csv").read_text()
    assert result.locust_exit_code == 0
    assert table.users == 5
