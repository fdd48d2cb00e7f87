"""Helpers for the prosecution tests: real units from the standing data, staff rows for the actors,
and a valid case file body to vary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.accounts.models import Staff
from caselink.organisations.models import OrganisationUnit
from caselink.platform.access.actor import Actor, ActorKind

THEFT = "TH68001"  # theft from the person (either way)


@dataclass(frozen=True)
class World:
    force_id: int
    police_unit_id: int
    cps_area_id: int
    other_cps_area_id: int
    builder: Actor
    lawyer: Actor
    paralegal: Actor
    other_lawyer: Actor  # a lawyer of another CPS area


async def _staff(db: AsyncSession, username: str, unit_id: int, role: str, agency: str) -> Actor:
    staff = Staff(username=username, display_name=username.title(), unit_id=unit_id, roles=[role])
    db.add(staff)
    await db.flush()
    return Actor(
        kind=ActorKind.STAFF,
        id=staff.id,
        name=username,
        roles=frozenset({role}),
        agency=agency,
        unit_id=unit_id,
        display_name=username.title(),
    )


async def world(db: AsyncSession) -> World:
    police_unit = (
        await db.execute(
            select(OrganisationUnit)
            .where(OrganisationUnit.kind == "police_unit", OrganisationUnit.parent_id.is_not(None))
            .order_by(OrganisationUnit.code)
            .limit(1)
        )
    ).scalar_one()
    assert police_unit.parent_id is not None
    force = await db.get_one(OrganisationUnit, police_unit.parent_id)
    if force.kind != "police_force":  # units may hang under an intermediate level
        force_id = (
            await db.scalars(select(OrganisationUnit.id).where(OrganisationUnit.kind == "police_force").limit(1))
        ).one()
    else:
        force_id = force.id
    areas = (
        await db.scalars(
            select(OrganisationUnit.id)
            .where(OrganisationUnit.kind == "cps_area")
            .order_by(OrganisationUnit.code)
            .limit(2)
        )
    ).all()
    return World(
        force_id=force_id,
        police_unit_id=police_unit.id,
        cps_area_id=areas[0],
        other_cps_area_id=areas[1],
        builder=await _staff(db, "pros-builder", police_unit.id, "police_case_builder", "police"),
        lawyer=await _staff(db, "pros-lawyer", areas[0], "cps_lawyer", "cps"),
        paralegal=await _staff(db, "pros-paralegal", areas[0], "cps_paralegal", "cps"),
        other_lawyer=await _staff(db, "pros-lawyer2", areas[1], "cps_lawyer", "cps"),
    )


def case_file(w: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "urn": "01/AB/12345/24",
        "police_force_unit_id": w.force_id,
        "police_unit_id": w.police_unit_id,
        "cps_area_unit_id": w.cps_area_id,
        "officer_in_case_name": "PC Ada Lovelace",
        "officer_in_case_number": "4711",
        "summary": "Phone taken from the victim's hand on the platform.",
        "suspects": [
            {
                "new_person": {
                    "given_name": "Quillon",
                    "family_name": "Zebedee-Marchbanks",
                    "date_of_birth": "1990-04-02",
                },
                "custody_status": "in_custody",
                "offences": [
                    {
                        "offence_code": THEFT,
                        "wording": "On 1 March 2024 at London stole a mobile phone from the person of Jane Doe.",
                        "offence_date_from": "2024-03-01",
                    }
                ],
            }
        ],
        "material": [{"kind": "cctv", "title": "Platform CCTV", "reference": "AB/1"}],
        "witnesses": [{"name": "Jane Doe", "kind": "victim", "special_measures": ["screens"]}],
        "victims": [{"name": "Jane Doe", "contact": "07700 900123", "vulnerable_or_intimidated": True}],
    }
    body.update(overrides)
    return body


TODAY = date(2024, 3, 4)
