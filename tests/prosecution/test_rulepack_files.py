"""The prosecution packs refuse malformed content with the key path at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from caselink.platform.rulepacks import RulePackInvalid, read_pack_file
from caselink.prosecution.rules import parse_ctl_rules, parse_readiness_rules

HEADER = 'name = "{name}"\nversion = "1"\neffective_from = 2024-01-01\ntitle = "t"\nsources = ["s"]\n'


def problems(tmp_path: Path, name: str, body: str, parse) -> set[str]:
    path = tmp_path / "pack.toml"
    path.write_text(HEADER.format(name=name) + body, encoding="utf-8")
    with pytest.raises(RulePackInvalid) as exc:
        read_pack_file(path, parse)
    return {p.path for p in exc.value.problems}


def test_readiness_pack_items_must_agree_with_their_kind_and_cover_every_hearing(tmp_path):
    body = """
[[checklist]]
hearing_type = "trial"
not_ready_within_days = 14

[[checklist.item]]
id = "a"
text = "Computed without a fact"
kind = "computed"

[[checklist.item]]
id = "c"
text = "Unknown fact"
kind = "computed"
fact = "moon_is_full"

[[checklist.item]]
id = "a"
text = "Manual with a fact, and a repeated id"
kind = "manual"
fact = "idpc_served"
"""
    found = problems(tmp_path, "prosecution.readiness", body, parse_readiness_rules)
    assert {
        "checklist.0.item.0.fact",
        "checklist.0.item.1.fact",
        "checklist.0.item.2.fact",
        "checklist.0.item",
        "checklist",
    } <= found


def test_ctl_pack_rows_are_checked(tmp_path):
    body = """
[[limit]]
id = "x"
description = "d"
regulation = "r"
court = "county"
offence_modes = ["summary_only", "treason"]
age_groups = ["adult"]
days = 0
reduced_days = 56

[[warning]]
days_before = 28
task = "t"
tsak = "typo"
"""
    found = problems(tmp_path, "prosecution.custody-time-limits", body, parse_ctl_rules)
    assert found == {
        "limit.0.court",
        "limit.0.offence_modes.1",
        "limit.0.days",
        "limit.0.reduced_days",
        "warning.0.tsak",
    }
