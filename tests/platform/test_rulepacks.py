"""Rule packs: every pack in the repository loads, selection by date, and clear errors."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest

import caselink
from caselink.platform.rulepacks import (
    NoRulePackInForce,
    RulePackFamily,
    RulePackInvalid,
    TableReader,
    load_all,
    pack_name_of,
    registered_families,
)

SRC = Path(caselink.__file__).parent


def import_every_rules_module() -> None:
    """Contexts register their pack series when their rules module is imported."""
    for module in pkgutil.iter_modules([str(SRC)]):
        if module.ispkg and (SRC / module.name / "rules.py").exists():
            importlib.import_module(f"caselink.{module.name}.rules")


def test_every_rule_pack_in_the_repository_loads():
    import_every_rules_module()
    files = sorted(SRC.glob("*/rulepacks/*.toml"))
    assert files, "expected rule packs under src/caselink/<context>/rulepacks/"
    families = registered_families()
    for file in files:
        assert pack_name_of(file) in families, f"{file} declares a name no context registers"
    for family in families.values():
        family.reload()  # fresh read of the files, not a cached copy
    loaded = load_all()
    assert {p.file for series in loaded.values() for p in series} == {str(f) for f in files}


# -- a small pack kind for testing the mechanism -------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    days: int
    share: Fraction


def parse_threshold(r: TableReader) -> Threshold:
    return Threshold(r.integer("days", minimum=0) or 0, r.fraction("share") or Fraction(0))


def write(folder: Path, filename: str, text: str) -> Path:
    path = folder / filename
    path.write_text(text, encoding="utf-8")
    return path


def pack(version: str, start: str, end: str | None = None, body: str = 'days = 3\nshare = "1/2"') -> str:
    lines = [
        'name = "test.threshold"',
        f'version = "{version}"',
        f"effective_from = {start}",
        *([f"effective_to = {end}"] if end else []),
        f'title = "Threshold {version}"',
        'sources = ["a test"]',
        body,
    ]
    return "\n".join(lines) + "\n"


def family(folder: Path) -> RulePackFamily[Threshold]:
    return RulePackFamily("test.threshold", folder, parse_threshold)


def test_selects_the_version_in_force_on_a_date(tmp_path: Path):
    write(tmp_path, "a.toml", pack("1", "2020-01-01", "2023-12-31"))
    write(tmp_path, "b.toml", pack("2", "2024-01-01", body='days = 5\nshare = "2/5"'))
    series = family(tmp_path).reload()
    assert series.in_force_on(dt.date(2023, 12, 31)).version == "1"
    chosen = series.in_force_on(dt.date(2024, 1, 1))
    assert chosen.version == "2"
    assert chosen.content == Threshold(5, Fraction(2, 5))
    assert chosen.label == "test.threshold 2"
    assert [p.version for p in series.commencing_after(dt.date(2022, 5, 1))] == ["2"]


def test_no_version_in_force_before_the_first(tmp_path: Path):
    write(tmp_path, "a.toml", pack("1", "2020-01-01"))
    with pytest.raises(NoRulePackInForce) as caught:
        family(tmp_path).reload().in_force_on(dt.date(2019, 6, 1))
    assert caught.value.detail == (
        "No version of test.threshold is in force on 1 June 2019: the earliest (1) starts on 1 January 2020"
    )


def test_no_version_in_force_in_a_gap(tmp_path: Path):
    write(tmp_path, "a.toml", pack("1", "2020-01-01", "2020-12-31"))
    write(tmp_path, "b.toml", pack("2", "2022-01-01"))
    with pytest.raises(NoRulePackInForce, match="in force on 1 June 2021"):
        family(tmp_path).reload().in_force_on(dt.date(2021, 6, 1))


def test_overlapping_versions_are_refused_at_load(tmp_path: Path):
    write(tmp_path, "a.toml", pack("1", "2020-01-01"))
    write(tmp_path, "b.toml", pack("2", "2024-01-01"))
    with pytest.raises(RulePackInvalid) as caught:
        family(tmp_path).reload()
    assert "versions 1 and 2 overlap: 1 has no end date but 2 starts on 1 January 2024" in str(caught.value)


def test_duplicate_versions_are_refused(tmp_path: Path):
    write(tmp_path, "a.toml", pack("1", "2020-01-01", "2020-12-31"))
    write(tmp_path, "b.toml", pack("1", "2021-01-01"))
    with pytest.raises(RulePackInvalid, match="1 is used by both"):
        family(tmp_path).reload()


def test_every_problem_in_a_file_is_reported_with_its_path(tmp_path: Path):
    write(
        tmp_path,
        "bad.toml",
        "\n".join(
            [
                'name = "test.threshold"',
                'version = "1"',
                'effective_from = "2020-01-01"',
                'title = "Bad"',
                'sources = ["a test"]',
                "days = -2",
                'share = "3/2"',
                "dayz = 4",
            ]
        ),
    )
    with pytest.raises(RulePackInvalid) as caught:
        family(tmp_path).reload()
    problems = {p.path: p.message for p in caught.value.problems}
    assert problems == {
        "effective_from": "must be a date written as YYYY-MM-DD (no quotes, no time)",
        "days": "must be 0 or more",
        "share": "must be more than 0 and at most 1",
        "dayz": "is not a known setting (check the spelling)",
    }
    assert "bad.toml" in str(caught.value)


def test_missing_header_and_bad_toml(tmp_path: Path):
    write(tmp_path, "a.toml", 'name = "test.threshold"\ndays = 1\nshare = "1/2"\n')
    with pytest.raises(RulePackInvalid) as caught:
        family(tmp_path).reload()
    assert {p.path for p in caught.value.problems} == {"version", "effective_from", "title", "sources"}

    write(tmp_path, "a.toml", 'name = "test.threshold"\nversion = \n')
    with pytest.raises(RulePackInvalid):
        family(tmp_path).reload()  # not TOML: the name cannot even be read, so no file is found


def test_end_before_start_is_refused(tmp_path: Path):
    write(tmp_path, "a.toml", pack("1", "2020-01-01", "2019-01-01"))
    with pytest.raises(RulePackInvalid, match="effective_to: must not be before effective_from"):
        family(tmp_path).reload()


def test_packs_load_once_and_are_cached(tmp_path: Path):
    write(tmp_path, "a.toml", pack("1", "2020-01-01"))
    fam = family(tmp_path)
    first = fam.series()
    (tmp_path / "a.toml").write_text("not toml at all =", encoding="utf-8")
    assert fam.series() is first  # computing never goes back to the disk
