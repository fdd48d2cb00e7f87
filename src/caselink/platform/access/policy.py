"""Caselink's access policy, in one place: the permission catalogue, what each role and each API
scope grants, how far each role reaches, and which sensitive data is shared between agencies.

``check(actor, permission)`` guards routes (installed into ``requires()`` on import);
``can(actor, action, resource)`` decides about one record. The decision logic is in rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.access.declare import PUBLIC, install_checker
from caselink.platform.access.rules import DataPurpose, Decision, Reach, Resource, SharingRule, decide
from caselink.platform.errors import Forbidden, NotAuthenticated

# The permission catalogue. A route or a service names one of these; nothing else is granted.
PERMISSIONS: dict[str, str] = {
    "account:self": "See and change your own account: password, MFA, sessions, training record.",
    "reference:read": "Look up standing data: offence codes, courts, police units, result codes.",
    "people:read": "Find people and read their records (subject to reach, purpose and limited access).",
    "people:write": "Add people and change their identifiers, names, addresses and registrations.",
    "people:merge": "Merge and unmerge duplicate person records.",
    "people:flags": "Add, review and end registrations (risk flags) on a person's record.",
    "people:limit_access": "Set and lift exclusions and restrictions (limited access) on a person's record.",
    "prosecution:read": "Read prosecution case files and cases of your unit or CPS area.",
    "prosecution:file": "Submit police case files and respond to action plans.",
    "prosecution:charge": "Make charging decisions under the Full Code Test.",
    "prosecution:manage": "Progress prosecution cases: allocation, reviews, IDPC, disclosure, readiness.",
    "prosecution:configure": "Configure a CPS area's readiness checklists (changes to the national default).",
    "courts:results": "Record hearings, pleas, verdicts and sentences.",
    "courts:read": "Read hearings and their results at your court.",
    "courts:list": "See a court's daily list.",
    "custody:write": "Record receptions, movements, sentence calculations and releases.",
    "custody:read": "See a prison's expected arrivals, roll, upcoming releases and people's custody records.",
    "custody:release_dates": "Enter sentences for release-date calculation and override a calculated date.",
    "custody:allocate": "Allocate and reallocate prisoners' prison offender managers at your prison.",
    "probation:write": "Manage supervision: allocation, contacts, requirements, enforcement, recall.",
    "probation:read": "See probation cases, caseloads, tiers and the delivery unit's unallocated queue.",
    "probation:allocate": "Allocate probation cases of your delivery unit to practitioners.",
    "probation:countersign": "Countersign or return assessments and recommendations that need a senior officer.",
    "probation:supervise": "Supervise your cases: contacts and outcomes, requirements, plan, enforcement, recall.",
    "probation:upw": "Run unpaid work sessions: record attendance and hours for the group.",
    "assessments:read": "Read a person's assessments of risk and needs (shared by prison and probation).",
    "assessments:write": "Write assessments of risk and needs and submit them.",
    "tasks:read": "See work queues: your own, your team's and your unit's.",
    "tasks:manage": "Create, reassign and complete tasks for others; manage team and unit queues.",
    "audit:read": "Search and export the audit of who did what ('who looked at this person').",
    "staff:read": "See staff accounts of your area.",
    "staff:manage": "Create, change, suspend and reactivate staff accounts of your area.",
    "clients:manage": "Create and revoke API clients of other agencies' systems and suppliers.",
    "training:record": "Record staff's completion of training modules.",
    "reports:read": "Read aggregate reports and datasets.",
    "events:manage": "See the event outbox and dead-lettered deliveries, and replay them.",
    "events:read": "Subscribe to events (webhooks) and read the event feed, within the client's scopes.",
    "sharing:manage": "See every client's subscriptions, webhook deliveries and dead letters, and replay them.",
}


@dataclass(frozen=True)
class Role:
    name: str
    title: str
    agency: str | None  # None: a national role belonging to no single agency
    reach: Reach
    permissions: frozenset[str]
    # National data roles (merging duplicates) may change records another agency holds.
    cross_agency_writer: bool = False


def _role(
    name: str,
    title: str,
    agency: str | None,
    reach: Reach,
    *permissions: str,
    cross_agency_writer: bool = False,
) -> Role:
    # Every member of staff may look after their own account and read standing data.
    granted = frozenset({"account:self", "reference:read", *permissions})
    return Role(name, title, agency, reach, granted, cross_agency_writer)


_ROLE_LIST = [
    _role(
        "police_case_builder",
        "Police case builder",
        "police",
        Reach.UNIT,
        "people:read",
        "people:write",
        "people:flags",
        "prosecution:read",
        "prosecution:file",
        "tasks:read",
    ),
    _role(
        "cps_lawyer",
        "CPS lawyer",
        "cps",
        Reach.UNIT,
        "people:read",
        "prosecution:read",
        "prosecution:charge",
        "prosecution:manage",
        "courts:read",
        "reports:read",
        "tasks:read",
    ),
    _role(
        "cps_paralegal",
        "CPS paralegal",
        "cps",
        Reach.UNIT,
        "people:read",
        "prosecution:read",
        "prosecution:manage",
        "courts:read",
        "reports:read",
        "tasks:read",
    ),
    _role(
        "court_legal_adviser",
        "Court legal adviser",
        "courts",
        Reach.UNIT,
        "people:read",
        "courts:results",
        "courts:read",
        "courts:list",
        "tasks:read",
    ),
    _role(
        "court_clerk",
        "Court clerk",
        "courts",
        Reach.UNIT,
        "people:read",
        "courts:results",
        "courts:read",
        "courts:list",
        "tasks:read",
    ),
    _role(
        "prison_offender_manager",
        "Prison offender manager",
        "prison",
        Reach.UNIT,
        "people:read",
        "people:flags",
        "custody:write",
        "custody:read",
        "custody:release_dates",
        # Offender management is the POMs' own work (there is no head-of-OMU role; decision 0056).
        "custody:allocate",
        "tasks:read",
        "tasks:manage",
        "assessments:read",
        "assessments:write",
    ),
    _role(
        "prison_records_clerk",
        "Prison records clerk",
        "prison",
        Reach.UNIT,
        "people:read",
        "people:write",
        "custody:write",
        "custody:read",
        "custody:release_dates",
        "tasks:read",
    ),
    _role(
        "probation_practitioner",
        "Probation practitioner",
        "probation",
        Reach.CASELOAD,
        "people:read",
        "people:flags",
        "probation:write",
        "tasks:read",
        "probation:read",
        "assessments:read",
        "assessments:write",
        "probation:supervise",
    ),
    _role(
        "senior_probation_officer",
        "Senior probation officer",
        "probation",
        Reach.UNIT,
        "people:read",
        "people:flags",
        "people:limit_access",
        "probation:write",
        "tasks:read",
        "tasks:manage",
        "staff:read",
        "probation:read",
        "probation:allocate",
        "probation:countersign",
        "assessments:read",
        "assessments:write",
        "probation:supervise",
    ),
    _role(
        "unpaid_work_supervisor",
        "Unpaid work supervisor",
        "probation",
        Reach.UNIT,
        "people:read",
        "probation:write",
        "tasks:read",
        "probation:read",
        "probation:upw",
    ),
    _role(
        "area_administrator",
        "Area administrator",
        None,
        Reach.REGION,
        "staff:read",
        "people:merge",
        "staff:manage",
        "people:limit_access",
        "training:record",
        "tasks:read",
        "tasks:manage",
        "prosecution:configure",
    ),
    _role(
        "national_administrator",
        "National administrator",
        None,
        Reach.NATIONAL,
        "staff:read",
        "people:merge",
        "staff:manage",
        "people:limit_access",
        "clients:manage",
        "training:record",
        "tasks:read",
        "tasks:manage",
        "events:manage",
        "sharing:manage",
        # Subscribing is for API clients; an administrator holds it to look at the feed's shape.
        "events:read",
    ),
    _role("training_administrator", "Training administrator", None, Reach.REGION, "staff:read", "training:record"),
    _role(
        "data_quality_officer",
        "Data quality officer",
        None,
        Reach.NATIONAL,
        "people:read",
        "people:write",
        "people:merge",
        "tasks:read",
        cross_agency_writer=True,
    ),
    _role("analyst", "Analyst", None, Reach.NATIONAL, "reports:read"),
    _role("auditor", "Auditor", None, Reach.NATIONAL, "audit:read", "staff:read"),
]

ROLES: dict[str, Role] = {role.name: role for role in _ROLE_LIST}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {role.name: role.permissions for role in _ROLE_LIST}

# API client scopes (`<area>:read` / `<area>:write`, as in the contract) and what each grants.
SCOPES: dict[str, frozenset[str]] = {
    "people:read": frozenset({"people:read", "reference:read"}),
    "people:write": frozenset({"people:read", "people:write", "people:flags", "reference:read"}),
    "prosecution:write": frozenset(
        {"prosecution:read", "prosecution:file", "prosecution:charge", "prosecution:manage", "reference:read"}
    ),
    "courts:write": frozenset({"courts:results"}),
    # A prison's own system allocating POMs keeps doing so (decision 0056).
    "custody:write": frozenset({"custody:write", "custody:read", "custody:allocate"}),
    "probation:write": frozenset({"probation:write", "probation:read"}),
    "tasks:read": frozenset({"tasks:read"}),
    "tasks:write": frozenset({"tasks:read", "tasks:manage"}),
    "reference:read": frozenset({"reference:read"}),
    "reports:read": frozenset({"reports:read"}),
    "audit:read": frozenset({"audit:read"}),
    # Subscriptions and the feed; which events a client gets also needs the area's scope
    # (caselink.sharing.rules.EVENT_AREAS). The *:read area scopes grant events of that area only.
    "events:read": frozenset({"events:read"}),
    "prosecution:read": frozenset({"prosecution:read", "reference:read"}),
    "courts:read": frozenset(),
    "custody:read": frozenset({"custody:read"}),
    "probation:read": frozenset({"probation:read"}),
}

# Standing sharing rules for sensitive data. Police intelligence has none on purpose: the police
# share it record by record (Resource.shared_with), and nobody else sees it otherwise.
SHARING_RULES: tuple[SharingRule, ...] = (
    SharingRule(
        DataPurpose.VICTIM_DETAILS,
        "police",
        "cps",
        "The CPS needs victims' and witnesses' details to prosecute and to meet the Victims' Code.",
    ),
    SharingRule(
        DataPurpose.VICTIM_DETAILS,
        "police",
        "probation",
        "Victim liaison and licence exclusion zones.",
        roles=frozenset({"probation_practitioner", "senior_probation_officer"}),
    ),
    SharingRule(
        DataPurpose.HEALTH_INFORMATION,
        "prison",
        "probation",
        "Continuity of care on release.",
        roles=frozenset({"probation_practitioner", "senior_probation_officer"}),
    ),
    SharingRule(
        DataPurpose.HEALTH_INFORMATION,
        "probation",
        "prison",
        "Continuity of care on reception into custody.",
        roles=frozenset({"prison_offender_manager"}),
    ),
)

ALL_PERMISSIONS = frozenset(PERMISSIONS)


def permissions_of(actor: Actor) -> frozenset[str]:
    if actor.kind is ActorKind.SYSTEM:
        return ALL_PERMISSIONS
    if actor.kind is ActorKind.STAFF:
        return frozenset().union(*(ROLE_PERMISSIONS.get(role, frozenset()) for role in actor.roles))
    if actor.kind is ActorKind.CLIENT:
        return frozenset().union(*(SCOPES.get(scope, frozenset()) for scope in actor.scopes))
    return frozenset()


def reach_of(actor: Actor) -> Reach:
    """The widest reach among the actor's roles; API clients reach their own agency's records."""
    if actor.kind is ActorKind.SYSTEM:
        return Reach.NATIONAL
    if actor.kind is ActorKind.CLIENT:
        return Reach.AGENCY
    order = list(Reach)  # declared narrowest first
    reaches = [ROLES[role].reach for role in actor.roles if role in ROLES]
    return max(reaches, key=order.index) if reaches else Reach.CASELOAD


def has_permission(actor: Actor, permission: str) -> bool:
    return permission == PUBLIC or permission in permissions_of(actor)


def check(actor: Actor, permission: str) -> None:
    """Route guard: 401 when nobody is signed in, 403 when the actor lacks the permission."""
    if permission == PUBLIC:
        return
    if not actor.is_authenticated:
        raise NotAuthenticated("Sign in to use this part of Caselink.")
    if permission not in PERMISSIONS:
        # A typo in a route's declaration must refuse everyone, never allow them.
        raise Forbidden(f"Unknown permission {permission!r}.")
    if permission not in permissions_of(actor):
        raise Forbidden(f"Your role does not allow this ({permission}).")


def can(actor: Actor, action: str, resource: Resource, now: datetime | None = None) -> Decision:
    """May ``actor`` perform ``action`` (a permission) on this record?"""
    return decide(
        actor,
        action,
        resource,
        permissions=permissions_of(actor),
        reach=reach_of(actor),
        cross_agency_writer=actor.kind is ActorKind.SYSTEM
        or any(ROLES[r].cross_agency_writer for r in actor.roles if r in ROLES),
        sharing_rules=SHARING_RULES,
        now=now or datetime.now(UTC),
    )


def ensure(actor: Actor, action: str, resource: Resource, now: datetime | None = None) -> None:
    """``can`` for services: raise NotAuthenticated/Forbidden with the message for the user."""
    decision = can(actor, action, resource, now)
    if decision:
        return
    if not actor.is_authenticated:
        raise NotAuthenticated(decision.message)
    raise Forbidden(decision.message)


install_checker(check)
