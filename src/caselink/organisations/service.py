"""Use cases of the organisations context: keeping the unit list in step with its sources, listing units.

Units come from two sources: the CJS standing data (police and courts, called by the reference
loader with its connection, inside its transaction) and Caselink's own list in data/units.json
(CPS areas, prisons, probation). Both are upserted by code, so a unit keeps its id (staff, teams
and cases point at it) across loads; a standing-data unit that leaves the data is made inactive,
never deleted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from caselink.organisations.models import OrganisationUnit
from caselink.organisations.rules import TeamRecord, UnitRecord, caselink_units, event_area, region_code
from caselink.platform.access.actor import Actor

CASELINK_UNITS_FILE = Path(__file__).parent / "data" / "units.json"
SOURCE_STANDING_DATA = "standing_data"
SOURCE_CASELINK = "caselink"


def caselink_units_version(path: Path = CASELINK_UNITS_FILE) -> str:
    """A version for Caselink's own list: the hash of its file, so an edited list is loaded again."""
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def read_caselink_units(path: Path = CASELINK_UNITS_FILE) -> tuple[list[UnitRecord], list[TeamRecord]]:
    return caselink_units(json.loads(path.read_text(encoding="utf-8")))


async def sync_units(conn: asyncpg.Connection, units: list[UnitRecord], source: str) -> int:
    """Upsert UNITS (by code) and link their parents; deactivate units of SOURCE no longer listed.

    Runs inside the caller's transaction. Staged by COPY, then applied in three set-based
    statements, so 6,000 units cost a few round trips rather than one per unit.
    """
    await conn.execute(
        "CREATE TEMP TABLE staging_units (code text, name text, agency text, kind text, parent_code text,"
        " region text) ON COMMIT DROP"
    )
    await conn.copy_records_to_table(
        "staging_units",
        records=[(u.code, u.name, u.agency.value, u.kind.value, u.parent_code, u.region) for u in units],
    )
    await conn.execute(
        """
        INSERT INTO organisation_units (code, name, agency, kind, region, source, active)
        SELECT code, name, agency, kind, region, $1, true FROM staging_units
        ON CONFLICT (code) DO UPDATE
           SET name = excluded.name, agency = excluded.agency, kind = excluded.kind,
               region = excluded.region, source = excluded.source, active = true
         WHERE (organisation_units.name, organisation_units.agency, organisation_units.kind,
                organisation_units.region, organisation_units.source, organisation_units.active)
               IS DISTINCT FROM (excluded.name, excluded.agency, excluded.kind, excluded.region, excluded.source, true)
        """,
        source,
    )
    # Parents are linked after every unit exists, since a list need not be in parent-first order.
    await conn.execute(
        """
        UPDATE organisation_units u
           SET parent_id = p.id
          FROM staging_units s
          LEFT JOIN organisation_units p ON p.code = s.parent_code
         WHERE u.code = s.code AND u.parent_id IS DISTINCT FROM p.id
        """
    )
    await conn.execute(
        """
        UPDATE organisation_units SET active = false
         WHERE source = $1 AND active AND code NOT IN (SELECT code FROM staging_units)
        """,
        source,
    )
    await conn.execute("DROP TABLE staging_units")
    return len(units)


async def sync_teams(conn: asyncpg.Connection, teams: list[TeamRecord]) -> int:
    """Add the default teams (by unit and team code); existing teams keep their id and are renamed."""
    await conn.execute("CREATE TEMP TABLE staging_teams (unit_code text, code text, name text) ON COMMIT DROP")
    await conn.copy_records_to_table("staging_teams", records=[(t.unit_code, t.code, t.name) for t in teams])
    await conn.execute(
        """
        INSERT INTO teams (unit_id, code, name, active)
        SELECT u.id, s.code, s.name, true FROM staging_teams s JOIN organisation_units u ON u.code = s.unit_code
        ON CONFLICT (unit_id, code) DO UPDATE SET name = excluded.name WHERE teams.name IS DISTINCT FROM excluded.name
        """
    )
    await conn.execute("DROP TABLE staging_teams")
    return len(teams)


async def sync_caselink_units(conn: asyncpg.Connection, path: Path = CASELINK_UNITS_FILE) -> dict[str, int]:
    units, teams = read_caselink_units(path)
    return {"units": await sync_units(conn, units, SOURCE_CASELINK), "teams": await sync_teams(conn, teams)}


# -- the area an event is about -------------------------------------------------------------------


@dataclass(frozen=True)
class UnitArea:
    """A unit as events name it: its code, name and region (name and code)."""

    id: int
    code: str
    name: str
    region: str | None

    @property
    def region_code(self) -> str | None:
        return region_code(self.region)

    def event_data(self) -> dict[str, str]:
        """``unitCode`` and (when the unit has a region) ``regionCode`` for an event's data."""
        return event_area(self.code, self.region)


async def unit_area(db: AsyncSession, unit_id: int | None) -> UnitArea | None:
    """The unit with id UNIT_ID as events name it; None for none or an unknown id."""
    if unit_id is None:
        return None
    row = (
        await db.execute(
            select(OrganisationUnit.id, OrganisationUnit.code, OrganisationUnit.name, OrganisationUnit.region).where(
                OrganisationUnit.id == unit_id
            )
        )
    ).one_or_none()
    return UnitArea(row.id, row.code, row.name, row.region) if row is not None else None


async def event_area_of(db: AsyncSession, unit_id: int | None) -> dict[str, str]:
    """What every shareable event's data carries about the unit responsible for what it reports
    (a police force, CPS area, court, prison or probation delivery unit): ``unitCode`` and
    ``regionCode`` (docs/decisions/0021). Emitters spread it into ``data``: ``{**facts, **area}``.
    Empty when the unit is unknown, so the event passes no area filter rather than a wrong one."""
    area = await unit_area(db, unit_id)
    return area.event_data() if area is not None else {}


def actor_event_area(actor: Actor) -> dict[str, str]:
    """The area of the member of staff (or client) who made the change, for events about a record
    no single unit owns (a person's record): their unit and its region. Empty for Caselink itself."""
    return event_area(actor.unit_code, actor.region)


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    name: str
    agency: str
    kind: str
    region: str | None
    parent_code: str | None
    parent_name: str | None
    source: str


@dataclass(frozen=True)
class UnitPage:
    items: list[UnitRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _unit_filters(agency: str | None, kind: str | None, q: str | None) -> list[Any]:
    filters: list[Any] = [OrganisationUnit.active.is_(True)]
    if agency:
        filters.append(OrganisationUnit.agency == agency)
    if kind:
        filters.append(OrganisationUnit.kind == kind)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # Name by trigram index; code by exact or prefix (codes are what staff quote).
        filters.append(
            or_(OrganisationUnit.name.ilike(pattern), OrganisationUnit.code.like(q.upper().replace(" ", "") + "%"))
        )
    return filters


async def list_units(
    db: AsyncSession,
    *,
    agency: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> UnitPage:
    """Active units, filtered, ordered by agency, kind and name; one page plus the total."""
    filters = _unit_filters(agency, kind, q.strip() if q else None)
    parent = aliased(OrganisationUnit)
    query = (
        select(
            OrganisationUnit.id,
            OrganisationUnit.code,
            OrganisationUnit.name,
            OrganisationUnit.agency,
            OrganisationUnit.kind,
            OrganisationUnit.region,
            parent.code.label("parent_code"),
            parent.name.label("parent_name"),
            OrganisationUnit.source,
        )
        .outerjoin(parent, parent.id == OrganisationUnit.parent_id)
        .where(and_(*filters))
        .order_by(OrganisationUnit.agency, OrganisationUnit.kind, OrganisationUnit.name, OrganisationUnit.code)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    total = await db.scalar(select(func.count()).select_from(OrganisationUnit).where(and_(*filters))) or 0
    rows = (await db.execute(query)).all()
    return UnitPage(items=[UnitRow(**row._mapping) for row in rows], total=total, page=page, page_size=page_size)


async def count_units_by_source(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(
        select(OrganisationUnit.source, func.count())
        .where(OrganisationUnit.active.is_(True))
        .group_by(OrganisationUnit.source)
    )
    return {source: count for source, count in rows}
