"""The area events carry for subscription filters (docs/decisions/0048): pure rules."""

from __future__ import annotations

from caselink.organisations.rules import event_area, region_code
from caselink.sharing.rules import AREA_CODE


def test_region_codes_are_lower_case_words_joined_by_hyphens_and_valid_filter_codes() -> None:
    for name, code in (
        ("North West", "north-west"),
        ("London", "london"),
        ("Durham, County", "durham-county"),
        ("Yorkshire and the Humber", "yorkshire-and-the-humber"),
    ):
        assert region_code(name) == code
        assert AREA_CODE.match(code)
    assert region_code(None) is None and region_code("  ") is None


def test_an_event_area_names_the_unit_and_its_region_when_it_has_one() -> None:
    assert event_area("PS-NE-NEW", "North East") == {"unitCode": "PS-NE-NEW", "regionCode": "north-east"}
    assert event_area("01ZD00", None) == {"unitCode": "01ZD00"}
    assert event_area(None, None) == {}
