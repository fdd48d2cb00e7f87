"""Fixtures for accounts tests (helpers are in accounts_helpers.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.accounts.accounts_helpers import Units

from caselink.organisations.models import OrganisationUnit, Team


@pytest.fixture
async def units(db: AsyncSession) -> Units:
    def unit(code: str, kind: str, agency: str, parent: OrganisationUnit | None = None) -> OrganisationUnit:
        return OrganisationUnit(
            code=code,
            name=f"Test {code}",
            agency=agency,
            kind=kind,
            parent_id=parent.id if parent else None,
            source="caselink",
            active=True,
        )

    north = unit("TST-NORTH", "probation_region", "probation")
    south = unit("TST-SOUTH", "probation_region", "probation")
    cps = unit("TST-CPS", "cps_area", "cps")
    db.add_all([north, south, cps])
    await db.flush()
    north_pdu = unit("TST-NORTH-1", "probation_delivery_unit", "probation", north)
    south_pdu = unit("TST-SOUTH-1", "probation_delivery_unit", "probation", south)
    db.add_all([north_pdu, south_pdu])
    await db.flush()
    team = Team(unit_id=north_pdu.id, code="OM-A", name="Offender management team A", active=True)
    db.add(team)
    # Committed (a savepoint released inside the test's transaction) so that a refusal's
    # rollback inside a request cannot take the test's own data with it.
    await db.commit()
    return Units(north, north_pdu, south, south_pdu, cps, team)
