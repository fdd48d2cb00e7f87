"""Sentence shapes and their statutory limits (pack courts.sentencing-limits)."""

from __future__ import annotations

import datetime as dt

import pytest

from caselink.courts.rules import (
    ChargeTerm,
    CommunityOrder,
    CustodialSentence,
    Discharge,
    DischargeKind,
    Disposal,
    Fine,
    Requirement,
    RequirementKind,
    Sentence,
    SuspendedSentence,
    TermRelation,
    check_sentence,
    describe_length_from,
    sentence_errors,
    sentencing_limits_on,
)
from caselink.custody.rules import Length
from caselink.platform.errors import ValidationFailed
from caselink.platform.rulepacks import NoRulePackInForce

SENTENCED = dt.date(2024, 3, 1)
CONVICTED = {"c1", "c2", "c3"}
UPW_100 = Requirement(RequirementKind.UNPAID_WORK, hours=100)


def errors(*disposals: Disposal, on: dt.date = SENTENCED) -> dict[str, str]:
    return {e.field: e.message for e in sentence_errors(Sentence(on, disposals), CONVICTED)}


def suspended(
    *terms: ChargeTerm, operational: Length = Length(years=1), **kw: tuple[Requirement, ...]
) -> SuspendedSentence:
    return SuspendedSentence(terms, operational, **kw)


def test_a_full_sentence_with_every_shape_is_accepted():
    check_sentence(
        Sentence(
            SENTENCED,
            (
                CustodialSentence(
                    (
                        ChargeTerm("c1", Length(months=12)),
                        ChargeTerm("c2", Length(months=6), TermRelation.CONSECUTIVE, consecutive_to="c1"),
                    )
                ),
                Fine("c1", 25_000),
                CommunityOrder(
                    ("c3",),
                    Length(years=2),
                    (
                        Requirement(RequirementKind.UNPAID_WORK, hours=300),
                        Requirement(RequirementKind.REHABILITATION_ACTIVITY, days=20),
                        Requirement(RequirementKind.PROGRAMME, days=26, detail="Building Better Relationships"),
                        Requirement(RequirementKind.CURFEW, hours_per_day=16, days_per_week=7, period=Length(months=6)),
                        Requirement(RequirementKind.EXCLUSION, period=Length(years=2), detail="Leeds city centre"),
                        Requirement(RequirementKind.DRUG_REHABILITATION, period=Length(months=6)),
                        Requirement(RequirementKind.ALCOHOL_TREATMENT, period=Length(months=6)),
                    ),
                ),
            ),
        ),
        CONVICTED,
    )


def test_a_sentence_without_a_conviction_is_refused():
    found = errors(CustodialSentence((ChargeTerm("c1", Length(months=3)), ChargeTerm("c9", Length(months=3)))))
    assert found == {"disposals.0.terms.1.charge_id": "Charge c9 has no conviction, so it cannot be sentenced"}
    assert "disposals.0.charge_ids.0" in errors(CommunityOrder(("c9",), Length(years=1), (UPW_100,)))
    assert errors() == {"disposals": "Add at least one sentence"}


def test_unpaid_work_must_be_between_40_and_300_hours():
    for hours in (40, 300):
        assert (
            errors(CommunityOrder(("c1",), Length(years=1), (Requirement(RequirementKind.UNPAID_WORK, hours=hours),)))
            == {}
        )
    for hours in (39, 301):
        found = errors(
            CommunityOrder(("c1",), Length(years=1), (Requirement(RequirementKind.UNPAID_WORK, hours=hours),))
        )
        assert found == {"disposals.0.requirements.0.hours": "Unpaid work must be between 40 and 300 hours"}


def test_suspended_sentence_term_must_be_14_days_to_2_years():
    assert errors(suspended(ChargeTerm("c1", Length(days=14)))) == {}
    assert errors(suspended(ChargeTerm("c1", Length(years=2)))) == {}
    for bad in (Length(days=13), Length(years=2, days=1)):
        found = errors(suspended(ChargeTerm("c1", bad)))
        assert found == {"disposals.0.terms.0.length": "A suspended sentence must be between 14 days and 2 years"}


def test_suspended_terms_together_must_not_exceed_2_years():
    found = errors(
        suspended(
            ChargeTerm("c1", Length(months=18)),
            ChargeTerm("c2", Length(months=18), TermRelation.CONSECUTIVE, consecutive_to="c1"),
        )
    )
    assert found == {"disposals.0.terms": "The terms together must not be more than 2 years"}
    # Concurrent terms do not add up.
    assert errors(suspended(ChargeTerm("c1", Length(months=18)), ChargeTerm("c2", Length(months=18)))) == {}


def test_operational_period_must_be_6_months_to_2_years():
    assert errors(suspended(ChargeTerm("c1", Length(months=3)), operational=Length(months=6))) == {}
    for bad in (Length(months=5), Length(years=2, days=1)):
        found = errors(suspended(ChargeTerm("c1", Length(months=3)), operational=bad))
        assert found == {
            "disposals.0.operational_period": "The operational period must be between 6 months and 2 years"
        }


def test_curfew_limits_follow_the_law_in_force_on_the_sentence_date():
    def curfew(hours: int, days: int, period: Length, on: dt.date) -> dict[str, str]:
        req = Requirement(RequirementKind.CURFEW, hours_per_day=hours, days_per_week=days, period=period)
        return errors(CommunityOrder(("c1",), Length(years=2), (req,)), on=on)

    # From 28 June 2022: 2 to 20 hours a day, at most 112 a week, for up to 2 years.
    assert curfew(20, 5, Length(years=2), SENTENCED) == {}
    assert curfew(21, 1, Length(months=1), SENTENCED) == {
        "disposals.0.requirements.0.hours_per_day": "A curfew must be between 2 and 20 hours a day"
    }
    weekly = curfew(20, 7, Length(months=1), SENTENCED)
    assert (
        "must not exceed 112 hours in any week (20 hours on 7 days is 140)"
        in weekly["disposals.0.requirements.0.hours_per_day"]
    )
    assert curfew(8, 7, Length(years=2, days=1), SENTENCED) == {
        "disposals.0.requirements.0.period": "A curfew can last at most 2 years"
    }
    # Before: 2 to 16 hours a day for up to 12 months, no weekly cap.
    before = dt.date(2022, 3, 1)
    assert curfew(16, 7, Length(months=12), before) == {}
    assert set(curfew(17, 7, Length(months=13), before)) == {
        "disposals.0.requirements.0.hours_per_day",
        "disposals.0.requirements.0.period",
    }
    assert sentencing_limits_on(before).label == "courts.sentencing-limits 2020.1"


def test_community_order_needs_a_requirement_and_at_most_3_years():
    found = errors(CommunityOrder(("c1",), Length(years=3, days=1), ()))
    assert found == {
        "disposals.0.length": "A community order can last at most 3 years",
        "disposals.0.requirements": "A community order needs at least one requirement",
    }


def test_requirements_need_their_details():
    found = errors(
        CommunityOrder(
            ("c1",),
            Length(years=1),
            (
                Requirement(RequirementKind.PROGRAMME),
                Requirement(RequirementKind.EXCLUSION),
                Requirement(RequirementKind.ALCOHOL_TREATMENT),
                Requirement(RequirementKind.CURFEW, hours_per_day=10, days_per_week=0, period=Length(months=1)),
            ),
        )
    )
    assert set(found) == {
        "disposals.0.requirements.0.days",
        "disposals.0.requirements.0.detail",
        "disposals.0.requirements.1.detail",
        "disposals.0.requirements.1.period",
        "disposals.0.requirements.2.period",
        "disposals.0.requirements.3.days_per_week",
    }


def test_fines_and_discharges():
    assert errors(Fine("c1", 0)) == {"disposals.0.amount_pence": "Enter a fine of more than £0"}
    assert errors(Discharge("c1", DischargeKind.ABSOLUTE)) == {}
    assert errors(Discharge("c1", DischargeKind.ABSOLUTE, Length(months=6))) == {
        "disposals.0.period": "An absolute discharge has no period"
    }
    assert errors(Discharge("c1", DischargeKind.CONDITIONAL, Length(years=3))) == {}
    assert errors(Discharge("c1", DischargeKind.CONDITIONAL, Length(years=3, months=1))) == {
        "disposals.0.period": "A conditional discharge can last at most 3 years"
    }
    assert errors(Discharge("c1", DischargeKind.CONDITIONAL)) == {
        "disposals.0.period": "Enter how long the conditional discharge lasts"
    }


def test_incompatible_sentences_on_one_charge_are_refused():
    found = errors(
        CustodialSentence((ChargeTerm("c1", Length(months=3)),)),
        CommunityOrder(("c1",), Length(years=1), (UPW_100,)),
        Discharge("c2", DischargeKind.ABSOLUTE),
        Fine("c2", 10_000),
    )
    assert found == {
        "disposals.1.charge_ids.0": "Charge c1: it already has a custodial sentence",
        "disposals.3.charge_id": "Charge c2: a fine cannot be combined with a discharge",
    }


def test_consecutive_terms_must_name_another_term_without_loops():
    found = errors(
        CustodialSentence(
            (
                ChargeTerm("c1", Length(months=3), TermRelation.CONSECUTIVE),
                ChargeTerm("c2", Length(months=3), TermRelation.CONSECUTIVE, consecutive_to="c2"),
                ChargeTerm("c3", Length(months=3), TermRelation.CONCURRENT, consecutive_to="c1"),
            )
        ),
        CustodialSentence((ChargeTerm("c9", Length()),)),
    )
    assert found == {
        "disposals.0.terms.0.consecutive_to": "Say which charge's term this one follows",
        "disposals.0.terms.1.consecutive_to": "A term cannot be consecutive to itself",
        "disposals.0.terms.2.consecutive_to": "A concurrent term is not consecutive to another",
        "disposals.1.terms.0.charge_id": "Charge c9 has no conviction, so it cannot be sentenced",
        "disposals.1.terms.0.length": "Enter the term for charge c9",
    }
    loop = errors(
        CustodialSentence(
            (
                ChargeTerm("c1", Length(months=3), TermRelation.CONSECUTIVE, consecutive_to="c2"),
                ChargeTerm("c2", Length(months=3), TermRelation.CONSECUTIVE, consecutive_to="c1"),
            )
        )
    )
    assert set(loop) == {"disposals.0.terms.0.consecutive_to", "disposals.0.terms.1.consecutive_to"}


def test_a_sentence_before_the_first_pack_is_refused_and_check_raises():
    with pytest.raises(NoRulePackInForce):
        sentence_errors(Sentence(dt.date(2019, 1, 1), (Fine("c1", 100),)), CONVICTED)
    with pytest.raises(ValidationFailed):
        check_sentence(Sentence(SENTENCED, (Fine("c1", -1),)), CONVICTED)


def test_describe_length_from_states_the_last_day():
    assert describe_length_from(SENTENCED, Length(months=6)) == "6 months (to 31 August 2024)"
