"""Pleas, outcomes per charge, trial effectiveness and remand decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caselink.courts.rules import (
    ChargeOutcome,
    ChargeResult,
    CourtType,
    DiscontinuanceReason,
    HearingType,
    Plea,
    RemandDecision,
    TrialEffectiveness,
    TrialOutcome,
    TrialReason,
    charge_result_errors,
    check_charge_results,
    convicted_charges,
    court_type_from_code,
    hearing_type_from_code,
    plea_from_code,
    remand_decision_from_code,
    trial_outcome_errors,
)
from caselink.platform.errors import ValidationFailed

STANDING_DATA = Path(__file__).parents[2] / "node_modules/@moj-bichard7-developers/bichard7-next-data/dist/data"


def standing_codes(name: str) -> set[str]:
    path = STANDING_DATA / name
    if not path.exists():
        pytest.skip(f"standing data {name} is not installed (npm install)")
    return {row["cjsCode"] for row in json.loads(path.read_text()) if row["cjsCode"]}


def test_every_plea_and_remand_code_in_the_standing_data_maps():
    assert {plea_from_code(code) for code in standing_codes("plea-status.json")} == set(Plea)
    assert {remand_decision_from_code(code) for code in standing_codes("remand-status.json")} == set(RemandDecision)


def test_unknown_codes_are_refused_with_the_field():
    with pytest.raises(ValidationFailed) as exc:
        plea_from_code("XX", field="pleas.2.code")
    assert exc.value.errors[0].field == "pleas.2.code"
    with pytest.raises(ValidationFailed):
        remand_decision_from_code("ZZ")


def test_court_and_hearing_types_from_standing_data():
    assert court_type_from_code("CC") is CourtType.CROWN
    assert court_type_from_code("mca") is CourtType.MAGISTRATES
    assert court_type_from_code("MCY") is CourtType.MAGISTRATES
    assert court_type_from_code("COA") is CourtType.UNKNOWN
    assert hearing_type_from_code("FH") is HearingType.FIRST_HEARING
    assert hearing_type_from_code("TRIAL") is HearingType.TRIAL
    assert hearing_type_from_code("SWPSR") is HearingType.SENTENCE
    assert hearing_type_from_code("BA") is HearingType.OTHER
    known = standing_codes("type-of-hearing.json")
    assert {"FH", "FHEAH", "FHEFH", "PDH", "TRIAL", "STPSR", "SWPSR", "DS", "CS", "CSPBV"} <= known


def test_remand_in_custody_or_to_local_authority_counts_for_custody_time_limits():
    counting = {d for d in RemandDecision if d.counts_for_custody_time_limit}
    assert counting == {
        RemandDecision.CUSTODY,
        RemandDecision.LOCAL_AUTHORITY_ACCOMMODATION,
        RemandDecision.YOUTH_DETENTION_ACCOMMODATION,
    }


def test_convictions_are_guilty_pleas_convictions_after_trial_and_proofs_in_absence():
    assert {o for o in ChargeOutcome if o.is_conviction} == {
        ChargeOutcome.GUILTY_PLEA,
        ChargeOutcome.CONVICTED_AFTER_TRIAL,
        ChargeOutcome.PROVED_IN_ABSENCE,
    }


def test_outcomes_on_charges_before_the_court_are_accepted():
    check_charge_results(
        ["c1", "c2", "c3"],
        [
            ChargeResult("c1", ChargeOutcome.GUILTY_PLEA),
            ChargeResult("c2", ChargeOutcome.DISCONTINUED, DiscontinuanceReason.PUBLIC_INTEREST),
            ChargeResult("c3", ChargeOutcome.WITHDRAWN, DiscontinuanceReason.CHARGE_SUBSTITUTED),
        ],
    )


def test_a_verdict_on_a_charge_not_before_the_court_and_missing_reasons_are_refused():
    errors = charge_result_errors(
        ["c1", "c2"],
        [
            ChargeResult("c9", ChargeOutcome.ACQUITTED),
            ChargeResult("c1", ChargeOutcome.DISCONTINUED),
            ChargeResult("c1", ChargeOutcome.GUILTY_PLEA, DiscontinuanceReason.OTHER),
        ],
    )
    assert {(e.field, e.message) for e in errors} == {
        ("results.0.charge_id", "Charge c9 is not before the court"),
        ("results.1.reason", "Give the reason charge c1 was discontinued"),
        ("results.2.charge_id", "Charge c1 has more than one outcome"),
        ("results.2.reason", "Only a discontinued or withdrawn charge has a discontinuance reason"),
    }


def test_convicted_charges_from_results():
    results = [ChargeResult("c1", ChargeOutcome.GUILTY_PLEA), ChargeResult("c2", ChargeOutcome.ACQUITTED)]
    assert convicted_charges(results) == {"c1"}
    assert convicted_charges({"c1": ChargeOutcome.ACQUITTED, "c3": ChargeOutcome.PROVED_IN_ABSENCE}) == {"c3"}


def test_trial_effectiveness_needs_a_matching_reason():
    assert trial_outcome_errors(TrialOutcome(TrialEffectiveness.EFFECTIVE)) == []
    ok = TrialOutcome(TrialEffectiveness.INEFFECTIVE, TrialReason.PROSECUTION_NOT_READY)
    assert trial_outcome_errors(ok) == []
    assert trial_outcome_errors(TrialOutcome(TrialEffectiveness.CRACKED))[0].message == (
        "Give the reason the trial was cracked"
    )
    wrong = trial_outcome_errors(TrialOutcome(TrialEffectiveness.CRACKED, TrialReason.PROSECUTION_NOT_READY))
    assert wrong[0].field == "trial.reason"
    assert wrong[0].message == "That reason is for an ineffective trial, not a cracked one"
    assert trial_outcome_errors(TrialOutcome(TrialEffectiveness.EFFECTIVE, TrialReason.LATE_GUILTY_PLEA))
    assert {r.applies_to for r in TrialReason} == {TrialEffectiveness.INEFFECTIVE, TrialEffectiveness.CRACKED}
