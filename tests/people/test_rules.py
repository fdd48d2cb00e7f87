"""Identifier rules: the domain's examples, the forms people type, and the check characters."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caselink.people import rules
from caselink.people.rules import IdentifierType

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize("value", ["2002/0073319Z", "1979/0163001B", "1981/0000034U"])
def test_domain_pnc_examples_are_valid_and_canonical(value: str) -> None:
    parsed = rules.parse_pnc(value, TODAY)
    assert parsed.valid and parsed.canonical == value and parsed.reason is None


@pytest.mark.parametrize(
    "typed",
    ["2002/0073319Z", "2002/73319Z", "02/73319Z", "0273319Z", "200273319Z", "020073319Z", " 2002/0073319z "],
)
def test_pnc_long_and_short_forms_give_one_canonical_value(typed: str) -> None:
    assert rules.parse_pnc(typed, TODAY).canonical == "2002/0073319Z"


def test_pnc_two_digit_year_up_to_this_year_is_this_century() -> None:
    assert rules.pnc_century_year(26, TODAY) == 2026
    assert rules.pnc_century_year(27, TODAY) == 1927
    assert rules.parse_pnc("79/163001B", TODAY).canonical == "1979/0163001B"


def test_pnc_short_form_display() -> None:
    assert rules.pnc_short_form("2002/0073319Z") == "02/73319Z"


@pytest.mark.parametrize(
    ("value", "reason_part"),
    [
        ("2002/0073319A", "check letter"),
        ("2099/0073319Z", "year"),
        ("200/0073319Z", "form"),
        ("2002/00733191Z", "form"),
        ("PNC", "form"),
        ("", "form"),
    ],
)
def test_invalid_pnc_keeps_raw_text_and_says_why(value: str, reason_part: str) -> None:
    parsed = rules.parse_pnc(value, TODAY)
    assert not parsed.valid
    assert parsed.raw == value
    assert parsed.reason and reason_part in parsed.reason


@pytest.mark.parametrize(("value", "canonical"), [("65656/91H", "065656/91H"), ("SF05/482703J", "SF05/482703J")])
def test_domain_cro_examples_are_valid(value: str, canonical: str) -> None:
    parsed = rules.parse_cro(value)
    assert parsed.valid and parsed.canonical == canonical


def test_cro_short_sf_serial_accepted_under_either_reading() -> None:
    # Sources disagree on padding short SF serials: both readings are accepted.
    padded = rules.check_letter(int("05" + "001234"))
    as_written = rules.check_letter(int("05" + "1234"))
    assert padded != as_written
    assert rules.parse_cro(f"SF05/1234{padded}").canonical == f"SF05/001234{padded}"
    assert rules.parse_cro(f"SF05/001234{padded}").canonical == f"SF05/001234{padded}"
    assert rules.parse_cro(f"SF05/1234{as_written}").canonical == f"SF05/1234{as_written}"
    wrong = next(c for c in rules.CHECK_ALPHABET if c not in {padded, as_written})
    assert not rules.parse_cro(f"SF05/1234{wrong}").valid


@pytest.mark.parametrize("value", ["65656/91A", "1234567/91H", "SF5/482703J", "91/65656H"])
def test_invalid_cro(value: str) -> None:
    parsed = rules.parse_cro(value)
    assert not parsed.valid and parsed.reason


def test_prison_number_and_crn() -> None:
    assert rules.parse_prison_number("a1234bc").canonical == "A1234BC"
    assert not rules.parse_prison_number("A123BC").valid
    assert rules.parse_crn(" x123456 ").canonical == "X123456"
    assert not rules.parse_crn("X12345").valid


def test_urn_is_normalised_and_displayed() -> None:
    parsed = rules.parse_urn("01/ab/12345/24")
    assert parsed.valid and parsed.canonical == "01AB1234524"
    assert rules.urn_display(parsed.canonical) == "01/AB/12345/24"
    assert not rules.parse_urn("01AB123424").valid


def test_asn_long_and_short_forms() -> None:
    long_form = rules.make_asn(21, "01", "ZD", "01", 448754)
    assert long_form == "2101ZD0100000448754Z"
    assert rules.parse_asn(long_form).valid
    assert rules.parse_asn("21/01ZD/01/448754Z").canonical == long_form
    assert not rules.parse_asn("2101ZD0100000448754A").valid
    assert not rules.parse_asn("21/01ZD/448754Z").valid


@pytest.mark.parametrize("value", ["AB123456C", "ab 12 34 56 c", "JZ943576D", "OA123456A"])
def test_valid_nino(value: str) -> None:
    parsed = rules.parse_nino(value)
    assert parsed.valid and " " not in parsed.canonical


@pytest.mark.parametrize(
    "value",
    [
        "QQ123456C",
        "DA123456A",
        "AO123456A",
        "BG123456A",
        "GB123456A",
        "NK123456A",
        "TN123456A",
        "ZZ123456A",
        "AB123456E",
        "AB12345C",
        "A1234567C",
    ],
)
def test_invalid_nino(value: str) -> None:
    parsed = rules.parse_nino(value)
    assert not parsed.valid and parsed.reason


def test_nino_display() -> None:
    assert rules.nino_display("AB123456C") == "AB 12 34 56 C"


def test_dispatch_by_name_and_recognise() -> None:
    assert rules.is_valid("PNC", "2002/0073319Z", TODAY)
    assert not rules.is_valid(IdentifierType.CRN, "2002/0073319Z")
    assert [i.type for i in rules.recognise("02/73319Z", TODAY)] == [IdentifierType.PNC]
    assert [i.type for i in rules.recognise("A1234BC")] == [IdentifierType.PRISON_NUMBER]
    assert IdentifierType.URN not in rules.PERSON_IDENTIFIER_TYPES


# --- properties: generated values validate; one wrong character is caught where the check covers it


def _corrupt_one(value: str, positions: list[int], data: st.DataObject) -> str:
    position = data.draw(st.sampled_from(positions))
    original = value[position]
    pool = "0123456789" if original.isdigit() else rules.CHECK_ALPHABET
    replacement = data.draw(st.sampled_from([c for c in pool if c != original]))
    return value[:position] + replacement + value[position + 1 :]


@given(year=st.integers(1900, 2026), serial=st.integers(0, 9_999_999), data=st.data())
def test_pnc_round_trip_and_corruption(year: int, serial: int, data: st.DataObject) -> None:
    value = rules.make_pnc(year, serial)
    assert rules.parse_pnc(value, TODAY).canonical == value
    assert rules.parse_pnc(rules.pnc_short_form(value), TODAY).canonical == value or year < 1927
    # The century is not part of the check (only the 2-digit year is), so it is left alone.
    corrupted = _corrupt_one(value, [2, 3, *range(5, 13)], data)
    assert not rules.parse_pnc(corrupted, TODAY).valid


@given(serial=st.integers(0, 999_999), year=st.integers(0, 99), data=st.data())
def test_cro_round_trip_and_corruption(serial: int, year: int, data: st.DataObject) -> None:
    value = rules.make_cro(serial, year)
    assert rules.parse_cro(value).canonical == value
    assert rules.parse_cro(value.lstrip("0") if not value.startswith("000000") else value).canonical == value
    assert not rules.parse_cro(_corrupt_one(value, [0, 1, 2, 3, 4, 5, 7, 8, 9], data)).valid


@given(serial=st.integers(100_000, 999_999), year=st.integers(0, 99), data=st.data())
def test_sf_cro_round_trip_and_corruption(serial: int, year: int, data: st.DataObject) -> None:
    value = rules.make_sf_cro(year, serial)
    assert rules.parse_cro(value).canonical == value
    assert not rules.parse_cro(_corrupt_one(value, [2, 3, 5, 6, 7, 8, 9, 10, 11], data)).valid


@given(
    year=st.integers(0, 99),
    force=st.integers(1, 99),
    unit=st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=2, max_size=2),
    system=st.integers(0, 99),
    sequence=st.integers(0, 99_999_999_999),
    data=st.data(),
)
def test_asn_round_trip_and_corruption(
    year: int, force: int, unit: str, system: int, sequence: int, data: st.DataObject
) -> None:
    value = rules.make_asn(year, f"{force:02d}", unit, f"{system:02d}", sequence)
    assert rules.parse_asn(value).canonical == value
    # The unit (characters 5-6) is not part of the check; year, force, system, sequence and check are.
    positions = [0, 1, 2, 3, 6, 7, *range(8, 20)]
    corrupted = _corrupt_one(value, positions, data)
    assert not rules.parse_asn(corrupted).valid


@given(
    prefix=st.sampled_from(rules.NINO_VALID_PREFIXES), digits=st.integers(0, 999_999), suffix=st.sampled_from("ABCD")
)
def test_nino_generated_from_valid_prefixes_validate(prefix: str, digits: int, suffix: str) -> None:
    assert rules.parse_nino(f"{prefix}{digits:06d}{suffix}").valid


@given(st.text(max_size=30))
def test_parsers_never_raise_and_keep_raw(raw: str) -> None:
    for kind in IdentifierType:
        parsed = rules.parse(kind, raw, TODAY)
        assert parsed.raw == raw
        assert parsed.valid == (parsed.reason is None)


# --- names and postcodes


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Siobhán O'Brien-Ní Dhuibhir", "siobhan obrien ni dhuibhir"),
        ("  SMITH  ", "smith"),
        ("Łukasz Wałęsa", "lukasz walesa"),
        ("Müller", "muller"),
        ("Strauß", "strauss"),
        ("St. John", "st john"),
        ("D’Arcy", "darcy"),
        ("Smith-Jones", "smith jones"),
    ],
)
def test_fold_name(name: str, folded: str) -> None:
    assert rules.fold_name(name) == folded


def test_double_barrelled_variants() -> None:
    assert rules.name_variants("Smith-Jones") == {"smith jones", "smithjones", "smith", "jones"}
    assert rules.name_variants("Smith") == {"smith"}
    assert rules.name_variants("--") == set()
    assert rules.name_parts("Mary-Jane O'Neill") == ["mary", "jane", "oneill"]


@given(st.text(max_size=40))
def test_fold_name_is_idempotent(name: str) -> None:
    assert rules.fold_name(rules.fold_name(name)) == rules.fold_name(name)


def test_postcodes() -> None:
    assert rules.normalise_postcode("sw1a1aa") == "SW1A 1AA"
    assert rules.normalise_postcode(" cf10 1aa ") == "CF10 1AA"
    assert rules.normalise_postcode("M1 1AE") == "M1 1AE"
    assert rules.normalise_postcode("12345") is None
    assert rules.postcode_area("CF10 1AA") == "CF"
    assert rules.postcode_area("M1 1AE") == "M"
