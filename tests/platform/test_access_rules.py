"""The pure access rules: reach, agency ownership of writes, data purposes, limited access, and
their combination in decide(). Each rule is tested on its own, then through the real policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caselink.platform.access.actor import ANONYMOUS, SYSTEM, Actor, ActorKind
from caselink.platform.access.rules import (
    AccessLimit,
    DataPurpose,
    LimitKind,
    Reach,
    Reason,
    Resource,
    SharingRule,
    agency_allows_write,
    decide,
    is_write,
    limited_access_allows,
    purpose_allows,
    reach_allows,
)

NOW = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)


def staff(
    id: int = 7,
    agency: str | None = "probation",
    unit_id: int | None = 10,
    region: str | None = "London",
    teams: frozenset[int] = frozenset(),
    roles: frozenset[str] = frozenset({"probation_practitioner"}),
) -> Actor:
    return Actor(
        kind=ActorKind.STAFF,
        id=id,
        name=f"user{id}",
        roles=roles,
        agency=agency,
        unit_id=unit_id,
        region=region,
        team_ids=teams,
    )


CLIENT = Actor(kind=ActorKind.CLIENT, id=3, name="nomis-sync", agency="prison", scopes=frozenset({"people:read"}))
RECORD = Resource(
    kind="supervision",
    owning_agency="probation",
    agencies=frozenset({"courts"}),
    unit_ids=frozenset({10, 20}),
    regions=frozenset({"London"}),
    responsible_staff_ids=frozenset({7}),
    responsible_team_ids=frozenset({99}),
)


# --- reach ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reach", "actor", "allowed"),
    [
        (Reach.NATIONAL, staff(unit_id=None, region=None), True),
        (Reach.CASELOAD, staff(id=7), True),
        (Reach.CASELOAD, staff(id=8), False),
        (Reach.CASELOAD, staff(id=8, teams=frozenset({99})), True),  # a team's shared caseload
        (Reach.CASELOAD, staff(id=8, teams=frozenset({98})), False),
        (Reach.UNIT, staff(unit_id=20), True),
        (Reach.UNIT, staff(unit_id=30), False),
        (Reach.UNIT, staff(unit_id=None), False),
        (Reach.REGION, staff(region="London"), True),
        (Reach.REGION, staff(region="Wales"), False),
        (Reach.REGION, staff(region=None), False),
        (Reach.AGENCY, staff(agency="probation"), True),  # the owner
        (Reach.AGENCY, staff(agency="courts"), True),  # an agency with a part in the record
        (Reach.AGENCY, staff(agency="police"), False),
        (Reach.AGENCY, staff(agency=None), False),
    ],
)
def test_reach(reach: Reach, actor: Actor, allowed: bool) -> None:
    decision = reach_allows(actor, reach, RECORD)
    assert bool(decision) is allowed
    if not allowed:
        assert decision.reason is Reason.OUT_OF_REACH and decision.message


def test_reach_messages_say_why() -> None:
    assert "caseload" in reach_allows(staff(id=8), Reach.CASELOAD, RECORD).message
    assert "unit" in reach_allows(staff(unit_id=1), Reach.UNIT, RECORD).message
    assert "region" in reach_allows(staff(region="Wales"), Reach.REGION, RECORD).message


# --- writes belong to the owning agency -----------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "write"),
    [("people:read", False), ("audit:read", False), ("people:write", True), ("people:merge", True)],
)
def test_is_write(action: str, write: bool) -> None:
    assert is_write(action) is write


def test_only_the_owning_agency_writes() -> None:
    assert agency_allows_write(staff(agency="probation"), "probation:write", RECORD, cross_agency_writer=False)
    refused = agency_allows_write(staff(agency="courts"), "courts:results", RECORD, cross_agency_writer=False)
    assert not refused and refused.reason is Reason.OTHER_AGENCY


def test_reads_cross_agencies_and_shared_records_take_any_writer() -> None:
    assert agency_allows_write(staff(agency="courts"), "people:read", RECORD, cross_agency_writer=False)
    person = Resource(kind="person")  # the person index belongs to no one agency
    assert agency_allows_write(staff(agency="courts"), "people:write", person, cross_agency_writer=False)


def test_national_data_roles_write_across_agencies() -> None:
    assert agency_allows_write(staff(agency=None), "people:merge", RECORD, cross_agency_writer=True)


# --- data purposes -------------------------------------------------------------------------------

RULES = (
    SharingRule(DataPurpose.VICTIM_DETAILS, "police", "cps", "to prosecute"),
    SharingRule(
        DataPurpose.HEALTH_INFORMATION,
        "prison",
        "probation",
        "continuity of care",
        roles=frozenset({"probation_practitioner"}),
    ),
)


def police_record(*purposes: DataPurpose, shared_with: frozenset[str] = frozenset()) -> Resource:
    return Resource(kind="case_file", owning_agency="police", purposes=frozenset(purposes), shared_with=shared_with)


def test_ordinary_data_carries_no_purpose_and_is_not_restricted_by_one() -> None:
    assert purpose_allows(staff(agency="cps"), police_record(), RULES)


def test_owner_always_sees_its_own_sensitive_data() -> None:
    assert purpose_allows(staff(agency="police"), police_record(DataPurpose.POLICE_INTELLIGENCE), RULES)


def test_intelligence_is_refused_to_the_cps_unless_this_record_was_shared() -> None:
    refused = purpose_allows(staff(agency="cps"), police_record(DataPurpose.POLICE_INTELLIGENCE), RULES)
    assert not refused and refused.reason is Reason.PURPOSE_NOT_SHARED
    assert "police intelligence" in refused.message
    shared = police_record(DataPurpose.POLICE_INTELLIGENCE, shared_with=frozenset({"cps"}))
    assert purpose_allows(staff(agency="cps"), shared, RULES)
    assert not purpose_allows(staff(agency="courts"), shared, RULES)


def test_standing_rule_shares_victim_details_with_the_named_agency_only() -> None:
    record = police_record(DataPurpose.VICTIM_DETAILS)
    assert purpose_allows(staff(agency="cps"), record, RULES)
    assert not purpose_allows(staff(agency="courts"), record, RULES)


def test_a_rule_limited_to_roles_excludes_other_roles_of_the_agency() -> None:
    record = Resource(kind="health", owning_agency="prison", purposes=frozenset({DataPurpose.HEALTH_INFORMATION}))
    assert purpose_allows(staff(agency="probation", roles=frozenset({"probation_practitioner"})), record, RULES)
    assert not purpose_allows(staff(agency="probation", roles=frozenset({"unpaid_work_supervisor"})), record, RULES)


def test_every_purpose_of_a_record_must_be_open() -> None:
    record = police_record(DataPurpose.VICTIM_DETAILS, DataPurpose.POLICE_INTELLIGENCE)
    assert not purpose_allows(staff(agency="cps"), record, RULES)


def test_actor_without_agency_sees_no_other_agency_sensitive_data() -> None:
    assert not purpose_allows(staff(agency=None), police_record(DataPurpose.VICTIM_DETAILS), RULES)


# --- limited-access persons ----------------------------------------------------------------------


def limit(kind: LimitKind, *ids: int, starts: int | None = None, ends: int | None = None) -> AccessLimit:
    return AccessLimit(
        kind=kind,
        staff_ids=frozenset(ids),
        message=f"{kind.value}: contact the Head of PDU",
        starts_at=NOW + timedelta(days=starts) if starts is not None else None,
        ends_at=NOW + timedelta(days=ends) if ends is not None else None,
    )


def test_exclusion_blocks_only_the_listed_staff_with_its_message() -> None:
    limits = [limit(LimitKind.EXCLUSION, 7)]
    blocked = limited_access_allows(staff(id=7), limits, NOW)
    assert not blocked and blocked.reason is Reason.LIMITED_ACCESS
    assert blocked.message == "exclusion: contact the Head of PDU"
    assert limited_access_allows(staff(id=8), limits, NOW)


def test_restriction_admits_only_the_listed_staff() -> None:
    limits = [limit(LimitKind.RESTRICTION, 7)]
    assert limited_access_allows(staff(id=7), limits, NOW)
    blocked = limited_access_allows(staff(id=8), limits, NOW)
    assert not blocked and blocked.message == "restriction: contact the Head of PDU"


@pytest.mark.parametrize(
    ("starts", "ends", "active"),
    [
        (None, None, True),
        (-1, None, True),
        (0, None, True),  # starts_at is inclusive
        (1, None, False),  # not yet in force
        (None, 1, True),
        (None, 0, False),  # ends_at is exclusive
        (-5, -1, False),  # expired
        (-1, 1, True),
    ],
)
def test_limits_are_time_bounded(starts: int | None, ends: int | None, active: bool) -> None:
    limits = [limit(LimitKind.EXCLUSION, 7, starts=starts, ends=ends)]
    assert bool(limited_access_allows(staff(id=7), limits, NOW)) is (not active)


def test_api_clients_are_blocked_by_restrictions_but_not_exclusions() -> None:
    assert not limited_access_allows(CLIENT, [limit(LimitKind.RESTRICTION, 3)], NOW)  # staff id 3, not the client
    assert limited_access_allows(CLIENT, [limit(LimitKind.EXCLUSION, 3)], NOW)


def test_caselink_itself_is_never_blocked() -> None:
    assert limited_access_allows(SYSTEM, [limit(LimitKind.RESTRICTION, 7)], NOW)


def test_any_one_active_limit_blocks() -> None:
    limits = [limit(LimitKind.RESTRICTION, 7, 8), limit(LimitKind.EXCLUSION, 7)]
    assert not limited_access_allows(staff(id=7), limits, NOW)
    assert limited_access_allows(staff(id=8), limits, NOW)
    assert not limited_access_allows(staff(id=9), limits, NOW)


# --- the whole decision --------------------------------------------------------------------------


def run(actor: Actor, action: str, resource: Resource, permissions: set[str], reach: Reach = Reach.NATIONAL) -> Reason:
    return decide(
        actor,
        action,
        resource,
        permissions=frozenset(permissions),
        reach=reach,
        cross_agency_writer=False,
        sharing_rules=RULES,
        now=NOW,
    ).reason


def test_decide_checks_in_order_and_reports_the_first_refusal() -> None:
    limited = Resource(
        kind="person",
        owning_agency="probation",
        unit_ids=frozenset({10}),
        limits=(limit(LimitKind.EXCLUSION, 7),),
    )
    assert run(ANONYMOUS, "people:read", limited, {"people:read"}) is Reason.NOT_AUTHENTICATED
    assert run(staff(), "people:read", limited, set()) is Reason.NO_PERMISSION
    assert run(staff(unit_id=11), "people:read", limited, {"people:read"}, Reach.UNIT) is Reason.OUT_OF_REACH
    assert run(staff(agency="courts"), "probation:write", limited, {"probation:write"}) is Reason.OTHER_AGENCY
    assert run(staff(agency="cps"), "people:read", police_record(DataPurpose.POLICE_INTELLIGENCE), {"people:read"}) is (
        Reason.PURPOSE_NOT_SHARED
    )
    assert run(staff(id=7), "people:read", limited, {"people:read"}, Reach.UNIT) is Reason.LIMITED_ACCESS
    assert run(staff(id=8), "people:read", limited, {"people:read"}, Reach.UNIT) is Reason.ALLOWED


def test_unknown_reach_is_an_error_not_an_allow() -> None:
    with pytest.raises(ValueError, match="unhandled reach"):
        reach_allows(staff(), "everything", RECORD)  # type: ignore[arg-type]
