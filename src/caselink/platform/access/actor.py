"""The actor behind a request: a member of staff (signed in), an API client, or nobody."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class ActorKind(enum.StrEnum):
    STAFF = "staff"
    CLIENT = "client"  # another agency's or an approved supplier's system (OAuth client credentials)
    ANONYMOUS = "anonymous"
    SYSTEM = "system"  # Caselink itself: event handlers, scheduled jobs, command-line tools


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: int | None = None  # staff id or API client id
    name: str = "anonymous"  # username or client name, as shown in the audit
    roles: frozenset[str] = field(default_factory=frozenset)
    agency: str | None = None  # caselink.organisations.rules.Agency value
    unit_id: int | None = None
    unit_code: str | None = None
    region: str | None = None
    team_ids: frozenset[int] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)  # API clients only: "people:read" ...
    session_id: str | None = None
    display_name: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.kind in (ActorKind.STAFF, ActorKind.CLIENT, ActorKind.SYSTEM)

    @property
    def audit_label(self) -> str:
        return f"{self.kind.value}:{self.name}"


ANONYMOUS = Actor(kind=ActorKind.ANONYMOUS)
SYSTEM = Actor(kind=ActorKind.SYSTEM, name="caselink")
