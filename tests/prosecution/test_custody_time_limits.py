"""Custody time limits against hand-worked dates, bad remand histories, and properties.

Counting (Prosecution of Offences (Custody Time Limits) Regulations 1987): the day custody began
is not counted (reg 2(4)), so a limit of L days from a remand on day S with U days already used
expires on S + (L - U); an expiry on a weekend or bank holiday moves back to the working day
before (reg 2(5)).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caselink.platform.errors import ValidationFailed
from caselink.platform.rulepacks import NoRulePackInForce
from caselink.prosecution.rules import (
    AgeGroup,
    CtlClock,
    CtlCourt,
    CtlInput,
    OffenceMode,
    RemandPeriod,
    custody_time_limit,
    offence_mode_from_category,
)

D = dt.date


def ctl(
    mode: OffenceMode,
    first: dt.date,
    *periods: tuple[dt.date, dt.date | None],
    age: AgeGroup = AgeGroup.ADULT,
    sent: dt.date | None = None,
    summary_trial: dt.date | None = None,
) -> CtlInput:
    return CtlInput(
        offence_mode=mode,
        age_group=age,
        first_appearance=first,
        remand_periods=tuple(RemandPeriod(a, b) for a, b in periods),
        sent_for_trial_on=sent,
        summary_trial_decided_on=summary_trial,
    )


def fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


def test_summary_only_limit_is_56_days_from_the_first_remand_with_warnings_28_and_7_days_before():
    # 2 Jan 2024 + 56 days = 27 Feb 2024 (a Tuesday).
    result = custody_time_limit(ctl(OffenceMode.SUMMARY_ONLY, D(2024, 1, 2), (D(2024, 1, 2), None)))
    assert result.clock is CtlClock.RUNNING
    assert result.court is CtlCourt.MAGISTRATES
    assert result.limit_days == 56
    assert result.expiry_date == D(2024, 2, 27)
    assert [(w.days_before, w.due_on) for w in result.warnings] == [(28, D(2024, 1, 30)), (7, D(2024, 2, 20))]
    assert result.rule_pack == "prosecution.custody-time-limits 2021.1"
    assert result.days_left_on(D(2024, 2, 20)) == 7


def test_bail_stops_the_clock_and_the_expiry_moves_later_by_the_days_on_bail():
    # In custody 2 to 12 Jan (10 days counted), on bail until 22 Jan, 46 days left:
    # 22 Jan + 46 days = 8 March 2024 (Friday), 10 days later than 27 Feb.
    result = custody_time_limit(
        ctl(OffenceMode.SUMMARY_ONLY, D(2024, 1, 2), (D(2024, 1, 2), D(2024, 1, 12)), (D(2024, 1, 22), None))
    )
    assert result.days_used_before_current_period == 10
    assert result.days_left_when_current_period_began == 46
    assert result.expiry_date == D(2024, 3, 8)


def test_on_bail_the_clock_is_stopped_with_no_expiry_date():
    result = custody_time_limit(ctl(OffenceMode.SUMMARY_ONLY, D(2024, 1, 2), (D(2024, 1, 2), D(2024, 1, 12))))
    assert result.clock is CtlClock.STOPPED
    assert result.expiry_date is None and result.warnings == ()
    assert result.days_left_on(D(2024, 6, 1)) == 46
    never = custody_time_limit(ctl(OffenceMode.SUMMARY_ONLY, D(2024, 1, 2)))
    assert never.clock is CtlClock.NOT_STARTED and never.days_left_on(D(2024, 1, 2)) == 56


def test_either_way_limit_is_70_days_or_56_when_summary_trial_is_decided_within_56_days():
    first = D(2024, 7, 1)
    # 1 July + 70 days = 9 September 2024 (Monday).
    assert custody_time_limit(ctl(OffenceMode.EITHER_WAY, first, (first, None))).expiry_date == D(2024, 9, 9)
    # 56 days: 26 August 2024 is the summer bank holiday, so the limit expires on Friday 23 August.
    decided = custody_time_limit(ctl(OffenceMode.EITHER_WAY, first, (first, None), summary_trial=D(2024, 8, 26)))
    assert decided.limit_days == 56
    assert decided.unadjusted_expiry_date == D(2024, 8, 26)
    assert decided.expiry_date == D(2024, 8, 23)
    assert any("reg 2(5)" in step for step in decided.steps)
    # Decided on day 57: the 70-day limit stands.
    late = custody_time_limit(ctl(OffenceMode.EITHER_WAY, first, (first, None), summary_trial=D(2024, 8, 27)))
    assert late.limit_days == 70


def test_an_expiry_on_christmas_day_moves_back_to_christmas_eve():
    # 30 October 2024 + 56 days = Wednesday 25 December 2024.
    result = custody_time_limit(ctl(OffenceMode.SUMMARY_ONLY, D(2024, 10, 30), (D(2024, 10, 30), None)))
    assert result.unadjusted_expiry_date == D(2024, 12, 25)
    assert result.expiry_date == D(2024, 12, 24)


def test_crown_court_limit_is_182_days_from_sending_less_custody_in_the_magistrates_court():
    # First appearance and remand 2 Jan 2024, sent 16 Jan after 14 days in the magistrates' custody:
    # 182 - 14 = 168 days from 16 Jan = 2 July 2024, the same as 2 Jan + 182.
    result = custody_time_limit(ctl(OffenceMode.EITHER_WAY, D(2024, 1, 2), (D(2024, 1, 2), None), sent=D(2024, 1, 16)))
    assert result.court is CtlCourt.CROWN
    assert result.limit_days == 182
    assert result.expiry_date == D(2024, 7, 2)
    # Indictable only, sent at the first hearing on 8 Jan: 8 Jan + 182 = Monday 8 July 2024.
    sent = custody_time_limit(
        ctl(OffenceMode.INDICTABLE_ONLY, D(2024, 1, 8), (D(2024, 1, 8), None), sent=D(2024, 1, 8))
    )
    assert sent.expiry_date == D(2024, 7, 8)


def test_coronavirus_pack_gives_238_days_to_crown_court_limits_starting_in_its_window():
    # Sent 1 October 2020 + 238 days = Thursday 27 May 2021.
    result = custody_time_limit(
        ctl(OffenceMode.INDICTABLE_ONLY, D(2020, 10, 1), (D(2020, 10, 1), None), sent=D(2020, 10, 1))
    )
    assert result.limit_days == 238
    assert result.expiry_date == D(2021, 5, 27)
    assert result.rule_pack == "prosecution.custody-time-limits 2020.1"
    after = custody_time_limit(
        ctl(OffenceMode.INDICTABLE_ONLY, D(2021, 6, 28), (D(2021, 6, 28), None), sent=D(2021, 6, 28))
    )
    assert after.limit_days == 182


def test_youth_tried_in_the_youth_court_for_an_indictable_only_offence_gets_the_either_way_limit():
    result = custody_time_limit(
        ctl(OffenceMode.INDICTABLE_ONLY, D(2024, 7, 1), (D(2024, 7, 1), None), age=AgeGroup.YOUTH)
    )
    assert result.limit.id == "youth-court-indictable"
    assert result.expiry_date == D(2024, 9, 9)


def test_adult_indictable_only_case_in_the_magistrates_court_asks_for_the_sending_date():
    with pytest.raises(ValidationFailed) as exc:
        custody_time_limit(ctl(OffenceMode.INDICTABLE_ONLY, D(2024, 7, 1), (D(2024, 7, 1), None)))
    assert "Enter the date it was sent" in fields(exc)["sent_for_trial_on"]


def test_overlapping_remand_periods_are_refused_naming_the_later_period():
    with pytest.raises(ValidationFailed) as exc:
        custody_time_limit(
            ctl(
                OffenceMode.SUMMARY_ONLY,
                D(2024, 1, 2),
                (D(2024, 1, 2), D(2024, 1, 30)),
                (D(2024, 1, 10), D(2024, 1, 12)),
                (D(2024, 1, 20), None),  # also inside the first period, though not the second
            )
        )
    errors = fields(exc)
    assert set(errors) == {"remand_periods.1.remanded_on", "remand_periods.2.remanded_on"}
    assert "overlaps the one from 2 January 2024 to 30 January 2024" in errors["remand_periods.2.remanded_on"]


def test_released_and_remanded_again_on_the_same_day_is_not_an_overlap():
    result = custody_time_limit(
        ctl(OffenceMode.SUMMARY_ONLY, D(2024, 1, 2), (D(2024, 1, 2), D(2024, 1, 12)), (D(2024, 1, 12), None))
    )
    assert result.expiry_date == D(2024, 2, 27)


def test_bad_remand_histories_are_refused_with_every_problem_and_its_path():
    with pytest.raises(ValidationFailed) as exc:
        custody_time_limit(
            ctl(
                OffenceMode.UNKNOWN,
                D(2024, 1, 10),
                (D(2024, 1, 5), D(2024, 1, 3)),
                (D(2024, 2, 1), None),
                (D(2024, 3, 1), None),
                age=AgeGroup.UNKNOWN,
                sent=D(2024, 1, 1),
            )
        )
    assert set(fields(exc)) == {
        "offence_mode",
        "age_group",
        "sent_for_trial_on",
        "remand_periods.0.remanded_on",
        "remand_periods.0.released_on",
        "remand_periods.2.released_on",
        "remand_periods.2.remanded_on",
    }


def test_a_limit_before_the_first_pack_is_refused():
    with pytest.raises(NoRulePackInForce):
        custody_time_limit(ctl(OffenceMode.SUMMARY_ONLY, D(2012, 1, 2), (D(2012, 1, 2), None)))


def test_offence_mode_comes_from_the_standing_data_category():
    assert offence_mode_from_category("CE") is OffenceMode.EITHER_WAY
    assert offence_mode_from_category("cm") is OffenceMode.SUMMARY_ONLY
    assert offence_mode_from_category("CI") is OffenceMode.INDICTABLE_ONLY
    assert offence_mode_from_category("CB") is OffenceMode.UNKNOWN
    assert offence_mode_from_category(None) is OffenceMode.UNKNOWN


@settings(max_examples=150, deadline=None)
@given(
    first=st.dates(D(2019, 1, 1), D(2027, 12, 31)),
    before_bail=st.integers(0, 40),
    bail=st.integers(0, 300),
    mode=st.sampled_from([OffenceMode.SUMMARY_ONLY, OffenceMode.EITHER_WAY]),
)
def test_expiry_moves_later_by_exactly_the_days_on_bail(first, before_bail, bail, mode):
    continuous = custody_time_limit(ctl(mode, first, (first, None)))
    released = first + dt.timedelta(days=before_bail)
    again = released + dt.timedelta(days=bail)
    broken = custody_time_limit(ctl(mode, first, (first, released), (again, None)))
    assert continuous.unadjusted_expiry_date is not None and broken.unadjusted_expiry_date is not None
    assert (broken.unadjusted_expiry_date - continuous.unadjusted_expiry_date).days == bail
    # The expiry itself is a court day no more than 4 days before the statutory one (Easter, Christmas).
    assert broken.expiry_date is not None
    assert 0 <= (broken.unadjusted_expiry_date - broken.expiry_date).days <= 4
    assert broken.expiry_date.weekday() < 5
