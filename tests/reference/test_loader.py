"""`caselink reference load` / `status`: bulk load of the standing-data package, once per version."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from caselink.config import Settings, set_settings
from caselink.reference.rules import PACKAGE_NAME, code_records
from caselink.reference.service import (
    asyncpg_dsn,
    ensure_loaded,
    load_standing_data,
    package_dir,
    package_version,
)

pytestmark = pytest.mark.usefixtures("reference_loaded")


@pytest.fixture
async def conn(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A connection whose every change is rolled back: loads here never disturb the shared data."""
    assert settings.database_url
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    transaction = connection.transaction()
    await transaction.start()
    try:
        yield connection
    finally:
        await transaction.rollback()
        await connection.close()


def small_package(root: Path, version: str) -> Path:
    """A stand-in for node_modules holding a tiny package of VERSION (a few rows per file)."""
    data = root / "@moj-bichard7-developers" / "bichard7-next-data" / "dist" / "data"
    data.mkdir(parents=True)
    (data.parent.parent / "package.json").write_text(json.dumps({"name": PACKAGE_NAME, "version": version}))
    offences = [
        {
            "cjsCode": "TH68001",
            "offenceTitle": "Theft from the person of another",
            "offenceCategory": "CE",
            "homeOfficeClassification": "039/00",
            "recordableOnPnc": True,
            "notifiableToHo": True,
        },
        {
            "cjsCode": "XX99001",
            "offenceTitle": "An offence only in the new version",
            "offenceCategory": "CS",
            "homeOfficeClassification": "",
            "recordableOnPnc": False,
            "notifiableToHo": False,
        },
    ]
    (data / "offence-code.json").write_text(json.dumps(offences))
    ou = {"topLevelName": "Police Service", "thirdLevelPsaCode": "", "bottomLevelName": ""}
    units = [
        {**ou, "topLevelCode": "", "secondLevelCode": "01", "secondLevelName": "Metropolitan Police Service",
         "thirdLevelCode": "00", "thirdLevelName": "", "bottomLevelCode": "00"},
        {**ou, "topLevelCode": "", "secondLevelCode": "01", "secondLevelName": "Metropolitan Police Service",
         "thirdLevelCode": "ZD", "thirdLevelName": "Charing Cross", "bottomLevelCode": "00"},
    ]  # fmt: skip
    (data / "organisation-unit.json").write_text(json.dumps(units))
    for name in ("court-type", "type-of-hearing", "plea-status", "remand-status", "result-code", "offence-category"):
        (data / f"{name}.json").write_text(json.dumps([{"cjsCode": "A", "description": f"{name} A"}]))
    (data / "forces.json").write_text(json.dumps([{"code": "01", "name": "Metropolitan Police Service"}]))
    (data / "verdict.json").write_text(json.dumps([{"cjsCode": "", "description": "Caution", "spiCode": "C"}]))
    return root


async def test_the_package_is_loaded_with_its_version_and_counts(settings: Settings, conn: asyncpg.Connection) -> None:
    directory = package_dir(settings.assets_dir)
    record = await conn.fetchrow(
        "SELECT version, counts FROM reference_data_loads WHERE package = $1 ORDER BY id DESC LIMIT 1", PACKAGE_NAME
    )
    assert record["version"] == package_version(directory)
    counts = json.loads(record["counts"])
    source_offences = json.loads((directory / "dist/data/offence-code.json").read_text())
    assert counts["offences"] == len(source_offences) == await conn.fetchval("SELECT count(*) FROM reference_offences")
    assert counts["organisation_units"] == 6410
    verdicts = json.loads((directory / "dist/data/verdict.json").read_text())
    assert counts["verdict"] == len(code_records("verdict", verdicts)[0])


async def test_a_second_load_of_the_same_version_does_nothing(settings: Settings, conn: asyncpg.Connection) -> None:
    loads_before = await conn.fetchval("SELECT count(*) FROM reference_data_loads")
    outcome = await load_standing_data(conn, settings.assets_dir)
    assert not outcome.anything_loaded
    assert "already loaded" in outcome.summary() and "--force" in outcome.summary()
    assert await conn.fetchval("SELECT count(*) FROM reference_data_loads") == loads_before


async def test_a_new_version_replaces_the_loaded_one_and_force_loads_again(
    tmp_path: Path, conn: asyncpg.Connection
) -> None:
    assets = small_package(tmp_path, "99.0.0-test")
    met_station_id = await conn.fetchval("SELECT id FROM organisation_units WHERE code = '01ZD00'")

    outcome = await load_standing_data(conn, assets)

    assert outcome.standing_data_loaded and not outcome.caselink_units_loaded
    assert outcome.package_version == "99.0.0-test"
    assert await conn.fetchval("SELECT count(*) FROM reference_offences") == 2
    assert await conn.fetchval("SELECT title FROM reference_offences WHERE code = 'XX99001'")
    # Units keep their ids (staff and cases point at them); units gone from the data are inactive, not deleted.
    assert await conn.fetchval("SELECT id FROM organisation_units WHERE code = '01ZD00'") == met_station_id
    assert await conn.fetchval("SELECT name FROM organisation_units WHERE code = '01ZD00'") == "Charing Cross"
    assert await conn.fetchval("SELECT active FROM organisation_units WHERE code = 'B01BE00'") is False
    assert await conn.fetchval("SELECT active FROM organisation_units WHERE code = 'BXI'") is True

    assert not (await load_standing_data(conn, assets)).anything_loaded
    forced = await load_standing_data(conn, assets, force=True)
    assert forced.standing_data_loaded and forced.caselink_units_loaded
    assert await conn.fetchval("SELECT count(*) FROM reference_offences") == 2


async def test_a_missing_package_says_what_to_do(tmp_path: Path, conn: asyncpg.Connection) -> None:
    from caselink.platform.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="npm ci"):
        await load_standing_data(conn, tmp_path)


def test_ensure_loaded_reports_what_is_loaded_in_one_line(settings: Settings) -> None:
    assert settings.database_url
    line = ensure_loaded(settings.database_url, settings.assets_dir)
    assert line == f"Standing data {PACKAGE_NAME} {package_version(package_dir(settings.assets_dir))} is loaded."


def test_status_command_prints_version_and_counts(settings: Settings) -> None:
    from caselink.cli import app

    set_settings(settings)
    try:
        result = CliRunner().invoke(app, ["reference", "status"])
    finally:
        set_settings(None)
    assert result.exit_code == 0, result.output
    assert PACKAGE_NAME in result.output
    assert "offences" in result.output and "30,356" in result.output
    assert "verdict" in result.output and "units (caselink)" in result.output


def test_load_command_says_when_there_is_nothing_to_do(settings: Settings) -> None:
    from caselink.cli import app

    set_settings(settings)
    try:
        result = CliRunner().invoke(app, ["reference", "load"])
    finally:
        set_settings(None)
    assert result.exit_code == 0, result.output
    assert "already loaded" in result.output
