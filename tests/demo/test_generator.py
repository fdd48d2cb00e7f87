"""The synthetic people: the same seed gives the same people; every identifier is valid and unique."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from caselink.demo import data
from caselink.demo.generator import (
    ADDRESS_COLUMNS,
    IDENTIFIER_COLUMNS,
    NAME_COLUMNS,
    PERSON_COLUMNS,
    PeopleBatch,
    PeopleGenerator,
)
from caselink.people.rules import IdentifierType, fold_name, normalise_postcode, parse, postcode_area

REFERENCE_YEAR = 2026


def _generate(seed: int, people: int, batch_size: int) -> PeopleBatch:
    generator = PeopleGenerator(seed, REFERENCE_YEAR)
    merged = PeopleBatch()
    for start in range(0, people, batch_size):
        batch = generator.batch(range(start + 1, min(people, start + batch_size) + 1))
        for table in ("persons", "names", "identifiers", "addresses", "contacts"):
            getattr(merged, table).extend(getattr(batch, table))
    return merged


@pytest.fixture(scope="module")
def people() -> PeopleBatch:
    return _generate(seed=7, people=5_000, batch_size=5_000)


def test_same_seed_same_people_whatever_the_batch_size(people: PeopleBatch) -> None:
    again = _generate(seed=7, people=5_000, batch_size=777)
    assert again == people


def test_another_seed_gives_other_people(people: PeopleBatch) -> None:
    other = _generate(seed=8, people=200, batch_size=200)
    assert other.persons != people.persons[:200]


def test_rows_match_their_column_lists(people: PeopleBatch) -> None:
    assert {len(r) for r in people.persons} == {len(PERSON_COLUMNS)}
    assert {len(r) for r in people.names} == {len(NAME_COLUMNS)}
    assert {len(r) for r in people.identifiers} == {len(IDENTIFIER_COLUMNS)}
    assert {len(r) for r in people.addresses} == {len(ADDRESS_COLUMNS)}


def test_every_identifier_is_valid_canonical_and_unique(people: PeopleBatch) -> None:
    today = date(REFERENCE_YEAR, 6, 1)
    for _person_id, kind, value, raw, valid, source in people.identifiers:
        parsed = parse(kind, value, today)
        assert parsed.valid, (kind, value, parsed.reason)
        assert parsed.canonical == value == raw
        assert valid and source == "demo"
    pairs = Counter((kind, value) for _, kind, value, *_ in people.identifiers)
    assert pairs.most_common(1)[0][1] == 1


def test_identifier_shares_are_realistic(people: PeopleBatch) -> None:
    per_type = Counter(kind for _, kind, *_ in people.identifiers)
    n = len(people.persons)
    assert 0.80 * n < per_type[IdentifierType.PNC] < 0.90 * n
    assert 0.40 * n < per_type[IdentifierType.CRO] < 0.55 * n
    assert 0.70 * n < per_type[IdentifierType.NINO] < 0.80 * n
    assert per_type[IdentifierType.PRISON_NUMBER] > 0.15 * n
    assert per_type[IdentifierType.CRN] > 0.30 * n
    assert per_type[IdentifierType.ASN] > 0.10 * n


def test_people_are_varied_and_plausible(people: PeopleBatch) -> None:
    families = Counter(row[3] for row in people.persons)
    assert len(families) > 300
    assert families.most_common(1)[0][1] < 0.05 * len(people.persons)
    dobs = [row[4] for row in people.persons if row[4] is not None]
    ages = [REFERENCE_YEAR - d.year for d in dobs]
    assert min(ages) >= 15 and max(ages) <= 87
    young_adults = sum(18 <= a <= 40 for a in ages)
    assert young_adults > 0.5 * len(ages)
    assert 0.005 < 1 - len(dobs) / len(people.persons) < 0.05  # some dates of birth are missing


def test_about_one_in_ten_has_another_name(people: PeopleBatch) -> None:
    with_alias = {row[0] for row in people.names if row[1] != "PRIMARY"}
    assert 0.07 < len(with_alias) / len(people.persons) < 0.13
    assert all(row[5] == fold_name(row[2]) and row[6] == fold_name(row[4]) for row in people.names)


def test_postcodes_are_well_formed_for_the_towns_region(people: PeopleBatch) -> None:
    area_town = {(area, town) for region in data.REGIONS for area, town, _, _ in region.areas}
    for row in people.addresses:
        postcode, town, no_fixed_abode = row[6], row[4], row[7]
        if no_fixed_abode:
            assert postcode is None
            continue
        assert normalise_postcode(postcode) == postcode
        assert (postcode_area(postcode), town) in area_town
    current = Counter(row[0] for row in people.addresses if row[10])
    assert set(current.values()) == {1}  # one current address each
