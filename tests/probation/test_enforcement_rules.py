"""The enforcement rule pack and the pure warning-then-breach decision."""

from __future__ import annotations

from datetime import date

from caselink.probation.supervision_rules import (
    ENFORCEMENT_RULES,
    BreachRoute,
    EnforcementKind,
    decide_enforcement,
    enforcement_pack_on,
)


def test_the_enforcement_pack_loads_with_a_policy_for_every_kind_of_case() -> None:
    series = ENFORCEMENT_RULES.reload()
    assert [p.version for p in series] == ["2015.1"]
    pack = enforcement_pack_on(date(2025, 3, 10))
    assert pack.label == "probation.enforcement 2015.1"
    assert set(pack.content.policies) == {"community_order", "suspended_sentence", "licence"}
    assert pack.content.policy_for("licence").route is BreachRoute.RECALL


def _order_policy():  # type: ignore[no-untyped-def]
    return enforcement_pack_on(date(2025, 3, 10)).content.policy_for("community_order")


def test_first_failure_is_a_warning_and_the_second_within_twelve_months_a_breach() -> None:
    policy = _order_policy()
    first = decide_enforcement(policy, date(2025, 3, 10), [])
    assert first.kind is EnforcementKind.WARNING and first.failures_in_window == 1
    second = decide_enforcement(policy, date(2026, 3, 9), [date(2025, 3, 10)])
    assert second.kind is EnforcementKind.BREACH and second.failures_in_window == 2
    assert second.due_working_days == policy.breach_due_working_days


def test_a_failure_older_than_the_window_no_longer_counts() -> None:
    later = decide_enforcement(_order_policy(), date(2026, 3, 10), [date(2025, 3, 10)])
    assert later.kind is EnforcementKind.WARNING
    assert later.window_start == date(2025, 3, 11)


def test_failures_before_a_breach_do_not_count_again_and_an_open_breach_gathers_further_failures() -> None:
    policy = _order_policy()
    after = decide_enforcement(
        policy, date(2025, 6, 1), [date(2025, 3, 1), date(2025, 4, 1)], last_breach_on=date(2025, 4, 1)
    )
    assert after.kind is EnforcementKind.WARNING and after.failures_in_window == 1
    added = decide_enforcement(policy, date(2025, 6, 1), [date(2025, 4, 1)], breach_open=True)
    assert added.kind is EnforcementKind.ADDED_TO_BREACH and added.due_working_days is None


def test_a_licence_breach_goes_to_a_recall_review() -> None:
    policy = enforcement_pack_on(date(2025, 3, 10)).content.policy_for("licence")
    second = decide_enforcement(policy, date(2025, 3, 10), [date(2025, 2, 1)])
    assert second.kind is EnforcementKind.RECALL_REVIEW
