"""The policy as configured: catalogue, roles, scopes, sharing rules, check() and can()."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caselink.organisations.rules import Agency
from caselink.platform.access import PERMISSIONS, ROLES, SCOPES, AccessLimit, Actor, LimitKind, Resource, can
from caselink.platform.access.actor import ANONYMOUS, SYSTEM, ActorKind
from caselink.platform.access.declare import _checker
from caselink.platform.access.policy import (
    ROLE_PERMISSIONS,
    SHARING_RULES,
    check,
    ensure,
    has_permission,
    permissions_of,
    reach_of,
)
from caselink.platform.access.rules import DataPurpose, Reach, Reason
from caselink.platform.errors import Forbidden, NotAuthenticated

ISSUE_ROLES = {
    "police_case_builder",
    "cps_lawyer",
    "cps_paralegal",
    "court_legal_adviser",
    "court_clerk",
    "prison_offender_manager",
    "prison_records_clerk",
    "probation_practitioner",
    "senior_probation_officer",
    "unpaid_work_supervisor",
    "area_administrator",
    "national_administrator",
    "training_administrator",
    "data_quality_officer",
    "analyst",
    "auditor",
}


def member(role: str, **kw: object) -> Actor:
    spec = ROLES[role]
    values: dict = {"agency": spec.agency, "unit_id": 10, "region": "London", "id": 7, "name": "u"} | kw
    return Actor(kind=ActorKind.STAFF, roles=frozenset({role}), **values)


def test_every_role_of_the_issue_is_defined_with_a_title() -> None:
    assert set(ROLES) == ISSUE_ROLES
    assert all(role.title for role in ROLES.values())


def test_catalogue_documents_every_permission_and_roles_grant_only_catalogued_ones() -> None:
    assert all(description.strip() for description in PERMISSIONS.values())
    for role, granted in ROLE_PERMISSIONS.items():
        assert granted <= set(PERMISSIONS), role
    for scope, granted in SCOPES.items():
        assert granted <= set(PERMISSIONS), scope


def test_role_agencies_are_real_agencies() -> None:
    assert {r.agency for r in ROLES.values()} - {None} <= {a.value for a in Agency}


def test_every_permission_is_granted_to_someone() -> None:
    assert set().union(*ROLE_PERMISSIONS.values()) == set(PERMISSIONS)


def test_scopes_follow_the_contract_shape() -> None:
    for scope in SCOPES:
        area, _, level = scope.partition(":")
        assert area and level in {"read", "write"}, scope
    assert "people:read" in SCOPES


@pytest.mark.parametrize(
    ("role", "permission", "held"),
    [
        ("cps_lawyer", "prosecution:charge", True),
        ("cps_paralegal", "prosecution:charge", False),
        ("probation_practitioner", "probation:write", True),
        ("probation_practitioner", "custody:write", False),
        ("court_clerk", "courts:results", True),
        ("auditor", "audit:read", True),
        ("auditor", "people:read", False),  # auditors see who looked, not the records themselves
        ("analyst", "people:read", False),
        ("analyst", "reports:read", True),
        ("national_administrator", "clients:manage", True),
        ("area_administrator", "clients:manage", False),
        ("data_quality_officer", "people:merge", True),
        ("training_administrator", "training:record", True),
        ("senior_probation_officer", "tasks:manage", True),
    ],
)
def test_role_permissions(role: str, permission: str, held: bool) -> None:
    assert has_permission(member(role), permission) is held


def test_every_staff_member_may_manage_their_own_account() -> None:
    assert all("account:self" in granted for granted in ROLE_PERMISSIONS.values())


def test_a_member_with_two_roles_holds_both_and_the_wider_reach() -> None:
    actor = Actor(kind=ActorKind.STAFF, id=1, roles=frozenset({"probation_practitioner", "senior_probation_officer"}))
    assert {"probation:write", "tasks:manage"} <= permissions_of(actor)
    assert reach_of(actor) is Reach.UNIT


def test_unknown_roles_grant_nothing() -> None:
    actor = Actor(kind=ActorKind.STAFF, id=1, roles=frozenset({"superuser"}))
    assert permissions_of(actor) == frozenset()
    assert reach_of(actor) is Reach.CASELOAD


def test_api_client_permissions_come_from_its_scopes() -> None:
    client = Actor(kind=ActorKind.CLIENT, id=3, name="c", agency="prison", scopes=frozenset({"people:read", "x:y"}))
    assert permissions_of(client) == {"people:read", "reference:read"}
    assert reach_of(client) is Reach.AGENCY
    with pytest.raises(Forbidden):
        check(client, "people:write")  # a missing scope is 403


def test_check_answers_401_for_nobody_and_403_without_the_permission() -> None:
    with pytest.raises(NotAuthenticated):
        check(ANONYMOUS, "people:read")
    with pytest.raises(Forbidden, match="people:merge"):
        check(member("cps_lawyer"), "people:merge")
    check(member("cps_lawyer"), "people:read")
    check(ANONYMOUS, "public")


def test_check_refuses_a_permission_missing_from_the_catalogue() -> None:
    with pytest.raises(Forbidden, match="Unknown permission"):
        check(SYSTEM, "people:reed")


def test_importing_the_package_installs_the_policy_behind_requires() -> None:
    assert _checker is check


def test_system_holds_every_permission() -> None:
    assert permissions_of(SYSTEM) == frozenset(PERMISSIONS)


def test_no_standing_rule_shares_police_intelligence() -> None:
    assert all(rule.purpose is not DataPurpose.POLICE_INTELLIGENCE for rule in SHARING_RULES)
    assert all(rule.basis for rule in SHARING_RULES)


# --- can(): scenarios from the issue -------------------------------------------------------------

CASE = Resource(
    kind="case_file",
    owning_agency="police",
    agencies=frozenset({"cps", "courts"}),
    unit_ids=frozenset({10, 11, 12}),
    regions=frozenset({"London"}),
    purposes=frozenset({DataPurpose.POLICE_INTELLIGENCE}),
)


def test_a_cps_lawyer_cannot_read_police_intelligence_that_was_not_shared() -> None:
    lawyer = member("cps_lawyer", unit_id=11)
    decision = can(lawyer, "people:read", CASE)
    assert not decision and decision.reason is Reason.PURPOSE_NOT_SHARED
    shared = Resource(**{**vars(CASE), "shared_with": frozenset({"cps"})})
    assert can(lawyer, "people:read", shared)


def test_a_probation_practitioner_sees_her_caseload_and_nothing_else() -> None:
    supervision = Resource(
        kind="supervision",
        owning_agency="probation",
        unit_ids=frozenset({10}),
        responsible_staff_ids=frozenset({7}),
    )
    assert can(member("probation_practitioner", id=7), "people:read", supervision)
    colleague = can(member("probation_practitioner", id=8), "people:read", supervision)
    assert not colleague and colleague.reason is Reason.OUT_OF_REACH
    # Her senior reaches the whole delivery unit.
    assert can(member("senior_probation_officer", id=9), "probation:write", supervision)


def test_prison_staff_see_bookings_at_their_own_establishment() -> None:
    booking = Resource(kind="booking", owning_agency="prison", unit_ids=frozenset({50}))
    assert can(member("prison_records_clerk", unit_id=50), "custody:write", booking)
    assert not can(member("prison_records_clerk", unit_id=51), "custody:write", booking)


def test_a_court_cannot_change_the_probation_record() -> None:
    supervision = Resource(kind="supervision", owning_agency="probation", unit_ids=frozenset({10}))
    decision = can(member("court_clerk", unit_id=10), "courts:results", supervision)
    assert decision.reason is Reason.OTHER_AGENCY


def test_data_quality_officers_merge_across_agencies() -> None:
    person = Resource(kind="person", owning_agency="police")
    assert can(member("data_quality_officer"), "people:merge", person)


def test_limited_access_person_shows_the_blocked_user_its_message() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    person = Resource(
        kind="person",
        unit_ids=frozenset({10}),
        responsible_staff_ids=frozenset({7}),
        limits=(
            AccessLimit(
                LimitKind.RESTRICTION, frozenset({7}), "Contact the Head of PDU.", ends_at=now + timedelta(days=1)
            ),
        ),
    )
    assert can(member("probation_practitioner", id=7), "people:read", person, now=now)
    blocked = can(member("senior_probation_officer", id=9), "people:read", person, now=now)
    assert not blocked and blocked.message == "Contact the Head of PDU."
    with pytest.raises(Forbidden, match="Contact the Head of PDU"):
        ensure(member("senior_probation_officer", id=9), "people:read", person, now=now)
    # Once the restriction ends, the senior reaches the record again.
    assert can(member("senior_probation_officer", id=9), "people:read", person, now=now + timedelta(days=2))


def test_ensure_refuses_nobody_with_401() -> None:
    with pytest.raises(NotAuthenticated):
        ensure(ANONYMOUS, "people:read", CASE)


def test_api_client_reaches_records_involving_its_agency() -> None:
    client = Actor(kind=ActorKind.CLIENT, id=3, name="c", agency="courts", scopes=frozenset({"people:read"}))
    plain = Resource(kind="case_file", owning_agency="police", agencies=frozenset({"courts"}))
    assert can(client, "people:read", plain)
    assert not can(client, "people:read", Resource(kind="case_file", owning_agency="police"))
