"""Pure access decisions: reach (agency, unit, region, caseload), data purposes and limited-access
persons. No I/O and no framework; the policy data they decide against lives in policy.py and is
passed in, so each rule can be tested with a small policy of its own as well as the real one.

Every function returns a ``Decision``; it is truthy when allowed and carries the reason and the
message to show when not.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from caselink.platform.access.actor import Actor, ActorKind


class Reach(enum.StrEnum):
    """How far a role's permissions extend over records."""

    CASELOAD = "caseload"  # records the member of staff (or one of their teams) is responsible for
    UNIT = "unit"  # records involving the member of staff's own unit (court, prison, CPS area, PDU)
    REGION = "region"  # records involving any unit in the member of staff's region
    AGENCY = "agency"  # records involving the actor's agency, anywhere (API clients of an agency)
    NATIONAL = "national"  # every record (national administrators, auditors, analysts)


class DataPurpose(enum.StrEnum):
    """Categories of data whose sharing between agencies is governed by an explicit rule.

    Ordinary case data (names, identifiers, charges, hearings, sentences) carries no purpose and is
    shared along the justice journey subject to permissions and reach.
    """

    POLICE_INTELLIGENCE = "police_intelligence"  # unproven intelligence; shared per record only
    VICTIM_DETAILS = "victim_details"  # victims' and witnesses' identities and contact details
    HEALTH_INFORMATION = "health_information"  # physical and mental health, substance misuse


class LimitKind(enum.StrEnum):
    EXCLUSION = "exclusion"  # the listed staff may NOT see the person (everyone else may)
    RESTRICTION = "restriction"  # ONLY the listed staff may see the person


class Reason(enum.StrEnum):
    """Why a decision came out as it did (kept in the audit detail of refusals)."""

    ALLOWED = "allowed"
    NOT_AUTHENTICATED = "not_authenticated"
    NO_PERMISSION = "no_permission"
    OUT_OF_REACH = "out_of_reach"
    OTHER_AGENCY = "other_agency"
    PURPOSE_NOT_SHARED = "purpose_not_shared"
    LIMITED_ACCESS = "limited_access"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Reason
    message: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True, Reason.ALLOWED)


@dataclass(frozen=True)
class AccessLimit:
    """One exclusion or restriction on a person's record, supplied by the person index.

    Active from ``starts_at`` (inclusive; None = always has been) until ``ends_at`` (exclusive;
    None = until lifted). ``message`` is shown to the staff it blocks, e.g. "This record is
    restricted. Contact the Head of PDU Croydon."
    """

    kind: LimitKind
    staff_ids: frozenset[int]
    message: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def active_at(self, now: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= now) and (self.ends_at is None or now < self.ends_at)


@dataclass(frozen=True)
class Resource:
    """What a decision needs to know about a record, described by the context that owns it.

    ``agencies`` are the agencies with a part in the record besides the owner (a case file is
    owned by the police and involves the CPS and a court); ``unit_ids`` the units involved (the
    police unit, CPS area, court, prison, PDU); ``responsible_staff_ids`` and ``responsible_team_ids``
    the caseload holders. ``purposes`` the sensitive categories it holds; ``shared_with`` the agencies
    the owner has explicitly shared it with (for purposes shared per record, like intelligence).
    ``limits`` the person's active and past exclusions and restrictions.
    """

    kind: str
    owning_agency: str | None = None  # None: a shared record with no single owner (the person index)
    agencies: frozenset[str] = field(default_factory=frozenset)
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    regions: frozenset[str] = field(default_factory=frozenset)
    responsible_staff_ids: frozenset[int] = field(default_factory=frozenset)
    responsible_team_ids: frozenset[int] = field(default_factory=frozenset)
    purposes: frozenset[DataPurpose] = field(default_factory=frozenset)
    shared_with: frozenset[str] = field(default_factory=frozenset)
    limits: tuple[AccessLimit, ...] = ()
    id: str | None = None

    @property
    def involved_agencies(self) -> frozenset[str]:
        return self.agencies | ({self.owning_agency} if self.owning_agency else frozenset())


@dataclass(frozen=True)
class SharingRule:
    """A standing rule: data of ``purpose`` owned by ``from_agency`` may be seen by staff of
    ``to_agency`` (only in ``roles`` when given). ``basis`` says why, for the policy's reader."""

    purpose: DataPurpose
    from_agency: str
    to_agency: str
    basis: str
    roles: frozenset[str] | None = None


def is_write(action: str) -> bool:
    """Reads are ``<area>:read``; every other permission changes something."""
    return not action.endswith(":read")


def reach_allows(actor: Actor, reach: Reach, resource: Resource) -> Decision:
    """Does the actor's reach cover this record?"""
    if reach is Reach.NATIONAL:
        return ALLOW
    if reach is Reach.AGENCY:
        if actor.agency is not None and actor.agency in resource.involved_agencies:
            return ALLOW
        return Decision(False, Reason.OUT_OF_REACH, "This record does not involve your organisation.")
    if reach is Reach.REGION:
        if actor.region is not None and actor.region in resource.regions:
            return ALLOW
        return Decision(False, Reason.OUT_OF_REACH, "This record is outside your region.")
    if reach is Reach.UNIT:
        if actor.unit_id is not None and actor.unit_id in resource.unit_ids:
            return ALLOW
        return Decision(False, Reason.OUT_OF_REACH, "This record is not held by your unit.")
    if reach is Reach.CASELOAD:
        if (actor.id is not None and actor.id in resource.responsible_staff_ids) or (
            actor.team_ids & resource.responsible_team_ids
        ):
            return ALLOW
        return Decision(False, Reason.OUT_OF_REACH, "This record is not on your caseload.")
    raise ValueError(f"unhandled reach {reach!r}")


def agency_allows_write(actor: Actor, action: str, resource: Resource, cross_agency_writer: bool) -> Decision:
    """Changes are made by the agency that owns the record; shared records (no owner) are written
    by any agency with the permission, and national data roles may write across agencies."""
    if not is_write(action) or resource.owning_agency is None or cross_agency_writer:
        return ALLOW
    if actor.agency == resource.owning_agency:
        return ALLOW
    return Decision(False, Reason.OTHER_AGENCY, "Only the agency that holds this record can change it.")


def purpose_allows(actor: Actor, resource: Resource, rules: Iterable[SharingRule]) -> Decision:
    """Each sensitive purpose the record holds must be open to the actor: their own agency's data,
    a standing sharing rule for their agency (and role), or an explicit share of this record."""
    rules = tuple(rules)
    for purpose in sorted(resource.purposes):
        if actor.agency is not None and actor.agency == resource.owning_agency:
            continue
        if actor.agency is not None and actor.agency in resource.shared_with:
            continue
        if any(
            rule.purpose is purpose
            and rule.from_agency == resource.owning_agency
            and rule.to_agency == actor.agency
            and (rule.roles is None or rule.roles & actor.roles)
            for rule in rules
        ):
            continue
        return Decision(
            False,
            Reason.PURPOSE_NOT_SHARED,
            f"This record holds {purpose.value.replace('_', ' ')} that has not been shared with you.",
        )
    return ALLOW


def limited_access_allows(actor: Actor, limits: Iterable[AccessLimit], now: datetime) -> Decision:
    """Exclusions block the listed staff; restrictions block everyone not listed. API clients are
    never on a staff list, so a restriction blocks them and an exclusion does not. Caselink itself
    (SYSTEM) is never blocked: event handlers must still process the record."""
    if actor.kind is ActorKind.SYSTEM:
        return ALLOW
    for limit in limits:
        if not limit.active_at(now):
            continue
        listed = actor.kind is ActorKind.STAFF and actor.id is not None and actor.id in limit.staff_ids
        if limit.kind is LimitKind.EXCLUSION and listed:
            return Decision(False, Reason.LIMITED_ACCESS, limit.message)
        if limit.kind is LimitKind.RESTRICTION and not listed:
            return Decision(False, Reason.LIMITED_ACCESS, limit.message)
    return ALLOW


def decide(
    actor: Actor,
    action: str,
    resource: Resource,
    *,
    permissions: frozenset[str],
    reach: Reach,
    cross_agency_writer: bool,
    sharing_rules: Iterable[SharingRule],
    now: datetime,
) -> Decision:
    """The whole decision, in the order a person would explain it: who you are, what your role
    allows, whether the record is within your reach, whose it is, what it holds, who it is about."""
    if not actor.is_authenticated:
        return Decision(False, Reason.NOT_AUTHENTICATED, "Sign in to see this.")
    if action not in permissions:
        return Decision(False, Reason.NO_PERMISSION, "Your role does not allow this.")
    for decision in (
        reach_allows(actor, reach, resource),
        agency_allows_write(actor, action, resource, cross_agency_writer),
        purpose_allows(actor, resource, sharing_rules),
        limited_access_allows(actor, resource.limits, now),
    ):
        if not decision:
            return decision
    return ALLOW
