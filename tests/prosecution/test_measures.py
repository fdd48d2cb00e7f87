"""Outcome measures against hand-worked figures.

Ten finalised defendants (charge 1 January 2024, finalised N days later):

    court        outcome                  days
    magistrates  guilty plea               10
    magistrates  guilty plea               20
    magistrates  convicted after trial     30
    magistrates  discontinued              40
    magistrates  withdrawn                 50
    magistrates  acquitted                 60
    Crown        guilty plea               70
    Crown        convicted after trial     80
    Crown        acquitted                 90
    Crown        dismissed                200

Discontinuance rate: (discontinued 1 + withdrawn 1) / 10 = 2/10 = 20%.
Unsuccessful, magistrates': discontinued + withdrawn + acquitted = 3 of 6 = 50%.
Unsuccessful, Crown: acquitted + dismissed = 2 of 4 = 50%; with one more Crown guilty plea, 2 of 5 = 40%.
Charge to outcome: sum 650 / 10 = mean 65 days; sorted middle pair 50 and 60 → median 55 days.

Eight trials listed: 3 effective, 2 ineffective (prosecution not ready), 1 ineffective (defence not
ready), 2 cracked (late guilty plea) → prosecution not ready 2/8 = 25%.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from caselink.courts.rules import ChargeOutcome, CourtType, TrialEffectiveness, TrialReason
from caselink.prosecution.rules import (
    DurationSummary,
    FinalisedDefendant,
    ListedTrial,
    Rate,
    charge_to_outcome_days,
    defendant_outcome,
    discontinuance_rate,
    outcome_measures,
    prosecution_not_ready_ineffective_rate,
    unsuccessful_outcome_rate_by_court_type,
)

CHARGED = dt.date(2024, 1, 1)
MC, CC = CourtType.MAGISTRATES, CourtType.CROWN
Out = ChargeOutcome


def finalised(court: CourtType, outcome: ChargeOutcome, days: int) -> FinalisedDefendant:
    return FinalisedDefendant(court, outcome, CHARGED, CHARGED + dt.timedelta(days=days))


TEN = [
    finalised(MC, Out.GUILTY_PLEA, 10),
    finalised(MC, Out.GUILTY_PLEA, 20),
    finalised(MC, Out.CONVICTED_AFTER_TRIAL, 30),
    finalised(MC, Out.DISCONTINUED, 40),
    finalised(MC, Out.WITHDRAWN, 50),
    finalised(MC, Out.ACQUITTED, 60),
    finalised(CC, Out.GUILTY_PLEA, 70),
    finalised(CC, Out.CONVICTED_AFTER_TRIAL, 80),
    finalised(CC, Out.ACQUITTED, 90),
    finalised(CC, Out.DISMISSED, 200),
]

TRIALS = [
    *[ListedTrial(MC, TrialEffectiveness.EFFECTIVE)] * 3,
    *[ListedTrial(MC, TrialEffectiveness.INEFFECTIVE, TrialReason.PROSECUTION_NOT_READY)] * 2,
    ListedTrial(CC, TrialEffectiveness.INEFFECTIVE, TrialReason.DEFENCE_NOT_READY),
    *[ListedTrial(CC, TrialEffectiveness.CRACKED, TrialReason.LATE_GUILTY_PLEA)] * 2,
]


def test_discontinuance_rate_counts_discontinued_and_withdrawn():
    rate = discontinuance_rate(TEN)
    assert rate == Rate(2, 10)
    assert rate.value == Fraction(1, 5) and rate.percent == pytest.approx(20.0)


def test_unsuccessful_outcome_rate_by_court_type():
    rates = unsuccessful_outcome_rate_by_court_type(TEN)
    assert rates == {MC: Rate(3, 6), CC: Rate(2, 4)}
    with_one_more_plea = unsuccessful_outcome_rate_by_court_type([*TEN, finalised(CC, Out.GUILTY_PLEA, 5)])
    assert with_one_more_plea[CC].percent == pytest.approx(40.0)


def test_unknown_court_type_is_reported_separately_and_empty_courts_have_no_rate():
    rates = unsuccessful_outcome_rate_by_court_type([finalised(CourtType.UNKNOWN, Out.ACQUITTED, 5)])
    assert rates[CourtType.UNKNOWN] == Rate(1, 1)
    assert rates[MC] == Rate(0, 0) and rates[MC].value is None and rates[MC].percent is None


def test_ineffective_trials_because_the_prosecution_was_not_ready():
    assert prosecution_not_ready_ineffective_rate(TRIALS) == Rate(2, 8)


def test_time_from_charge_to_outcome_mean_and_median():
    assert charge_to_outcome_days(TEN) == DurationSummary(10, Fraction(65), Fraction(55))
    odd = charge_to_outcome_days(TEN[:3])  # 10, 20, 30 → mean 20, median 20
    assert odd == DurationSummary(3, Fraction(20), Fraction(20))
    half = charge_to_outcome_days(TEN[:2])  # 10, 20 → median 15
    assert half.median_days == Fraction(15)
    assert charge_to_outcome_days([]) == DurationSummary(0, None, None)


def test_all_measures_together():
    measures = outcome_measures(TEN, TRIALS)
    assert measures.finalised == 10
    assert measures.discontinuance == Rate(2, 10)
    assert measures.ineffective_prosecution_not_ready == Rate(2, 8)
    assert measures.charge_to_outcome.mean_days == 65


def test_a_defendant_is_convicted_if_convicted_on_any_charge():
    assert defendant_outcome([Out.DISCONTINUED, Out.GUILTY_PLEA, Out.ACQUITTED]) is Out.GUILTY_PLEA
    assert defendant_outcome([Out.ACQUITTED, Out.CONVICTED_AFTER_TRIAL]) is Out.CONVICTED_AFTER_TRIAL
    assert defendant_outcome([Out.DISCONTINUED, Out.WITHDRAWN]) is Out.WITHDRAWN
    assert defendant_outcome([Out.DISCONTINUED, Out.DISMISSED]) is Out.DISMISSED
    with pytest.raises(ValueError):
        defendant_outcome([])
