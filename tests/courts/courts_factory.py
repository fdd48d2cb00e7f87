"""Helpers for the court tests: a charged case written the way the prosecution context stores it,
court staff of a given court, and a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import add_person

from caselink.organisations.models import OrganisationUnit
from caselink.platform.access.actor import Actor, ActorKind
from caselink.prosecution.models import Charge, Defendant, ProsecutionCase

# Mondays in the test clock: "now" is the week before the first hearing.
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
FIRST_HEARING_AT = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
ON_THE_DAY = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Units:
    magistrates_id: int
    magistrates_code: str
    crown_id: int
    crown_code: str
    other_magistrates_id: int
    cps_area_id: int
    police_force_id: int
    police_unit_id: int


async def units(db: AsyncSession) -> Units:
    async def pick(kind: str, offset: int = 0) -> tuple[int, str]:
        row = (
            await db.execute(
                select(OrganisationUnit.id, OrganisationUnit.code)
                .where(OrganisationUnit.kind == kind, OrganisationUnit.active.is_(True))
                .order_by(OrganisationUnit.code)
                .offset(offset)
                .limit(1)
            )
        ).one()
        return row.id, row.code

    mags, crown, other = await pick("magistrates_court"), await pick("crown_court"), await pick("magistrates_court", 1)
    area, force, police = await pick("cps_area"), await pick("police_force"), await pick("police_unit")
    return Units(mags[0], mags[1], crown[0], crown[1], other[0], area[0], force[0], police[0])


def clerk(unit_id: int, staff_id: int = 701) -> Actor:
    return Actor(
        kind=ActorKind.STAFF,
        id=staff_id,
        name=f"clerk{staff_id}",
        roles=frozenset({"court_clerk"}),
        agency="courts",
        unit_id=unit_id,
    )


@dataclass(frozen=True)
class CaseIds:
    case_id: int
    defendant_ids: list[int]
    person_ids: list[int]
    charge_ids: list[list[int]]  # per defendant


async def charged_case(
    db: AsyncSession,
    u: Units,
    defendants: int = 1,
    charges_each: int = 2,
    urn: str = "01AB1234525",
    charged_on: date = date(2025, 2, 1),
) -> CaseIds:
    case = ProsecutionCase(
        urn=urn,
        police_force_unit_id=u.police_force_id,
        police_unit_id=u.police_unit_id,
        officer_in_case_name="PC Amber Reyes",
        cps_area_unit_id=u.cps_area_id,
        status="charged",
        custody_status="conditional_bail",
        charged_on=charged_on,
    )
    db.add(case)
    await db.flush()
    ids = CaseIds(case.id, [], [], [])
    for n in range(defendants):
        person_id = await add_person(db, ["Ffion", "Gareth", "Hana"][n % 3], f"Testperson{n}", date(1990, 1, 1 + n))
        d = Defendant(case_id=case.id, person_id=person_id, position=n + 1, custody_status="conditional_bail")
        db.add(d)
        await db.flush()
        charge_ids = []
        for _ in range(charges_each):
            c = Charge(
                case_id=case.id,
                defendant_id=d.id,
                offence_code="TH68010",
                wording="Stole a bicycle",
                status="charged",
                charged_on=charged_on,
            )
            db.add(c)
            await db.flush()
            charge_ids.append(c.id)
        ids.defendant_ids.append(d.id)
        ids.person_ids.append(person_id)
        ids.charge_ids.append(charge_ids)
    return ids
