"""Scoring of candidates (pure): the mistakes people make typing names and dates still match,
with reasons a person can read, and a name alone never counts as a strong match."""

from __future__ import annotations

from datetime import date

from caselink.people import matching
from caselink.people.matching import STRONG_MATCH, Candidate, NameQuery, RecordedName

DOB = date(1984, 3, 7)


def person(given: str, family: str, dob: date | None = DOB, *aliases: RecordedName, **extra: object) -> Candidate:
    return Candidate(1, [RecordedName(given, family), *aliases], dob, **extra)


def test_exact_name_and_date_of_birth_is_a_strong_match() -> None:
    match = matching.score(NameQuery("Gregor", "Munro", DOB), person("Gregor", "Munro"))
    assert match.score == 1.0
    assert match.reasons == [
        "family name Munro matches",
        "given name Gregor matches",
        "date of birth 07/03/1984 matches",
    ]


def test_typos_in_both_names_still_match_strongly() -> None:
    match = matching.score(NameQuery("Jonh", "Smtih", DOB), person("John", "Smith"))
    assert match.score >= STRONG_MATCH
    assert "family name Smtih is spelt like Smith" in match.reasons


def test_phonetic_variant_of_family_name() -> None:
    match = matching.score(NameQuery("Sarah", "Tomson", DOB), person("Sarah", "Thompson"))
    assert match.score >= STRONG_MATCH
    assert any("Tomson" in r and "Thompson" in r for r in match.reasons)


def test_nicknames_match_the_formal_name_and_each_other() -> None:
    bill = matching.score(NameQuery("Bill", "Turner", DOB), person("William", "Turner"))
    assert bill.score >= STRONG_MATCH
    assert "Bill is a short form of William" in bill.reasons
    peggy = matching.score(NameQuery("Peggy", "Turner", DOB), person("Maggie", "Turner"))
    assert "Peggy and Maggie are both forms of Margaret" in peggy.reasons


def test_swapped_given_and_family_names() -> None:
    match = matching.score(NameQuery("Munro", "Gregor", DOB), person("Gregor", "Munro"))
    assert match.score >= STRONG_MATCH
    assert match.reasons[0] == "given and family names swapped"
    # The straight reading of the same name scores higher than the swapped one.
    straight = matching.score(NameQuery("Gregor", "Munro", DOB), person("Gregor", "Munro"))
    assert straight.score > match.score


def test_day_and_month_transposed_in_date_of_birth() -> None:
    match = matching.score(NameQuery("Gregor", "Munro", date(1984, 7, 3)), person("Gregor", "Munro"))
    assert match.score >= STRONG_MATCH
    assert "date of birth matches with day and month swapped (07/03/1984)" in match.reasons
    assert matching.transposed(date(1984, 3, 13)) is None  # no 13th month
    assert matching.transposed(date(1984, 3, 3)) is None  # the same date


def test_hyphenated_and_double_barrelled_family_names() -> None:
    one_part = matching.score(NameQuery("Alys", "Rhys", DOB), person("Alys", "Abernethy-Rhys"))
    assert one_part.score >= STRONG_MATCH
    assert "family name Rhys matches part of Abernethy-Rhys" in one_part.reasons
    spaced = matching.score(NameQuery("Alys", "Abernethy Rhys", DOB), person("Alys", "Abernethy-Rhys"))
    assert spaced.score == 1.0


def test_a_different_date_of_birth_pulls_the_score_down() -> None:
    same = matching.score(NameQuery("Gregor", "Munro", DOB), person("Gregor", "Munro"))
    other = matching.score(NameQuery("Gregor", "Munro", DOB), person("Gregor", "Munro", date(1962, 11, 30)))
    assert other.score < matching.LIKELY_MATCH < same.score
    assert "date of birth differs (30/11/1962)" in other.reasons


def test_a_name_alone_is_never_a_strong_match() -> None:
    match = matching.score(NameQuery("Gregor", "Munro"), person("Gregor", "Munro"))
    assert matching.LIKELY_MATCH <= match.score < STRONG_MATCH
    typo = matching.score(NameQuery("Greogr", "Munro"), person("Gregor", "Munro"))
    assert typo.score < match.score  # still ranked below the exact name


def test_a_shared_identifier_is_decisive() -> None:
    query = NameQuery("Someone", "Else", identifiers=(("PNC", "2002/0073319Z"),))
    match = matching.score(query, person("Gregor", "Munro", identifiers=[("PNC", "2002/0073319Z")]))
    assert match.score == 1.0
    assert match.reasons == ["same PNC ID 2002/0073319Z"]


def test_an_alias_matches_and_says_so() -> None:
    candidate = person("Margaret", "Hale", DOB, RecordedName("Peggy", "Doyle", "MAIDEN"))
    match = matching.score(NameQuery("Peggy", "Doyle", DOB), candidate)
    assert match.score == 1.0
    assert "through the maiden name Peggy Doyle" in match.reasons


def test_postcode_adds_evidence() -> None:
    without = matching.score(NameQuery("Gregor", "Munr", DOB), person("Gregor", "Munro"))
    near = matching.score(
        NameQuery("Gregor", "Munr", DOB, postcode="CF10 1AA"), person("Gregor", "Munro", postcodes=["CF10 1AA"])
    )
    assert near.score > without.score
    assert "postcode CF10 1AA matches" in near.reasons


def test_unrelated_names_do_not_match() -> None:
    match = matching.score(NameQuery("Gregor", "Munro", DOB), person("Priya", "Shah", date(1990, 1, 1)))
    assert match.score < 0.3
    assert match.reasons == ["date of birth differs (01/01/1990)"]


def test_rank_orders_best_first_and_drops_below_minimum() -> None:
    candidates = [
        Candidate(3, [RecordedName("Gregor", "Munro")], date(1950, 1, 1)),
        Candidate(2, [RecordedName("Gregor", "Munro")], DOB),
        Candidate(1, [RecordedName("Priya", "Shah")], DOB),
    ]
    ranked = matching.rank(NameQuery("Gregor", "Munro", DOB), candidates, minimum=0.5)
    assert [m.person_id for m in ranked] == [2, 3]


def test_split_name_reads_both_orders() -> None:
    assert matching.split_name("John Smith") == ("John", "Smith")
    assert matching.split_name("Smith, John Paul") == ("John", "Smith")
    assert matching.split_name("John Paul Smith-Jones") == ("John", "Smith-Jones")
    assert matching.split_name("Smith") == ("", "Smith")


def test_nickname_keys_for_look_up() -> None:
    assert {"bill", "william", "will", "liam"} <= set(matching.given_name_keys("Bill"))
    assert matching.given_name_keys("Zebedee") == ["zebedee"]
