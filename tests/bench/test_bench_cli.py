"""`caselink bench` refuses bad input with one sentence, before starting anything."""

from __future__ import annotations

from typer.testing import CliRunner

from caselink.bench.runner import available_journeys, micro_modules
from caselink.cli import app

runner = CliRunner()


def test_unknown_journey_is_named_with_the_choices() -> None:
    result = runner.invoke(app, ["bench", "--journeys", "StartPage,Nope", "--url", "http://127.0.0.1:9"])

    assert result.exit_code == 1
    # The message lists every journey family of the locustfile, whatever families are added later.
    assert f"Unknown journey Nope; choose from {', '.join(available_journeys())}." in result.output
    assert available_journeys()[:3] == ["StartPage", "OffenceFinder", "OffenceApi"]


def test_a_url_where_nothing_answers_is_reported() -> None:
    result = runner.invoke(app, ["bench", "--url", "http://127.0.0.1:9", "--duration", "1"])

    assert result.exit_code == 1
    assert "Nothing answers at http://127.0.0.1:9" in result.output


def test_micro_benchmarks_are_the_micro_modules_and_unknown_ones_are_refused() -> None:
    assert all(name.startswith("micro_") for name in micro_modules())
    result = runner.invoke(app, ["bench", "micro", "no_such_thing"])

    assert result.exit_code == 2
    assert "Unknown micro-benchmark micro_no_such_thing; choose from" in result.output
