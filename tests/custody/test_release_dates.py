"""Release-date arithmetic against hand-worked cases, bad input, and properties.

Counting (PSI 03/2015, as the HMPPS calculate-release-dates service does): a term of N days from
day S has its SED on S + N - 1; a release point at fraction f falls on S + ceil(N x f) - 1 ("day
ceil(N x f) counting S as day 1"); HDC eligibility falls on S + (days to serve first); credit for
remand and tagged bail moves every date earlier by that many days.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from caselink.custody.rules import (
    RELEASE_RULES,
    DateKind,
    Length,
    OffenceFlag,
    ReleaseDateInputError,
    ReleaseDates,
    SentenceCalculationInput,
    SentenceKind,
    SentenceTerm,
    calculate_release_dates,
)
from caselink.platform.errors import ValidationFailed

D = dt.date


def calc(*terms: SentenceTerm, remand: int = 0, tagged_bail: int = 0) -> ReleaseDates:
    return calculate_release_dates(SentenceCalculationInput(terms, remand_days=remand, tagged_bail_days=tagged_bail))


def term(
    sentenced: dt.date,
    length: Length,
    *,
    id: str = "1",
    offence: dt.date | None = None,
    flags: set[OffenceFlag] | None = None,
    consecutive_to: str | None = None,
) -> SentenceTerm:
    return SentenceTerm(
        id=id,
        sentence_date=sentenced,
        offence_date=offence or sentenced - dt.timedelta(days=60),
        length=length,
        consecutive_to=consecutive_to,
        flags=frozenset(flags or ()),
    )


def summary(result: ReleaseDates) -> dict[str, dt.date]:
    return {d.kind.value: d.date for d in result.dates()}


def test_two_years_sentenced_march_2023_stays_at_half():
    """2 years from 1 March 2023 runs to 28 February 2025: 731 days (29 February 2024 inside).
    Half: 365.5, rounded up 366 -> day 366 = 29 February 2024 (CRD). SDS40 came on 10 September 2024,
    after release, so it does not apply. SED = LED = 28 February 2025.
    HDC under 2022.1 (passed then): most of 28, ceil(366/2) = 183, 366 - 135 = 231 -> 231 days:
    18 October 2023. The 2023 Order (180 days) applied to those in custody on 6 June 2023:
    most of 28, 183, 366 - 180 = 186 -> 186 days: 3 September 2023, earlier, so it wins."""
    result = calc(term(D(2023, 3, 1), Length(years=2)))
    assert summary(result) == {
        "CRD": D(2024, 2, 29),
        "HDCED": D(2023, 9, 3),
        "LED": D(2025, 2, 28),
        "SED": D(2025, 2, 28),
    }
    assert result.crd is not None and result.crd.rule_pack == "custody.sds-release 2022.1"
    assert result.hdced is not None and result.hdced.rule_pack == "custody.sds-release 2023.1"


def test_two_years_sentenced_march_2024_moves_to_forty_percent_when_sds40_commences():
    """2 years from 1 March 2024: 730 days to 28 February 2026 (SED).
    At half (2023.1): 365 days -> 28 February 2025. The person is still inside on 10 September 2024,
    when SDS40 (2024.1) commenced for sentences being served: 40% of 730 = 292 -> day 292 =
    17 December 2024, after the tranche-1 date, so CRD = 17 December 2024.
    HDC under 2023.1: most of 28, ceil(365/2) = 183, 365 - 180 = 185 -> 2 September 2024; under
    2024.1 it would be 146 days (25 July 2024) but not before 10 September 2024 -> the earlier
    2 September 2024 stands. (The law did not apply SDS40 only to new sentences.)"""
    result = calc(term(D(2024, 3, 1), Length(years=2)))
    assert summary(result) == {
        "CRD": D(2024, 12, 17),
        "HDCED": D(2024, 9, 2),
        "LED": D(2026, 2, 28),
        "SED": D(2026, 2, 28),
    }
    assert result.crd is not None
    assert result.crd.rule_pack == "custody.sds-release 2024.1"
    assert any("10 September 2024" in step for step in result.crd.steps)
    assert result.rule_packs == ("custody.sds-release 2023.1", "custody.sds-release 2024.1")


def test_two_years_sentenced_october_2024_at_forty_percent():
    """2 years from 1 October 2024: 730 days to 30 September 2026. 40% = 292 -> 19 July 2025.
    HDC: most of 28, ceil(292/2) = 146, 292 - 180 = 112 -> 146 days: 24 February 2025."""
    result = calc(term(D(2024, 10, 1), Length(years=2)))
    assert summary(result) == {
        "CRD": D(2025, 7, 19),
        "HDCED": D(2025, 2, 24),
        "LED": D(2026, 9, 30),
        "SED": D(2026, 9, 30),
    }
    assert result.crd is not None and result.crd.kind is DateKind.CRD
    assert result.crd.rule_pack == "custody.sds-release 2024.1"


def test_excluded_offence_stays_at_half_after_sds40():
    """Same 2 years from 1 October 2024 for a listed domestic abuse offence: excluded from SDS40,
    half = 365 -> 30 September 2025. HDC: most of 28, 183, 185 -> 185 days: 4 April 2025."""
    result = calc(term(D(2024, 10, 1), Length(years=2), flags={OffenceFlag.DOMESTIC_ABUSE}))
    assert result.crd is not None and result.crd.date == D(2025, 9, 30)
    assert result.hdced is not None and result.hdced.date == D(2025, 4, 4)
    assert any("excluded from SDS40" in step for step in result.crd.steps)


def test_violent_offence_excluded_only_from_four_years():
    """Violent offence, 3 years from 6 January 2025: 1,095 days, 40% = 438 -> 19 March 2026.
    Violent offence, 4 years: 1,461 days, excluded, half = 730.5 -> 731 -> 6 January 2027."""
    three = calc(term(D(2025, 1, 6), Length(years=3), flags={OffenceFlag.VIOLENT}))
    four = calc(term(D(2025, 1, 6), Length(years=4), flags={OffenceFlag.VIOLENT}))
    assert three.release_date == D(2026, 3, 19)
    assert four.release_date == D(2027, 1, 6)
    assert four.hdced is None  # 4 years or more: no HDC


def test_twelve_months_with_thirty_days_remand():
    """12 months from 6 January 2025: 365 days, SED 5 January 2026. 40% = 146 -> 31 May 2025.
    30 days' remand: CRD 1 May 2025, SED = LED 6 December 2025.
    HDC: most of 28, ceil(146/2) = 73, 146 - 180 -> 73 days = 20 March 2025, less 30 = 18 February
    2025 (not before 14 days after sentence). TUSED: 12 months after release = 1 May 2026."""
    result = calc(term(D(2025, 1, 6), Length(months=12)), remand=30)
    assert summary(result) == {
        "CRD": D(2025, 5, 1),
        "HDCED": D(2025, 2, 18),
        "LED": D(2025, 12, 6),
        "SED": D(2025, 12, 6),
        "TUSED": D(2026, 5, 1),
    }


def test_tagged_bail_credit_counts_like_remand():
    """The same 12 months with 10 days' remand and 20 days' tagged-bail credit: the same dates."""
    assert summary(calc(term(D(2025, 1, 6), Length(months=12)), remand=10, tagged_bail=20)) == summary(
        calc(term(D(2025, 1, 6), Length(months=12)), remand=30)
    )


def test_two_consecutive_terms_are_aggregated():
    """6 months from 3 February 2025 (181 days, to 2 August 2025) then 9 months consecutive
    (3 August 2025 to 2 May 2026, 273 days): 454 days in all, SED 2 May 2026.
    Custodial period = 40% of 181 + 40% of 273 = 72.4 + 109.2 = 181.6 -> 182: CRD 3 August 2025.
    HDC: most of 28, 91, 182 - 180 -> 91 days: 5 May 2025. The aggregate is under 2 years and the
    licence ends within 12 months of release, so TUSED = 3 August 2026."""
    result = calc(
        term(D(2025, 2, 3), Length(months=6), id="A"),
        term(D(2025, 2, 3), Length(months=9), id="B", consecutive_to="A"),
    )
    assert summary(result) == {
        "CRD": D(2025, 8, 3),
        "HDCED": D(2025, 5, 5),
        "LED": D(2026, 5, 2),
        "SED": D(2026, 5, 2),
        "TUSED": D(2026, 8, 3),
    }
    assert result.crd is not None and any("consecutive" in step for step in result.crd.steps)


def test_concurrent_terms_take_the_latest_of_each_date():
    """Concurrent, both from 10 January 2025: A 27 months (820 days, SED 9 April 2027) at 40% = 328
    -> 3 December 2025; B 2 years for a domestic abuse offence (730 days) at half = 365 ->
    9 January 2026. CRD is B's (later), SED and LED are A's. HDC from B: 185 days -> 14 July 2025."""
    result = calc(
        term(D(2025, 1, 10), Length(months=27), id="A"),
        term(D(2025, 1, 10), Length(years=2), id="B", flags={OffenceFlag.DOMESTIC_ABUSE}),
    )
    assert summary(result) == {
        "CRD": D(2026, 1, 9),
        "HDCED": D(2025, 7, 14),
        "LED": D(2027, 4, 9),
        "SED": D(2027, 4, 9),
    }


def test_short_sentence_with_top_up_supervision():
    """4 months from 3 March 2025: 122 days, SED 2 July 2025. 40% = 48.8 -> 49: CRD 20 April 2025.
    HDC: most of 28, 25, - -> 28 days: 31 March 2025. Licence ends within 12 months of release,
    so TUSED = 20 April 2026."""
    result = calc(term(D(2025, 3, 3), Length(months=4), offence=D(2025, 2, 1)))
    assert summary(result) == {
        "CRD": D(2025, 4, 20),
        "HDCED": D(2025, 3, 31),
        "LED": D(2025, 7, 2),
        "SED": D(2025, 7, 2),
        "TUSED": D(2026, 4, 20),
    }
    assert result.tused is not None and "12 months after release" in result.tused.steps[-1]


def test_sds40_tranche_one_release_no_earlier_than_commencement():
    """18 months from 15 January 2024: 547 days. Half = 274 -> 14 October 2024. 40% = 219 ->
    20 August 2024, before SDS40 commenced, so release on 10 September 2024."""
    result = calc(term(D(2024, 1, 15), Length(months=18)))
    assert result.release_date == D(2024, 9, 10)
    assert result.crd is not None and any("earliest release" in step for step in result.crd.steps)


def test_sds40_tranche_two_for_five_years_or_more():
    """6 years from 4 January 2022: 2,191 days. Half = 1,096 -> 3 January 2025. 40% = 877 ->
    29 May 2024, but terms of 5 years or more were released no earlier than 22 October 2024."""
    assert calc(term(D(2022, 1, 4), Length(years=6))).release_date == D(2024, 10, 22)


def test_sds_plus_two_thirds_and_no_hdc():
    """8 years from 4 May 2021 for a violent offence with a maximum of life (SDS+, SI 2020/158):
    2,922 days, two-thirds = 1,948 -> 2 September 2026; SDS40 never shortens it; no HDC."""
    result = calc(term(D(2021, 5, 4), Length(years=8), flags={OffenceFlag.VIOLENT, OffenceFlag.MAX_LIFE}))
    assert result.release_date == D(2026, 9, 2)
    assert result.hdced is None
    assert result.crd is not None and result.crd.rule_pack == "custody.sds-release 2020.1"


def test_one_day_term_is_automatic_release_without_licence():
    result = calc(term(D(2025, 1, 6), Length(days=1)))
    assert summary(result) == {"ARD": D(2025, 1, 6), "SED": D(2025, 1, 6)}


def test_under_twelve_months_for_offence_before_february_2015_is_automatic_release():
    """6 months from 1 June 2015 for an offence in December 2014: 183 days, half = 92 ->
    ARD 31 August 2015, no licence and no top-up supervision."""
    result = calc(term(D(2015, 6, 1), Length(months=6), offence=D(2014, 12, 1)))
    assert result.ard is not None and result.ard.date == D(2015, 8, 31)
    assert result.crd is None and result.led is None and result.tused is None


def test_extended_sentence_parole_eligibility():
    """EDS, 6-year custodial term from 6 January 2025 (2,191 days) and 4-year extension:
    PED at two-thirds = 1,461 days -> 5 January 2029; CRD at the end of the custodial term,
    5 January 2031; SED = LED at the end of the extension, 5 January 2035."""
    eds = SentenceTerm(
        "1", D(2025, 1, 6), D(2024, 1, 1), Length(years=6), kind=SentenceKind.EDS, extension=Length(years=4)
    )
    result = calc(eds)
    assert summary(result) == {
        "CRD": D(2031, 1, 5),
        "PED": D(2029, 1, 5),
        "LED": D(2035, 1, 5),
        "SED": D(2035, 1, 5),
    }


def test_every_date_explains_itself_and_names_its_rules():
    result = calc(term(D(2025, 1, 6), Length(months=12)), remand=30)
    for date in result.dates():
        assert date.steps, date.kind
        assert date.rule_pack.startswith("custody.sds-release ")


# -- bad input --------------------------------------------------------------------------------


def errors_of(*terms: SentenceTerm, remand: int = 0) -> dict[str, str]:
    with pytest.raises(ReleaseDateInputError) as caught:
        calc(*terms, remand=remand)
    assert isinstance(caught.value, ValidationFailed)
    return {e.field: e.message for e in caught.value.errors}


def test_negative_length_is_refused():
    errors = errors_of(term(D(2025, 1, 6), Length(months=-3)))
    assert "must not be negative" in errors["terms.0.length"]


def test_zero_length_is_refused():
    assert "at least 1 day" in errors_of(term(D(2025, 1, 6), Length()))["terms.0.length"]


def test_consecutive_to_a_missing_term_is_refused():
    errors = errors_of(term(D(2025, 1, 6), Length(months=3), id="A", consecutive_to="Z"))
    assert errors["terms.0.consecutive_to"] == "Term A is consecutive to Z, but there is no term Z"


def test_a_loop_of_consecutive_terms_is_refused():
    errors = errors_of(
        term(D(2025, 1, 6), Length(months=3), id="A", consecutive_to="B"),
        term(D(2025, 1, 6), Length(months=3), id="B", consecutive_to="A"),
    )
    assert set(errors) == {"terms.0.consecutive_to", "terms.1.consecutive_to"}


def test_remand_longer_than_the_sentence_is_refused():
    errors = errors_of(term(D(2025, 1, 6), Length(months=1)), remand=40)
    assert "longer than the sentence (31 days)" in errors["remand_days"]


def test_offence_after_sentence_date_is_refused():
    errors = errors_of(term(D(2025, 1, 6), Length(months=6), offence=D(2025, 2, 1)))
    assert "after the sentence date" in errors["terms.0.offence_date"]


def test_sentence_before_the_first_rule_pack_is_refused():
    errors = errors_of(term(D(2010, 1, 6), Length(months=6)))
    assert "earliest (2015.1) starts on 1 February 2015" in errors["terms.0.sentence_date"]


def test_several_problems_reported_together():
    errors = errors_of(
        term(D(2025, 1, 6), Length(days=-1), id="A"),
        term(D(2025, 1, 6), Length(months=2), id="B", offence=D(2025, 3, 1), consecutive_to="C"),
    )
    assert set(errors) == {"terms.0.length", "terms.1.offence_date", "terms.1.consecutive_to"}


# -- properties ---------------------------------------------------------------------------------

FLAG_SETS = st.sets(st.sampled_from(list(OffenceFlag)), max_size=3)
LENGTHS = st.builds(
    Length,
    years=st.integers(0, 12),
    months=st.integers(0, 11),
    days=st.integers(0, 30),
).filter(lambda length: length != Length())
SENTENCE_DATES = st.dates(D(2015, 2, 1), D(2030, 12, 31))


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[SentenceTerm], int]:
    sentenced = draw(SENTENCE_DATES)
    count = draw(st.integers(1, 3))
    terms = []
    for i in range(count):
        consecutive = i > 0 and draw(st.booleans())
        terms.append(
            term(
                sentenced,
                draw(LENGTHS),
                id=str(i),
                offence=sentenced - dt.timedelta(days=draw(st.integers(0, 400))),
                flags=draw(FLAG_SETS),
                consecutive_to=str(i - 1) if consecutive else None,
            )
        )
    return terms, draw(st.integers(0, 20))


def calc_or_none(terms: list[SentenceTerm], remand: int) -> ReleaseDates | None:
    """None when the generated remand is as long as the sentence (refused, tested above)."""
    try:
        return calc(*terms, remand=remand)
    except ReleaseDateInputError as exc:
        assert [e.field for e in exc.errors] == ["remand_days"]
        return None


@settings(max_examples=150, deadline=None)
@given(cases())
def test_dates_keep_their_order(case: tuple[list[SentenceTerm], int]):
    terms, remand = case
    result = calc_or_none(terms, remand)
    assume(result is not None)
    assert result is not None
    assert result.release_date <= result.sed.date
    if result.hdced is not None:
        assert result.hdced.date < result.release_date
    if result.led is not None:
        assert result.led.date == result.sed.date
    if result.tused is not None:
        assert result.tused.date > result.sed.date
    assert result.release_date >= max(t.sentence_date for t in terms)


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(1, 30))
def test_more_remand_never_makes_release_later(case: tuple[list[SentenceTerm], int], extra: int):
    terms, remand = case
    base = calc_or_none(terms, remand)
    assume(base is not None)
    assert base is not None
    try:
        more = calc(*terms, remand=remand + extra)
    except ReleaseDateInputError:
        return  # the extra remand would exceed the sentence itself
    assert more.release_date <= base.release_date
    assert more.sed.date <= base.sed.date


@settings(max_examples=100, deadline=None)
@given(SENTENCE_DATES, LENGTHS, LENGTHS)
def test_a_consecutive_term_never_brings_release_forward(sentenced: dt.date, first: Length, second: Length):
    alone = calc(term(sentenced, first, id="A"))
    both = calc(term(sentenced, first, id="A"), term(sentenced, second, id="B", consecutive_to="A"))
    assert both.release_date >= alone.release_date
    assert both.sed.date > alone.sed.date


def test_rule_pack_series_is_continuous_from_2015():
    """Every day from 1 February 2015 onwards has exactly one version in force."""
    packs = list(RELEASE_RULES.series())
    assert packs[0].effective_from == D(2015, 2, 1)
    for earlier, later in itertools.pairwise(packs):
        assert earlier.effective_to is not None
        assert earlier.effective_to + dt.timedelta(days=1) == later.effective_from, (earlier.version, later.version)
    assert packs[-1].effective_to is None
