"""Charging decisions under the Full Code Test: evidential stage, then public interest stage."""

from __future__ import annotations

import datetime as dt

import pytest

from caselink.platform.errors import ValidationFailed
from caselink.prosecution.rules import (
    ChargeLaid,
    ChargingDecision,
    ChargingOutcome,
    NfaReason,
    OffenceDecision,
    OutOfCourtDisposal,
    StageResult,
    SuspectDecision,
    charging_decision_errors,
    check_charging_decision,
    suspect_is_charged,
)

DECIDED = dt.date(2024, 5, 1)
MET, NOT_MET, NOT_REACHED = StageResult.MET, StageResult.NOT_MET, StageResult.NOT_REACHED
THEFT = ChargeLaid(
    "TH68001", "On 1 April 2024 at Leeds stole a mobile phone belonging to A Person", dt.date(2024, 4, 1)
)


def decision(*offences: OffenceDecision, reasons: str = "Reviewed the file against the Code") -> ChargingDecision:
    return ChargingDecision(DECIDED, reasons, (SuspectDecision("suspect-1", offences),))


def errors(*offences: OffenceDecision) -> dict[str, str]:
    return {e.field: e.message for e in charging_decision_errors(decision(*offences))}


def test_each_valid_outcome_is_accepted():
    check_charging_decision(
        decision(
            OffenceDecision("o1", MET, MET, ChargingOutcome.CHARGE, charges=(THEFT,)),
            OffenceDecision(
                "o2", NOT_MET, NOT_REACHED, ChargingOutcome.NO_FURTHER_ACTION, nfa_reason=NfaReason.EVIDENTIAL
            ),
            OffenceDecision(
                "o3", MET, NOT_MET, ChargingOutcome.NO_FURTHER_ACTION, nfa_reason=NfaReason.PUBLIC_INTEREST
            ),
            OffenceDecision(
                "o4",
                NOT_MET,
                NOT_REACHED,
                ChargingOutcome.FURTHER_EVIDENCE_NEEDED,
                action_plan_due=dt.date(2024, 5, 29),
                action_plan_actions=("Obtain the CCTV from the shop",),
            ),
            OffenceDecision(
                "o5",
                MET,
                NOT_MET,
                ChargingOutcome.OUT_OF_COURT_DISPOSAL,
                disposal=OutOfCourtDisposal.DIVERSIONARY_CAUTION,
            ),
        )
    )


def test_public_interest_stage_cannot_be_considered_when_the_evidential_stage_failed():
    found = errors(OffenceDecision("o1", NOT_MET, MET, ChargingOutcome.CHARGE, charges=(THEFT,)))
    path = "suspects.0.offences.0"
    assert "cannot be considered when the evidential stage is not met" in found[f"{path}.public_interest"]
    assert "needs both the evidential and public interest stages met" in found[f"{path}.outcome"]


def test_evidential_stage_must_be_recorded_and_public_interest_considered_once_it_is_met():
    found = errors(
        OffenceDecision(
            "o1",
            StageResult.NOT_RECORDED,
            NOT_REACHED,
            ChargingOutcome.NO_FURTHER_ACTION,
            nfa_reason=NfaReason.EVIDENTIAL,
        ),
        OffenceDecision("o2", MET, NOT_REACHED, ChargingOutcome.CHARGE, charges=(THEFT,)),
    )
    assert found["suspects.0.offences.0.evidential"] == "Record whether the evidential stage is met"
    assert "record whether the public interest stage is met" in found["suspects.0.offences.1.public_interest"]


def test_charge_needs_at_least_one_charge_with_code_and_wording():
    assert errors(OffenceDecision("o1", MET, MET, ChargingOutcome.CHARGE))["suspects.0.offences.0.charges"] == (
        "Add at least one charge"
    )
    found = errors(
        OffenceDecision("o1", MET, MET, ChargingOutcome.CHARGE, charges=(ChargeLaid(" ", "", dt.date(2024, 6, 1)),))
    )
    assert set(found) == {
        "suspects.0.offences.0.charges.0.offence_code",
        "suspects.0.offences.0.charges.0.wording",
        "suspects.0.offences.0.charges.0.offence_date",
    }


def test_no_further_action_needs_a_reason_that_matches_the_failed_stage():
    missing = errors(OffenceDecision("o1", NOT_MET, NOT_REACHED, ChargingOutcome.NO_FURTHER_ACTION))
    assert missing["suspects.0.offences.0.nfa_reason"] == "Give the reason for no further action"
    wrong = errors(
        OffenceDecision(
            "o1", NOT_MET, NOT_REACHED, ChargingOutcome.NO_FURTHER_ACTION, nfa_reason=NfaReason.PUBLIC_INTEREST
        )
    )
    assert "public interest" in wrong["suspects.0.offences.0.nfa_reason"]
    both_met = errors(
        OffenceDecision("o1", MET, MET, ChargingOutcome.NO_FURTHER_ACTION, nfa_reason=NfaReason.EVIDENTIAL)
    )
    assert set(both_met) == {"suspects.0.offences.0.nfa_reason", "suspects.0.offences.0.outcome"}


def test_further_evidence_needs_an_action_plan_due_after_the_decision():
    found = errors(
        OffenceDecision("o1", NOT_MET, NOT_REACHED, ChargingOutcome.FURTHER_EVIDENCE_NEEDED, action_plan_due=DECIDED)
    )
    assert found["suspects.0.offences.0.action_plan_due"] == "The action plan due date must be after the decision"
    assert found["suspects.0.offences.0.action_plan_actions"] == "Add at least one action for the police"


def test_out_of_court_disposal_needs_the_evidential_stage_and_a_disposal():
    found = errors(OffenceDecision("o1", NOT_MET, NOT_REACHED, ChargingOutcome.OUT_OF_COURT_DISPOSAL))
    assert set(found) == {"suspects.0.offences.0.outcome", "suspects.0.offences.0.disposal"}


def test_details_of_another_outcome_are_refused_not_dropped():
    found = errors(
        OffenceDecision(
            "o1",
            MET,
            NOT_MET,
            ChargingOutcome.NO_FURTHER_ACTION,
            charges=(THEFT,),
            nfa_reason=NfaReason.PUBLIC_INTEREST,
            disposal=OutOfCourtDisposal.COMMUNITY_CAUTION,
        )
    )
    assert set(found) == {"suspects.0.offences.0.charges", "suspects.0.offences.0.disposal"}


def test_reasons_suspects_and_duplicates_are_checked():
    empty = ChargingDecision(DECIDED, "  ", ())
    assert {e.field for e in charging_decision_errors(empty)} == {"reasons", "suspects"}
    charge = OffenceDecision("o1", MET, MET, ChargingOutcome.CHARGE, charges=(THEFT,))
    twice = ChargingDecision(
        DECIDED,
        "reasons",
        (SuspectDecision("s1", (charge, charge)), SuspectDecision("s1", (charge,)), SuspectDecision("s2", ())),
    )
    assert {e.field for e in charging_decision_errors(twice)} == {
        "suspects.0.offences.1.offence_ref",
        "suspects.1.suspect_ref",
        "suspects.2.offences",
    }
    with pytest.raises(ValidationFailed):
        check_charging_decision(empty)


def test_a_suspect_is_charged_when_any_offence_is_charged():
    charged = SuspectDecision(
        "s1",
        (
            OffenceDecision(
                "o1", NOT_MET, NOT_REACHED, ChargingOutcome.NO_FURTHER_ACTION, nfa_reason=NfaReason.EVIDENTIAL
            ),
            OffenceDecision("o2", MET, MET, ChargingOutcome.CHARGE, charges=(THEFT,)),
        ),
    )
    assert suspect_is_charged(charged)
    assert not suspect_is_charged(SuspectDecision("s2", charged.offences[:1]))
