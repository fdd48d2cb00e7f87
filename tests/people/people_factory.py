"""Helpers for the person index tests: people written the way Caselink writes them, and clients
acting as a given member of staff or API client (the actor is set before authentication runs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from caselink.people.models import NameType, Person, PersonAddress, PersonIdentifier, PersonName
from caselink.people.rules import fold_name, normalise_postcode, parse
from caselink.platform.access.actor import Actor, ActorKind

CASE_BUILDER = Actor(kind=ActorKind.STAFF, id=501, name="pcbuilder", roles=frozenset({"police_case_builder"}))
CPS_LAWYER = Actor(kind=ActorKind.STAFF, id=502, name="lawyer", roles=frozenset({"cps_lawyer"}))
ANALYST = Actor(kind=ActorKind.STAFF, id=503, name="analyst", roles=frozenset({"analyst"}))
READ_CLIENT = Actor(kind=ActorKind.CLIENT, id=504, name="prison-system", scopes=frozenset({"people:read"}))


class _As:
    def __init__(self, app: ASGIApp, actor: Actor) -> None:
        self.app, self.actor = app, actor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("state", {})["actor"] = self.actor
        await self.app(scope, receive, send)


def client_as(app: FastAPI, actor: Actor) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=_As(app, actor), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def _name(person_id: int, kind: NameType, given: str, family: str) -> PersonName:
    return PersonName(
        person_id=person_id,
        name_type=kind.value,
        given_name=given,
        family_name=family,
        given_name_norm=fold_name(given),
        family_name_norm=fold_name(family),
    )


async def add_person(
    db: AsyncSession,
    given: str,
    family: str,
    dob: date | None = None,
    identifiers: Sequence[tuple[str, str]] = (),
    aliases: Sequence[tuple[NameType, str, str]] = (),
    postcode: str | None = None,
) -> int:
    person = Person(given_name=given, family_name=family, date_of_birth=dob)
    db.add(person)
    await db.flush()
    db.add(_name(person.id, NameType.PRIMARY, given, family))
    for kind, alias_given, alias_family in aliases:
        db.add(_name(person.id, kind, alias_given, alias_family))
    for kind, raw in identifiers:
        parsed = parse(kind, raw)
        db.add(
            PersonIdentifier(
                person_id=person.id,
                type=kind,
                value=parsed.canonical,
                raw_value=raw,
                valid=parsed.valid,
                source="test",
            )
        )
    if postcode:
        db.add(PersonAddress(person_id=person.id, line1="1 High Street", postcode=normalise_postcode(postcode)))
    await db.flush()
    return person.id
