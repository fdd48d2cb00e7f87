"""Case readiness: national checklists from the pack, area overrides, and the status rule."""

from __future__ import annotations

import datetime as dt

import pytest

from caselink.courts.rules import HearingType
from caselink.platform.errors import ValidationFailed
from caselink.prosecution.rules import (
    AreaChecklistOverride,
    CaseFact,
    ChecklistItem,
    FactState,
    ItemKind,
    ReadinessStatus,
    apply_area_override,
    national_checklist,
    readiness,
)

TODAY = dt.date(2025, 3, 3)
TRIAL = national_checklist(HearingType.TRIAL, TODAY)
TRIAL_FACTS = {
    CaseFact.DISCLOSURE_INITIAL_DONE: FactState.YES,
    CaseFact.DEFENCE_STATEMENT_REVIEWED: FactState.YES,
    CaseFact.WITNESSES_WARNED: FactState.YES,
    CaseFact.SPECIAL_MEASURES_APPLIED: FactState.YES,
}


def in_days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def test_every_hearing_type_with_a_checklist_has_one_in_the_national_pack():
    for hearing in (HearingType.FIRST_HEARING, HearingType.PTPH, HearingType.TRIAL, HearingType.SENTENCE):
        assert national_checklist(hearing, TODAY).items
    with pytest.raises(ValidationFailed):
        national_checklist(HearingType.OTHER, TODAY)


def test_all_items_done_is_ready_whatever_the_date():
    for days in (30, 3, 0, -2):
        result = readiness(TRIAL, TRIAL_FACTS, {"trial-bundle-ready"}, in_days(days), TODAY)
        assert result.status is ReadinessStatus.READY
        assert result.outstanding == ()
        assert result.days_to_hearing == days


def test_outstanding_items_are_at_risk_beyond_n_days_and_not_ready_within_them():
    assert TRIAL.not_ready_within_days == 14
    facts = {**TRIAL_FACTS, CaseFact.WITNESSES_WARNED: FactState.NO}
    assert readiness(TRIAL, facts, {"trial-bundle-ready"}, in_days(15), TODAY).status is ReadinessStatus.AT_RISK
    assert readiness(TRIAL, facts, {"trial-bundle-ready"}, in_days(14), TODAY).status is ReadinessStatus.NOT_READY
    past = readiness(TRIAL, facts, {"trial-bundle-ready"}, in_days(-1), TODAY)
    assert past.status is ReadinessStatus.NOT_READY and past.days_to_hearing == -1
    assert [(o.item.id, o.fact_state) for o in past.outstanding] == [("witnesses-warned", FactState.NO)]
    assert (past.done_count, past.item_count) == (4, 5)


def test_a_missing_fact_is_unknown_and_outstanding_and_a_tick_never_overrides_a_computed_item():
    result = readiness(TRIAL, {}, {"trial-bundle-ready", "witnesses-warned", "no-longer-listed"}, in_days(30), TODAY)
    assert [o.item.id for o in result.outstanding] == [
        "disclosure-initial",
        "defence-statement-reviewed",
        "witnesses-warned",
        "special-measures",
    ]
    assert {o.fact_state for o in result.outstanding} == {FactState.UNKNOWN}


def test_manual_items_are_done_only_when_ticked():
    result = readiness(TRIAL, TRIAL_FACTS, set(), in_days(30), TODAY)
    assert [(o.item.id, o.fact_state) for o in result.outstanding] == [("trial-bundle-ready", None)]


def test_an_area_removes_and_adds_items_and_changes_n():
    national = national_checklist(HearingType.FIRST_HEARING, TODAY)
    local = apply_area_override(
        national,
        AreaChecklistOverride(
            "CPS-LONDON-NORTH",
            HearingType.FIRST_HEARING,
            remove_item_ids=("victim-views-on-bail",),
            add_items=(ChecklistItem("interpreter-booked", "Interpreter booked where needed", ItemKind.MANUAL),),
            not_ready_within_days=3,
        ),
    )
    assert [i.id for i in local.items] == ["idpc-served", "antecedents-served", "interpreter-booked"]
    assert local.not_ready_within_days == 3
    facts = {CaseFact.IDPC_SERVED: FactState.YES, CaseFact.ANTECEDENTS_SERVED: FactState.YES}
    assert readiness(local, facts, set(), in_days(3), TODAY).status is ReadinessStatus.NOT_READY
    assert readiness(local, facts, {"interpreter-booked"}, in_days(3), TODAY).status is ReadinessStatus.READY


def test_an_area_can_replace_an_item_by_removing_and_adding_its_id():
    national = national_checklist(HearingType.FIRST_HEARING, TODAY)
    replaced = ChecklistItem("victim-views-on-bail", "Victim contacted by the witness care unit", ItemKind.MANUAL)
    local = apply_area_override(
        national,
        AreaChecklistOverride("A", HearingType.FIRST_HEARING, ("victim-views-on-bail",), (replaced,)),
    )
    assert local.items[-1] == replaced


def test_bad_area_overrides_are_refused_with_paths():
    national = national_checklist(HearingType.FIRST_HEARING, TODAY)
    with pytest.raises(ValidationFailed) as exc:
        apply_area_override(
            national,
            AreaChecklistOverride(
                "A",
                HearingType.TRIAL,
                remove_item_ids=("no-such-item",),
                add_items=(
                    ChecklistItem("idpc-served", "Again", ItemKind.MANUAL),
                    ChecklistItem("x", "", ItemKind.COMPUTED),
                    ChecklistItem("y", "Manual with a fact", ItemKind.MANUAL, CaseFact.IDPC_SERVED),
                ),
                not_ready_within_days=-1,
            ),
        )
    assert {e.field for e in exc.value.errors} == {
        "hearing_type",
        "remove_item_ids.0",
        "add_items.0.id",
        "add_items.1.text",
        "add_items.1.fact",
        "add_items.2.fact",
        "not_ready_within_days",
    }
