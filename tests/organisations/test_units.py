"""Organisation units: from the standing data and Caselink's own list; the API and the page."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.organisations.rules import Agency, UnitKind, caselink_units, standing_data_units
from caselink.organisations.service import CASELINK_UNITS_FILE

OU = {"thirdLevelPsaCode": "", "bottomLevelName": "", "bottomLevelCode": "00"}
ROWS = [
    {**OU, "topLevelCode": "", "topLevelName": "Police Service", "secondLevelCode": "03", "secondLevelName": "Cumbria",
     "thirdLevelCode": "00", "thirdLevelName": "PNC LIAISON"},
    {**OU, "topLevelCode": "", "topLevelName": "Police Service", "secondLevelCode": "03",
     "secondLevelName": "Cumbria Constabulary", "thirdLevelCode": "AB", "thirdLevelName": "CARLISLE"},
    {**OU, "topLevelCode": "B", "topLevelName": "Magistrates' Courts", "secondLevelCode": "00", "secondLevelName": "",
     "thirdLevelCode": "00", "thirdLevelName": ""},
    {**OU, "topLevelCode": "B", "topLevelName": "Magistrates' Courts", "secondLevelCode": "01",
     "secondLevelName": "London", "thirdLevelCode": "00", "thirdLevelName": ""},
    {**OU, "topLevelCode": "B", "topLevelName": "Magistrates' Courts", "secondLevelCode": "01",
     "secondLevelName": "London", "thirdLevelCode": "BE", "thirdLevelName": "Belmarsh"},
    {**OU, "topLevelCode": "C", "topLevelName": "Crown Courts", "secondLevelCode": "01", "secondLevelName": "London",
     "thirdLevelCode": "CE", "thirdLevelName": "Central Criminal Court"},
]  # fmt: skip


def test_standing_data_rows_become_units() -> None:
    units = {u.code: u for u in standing_data_units(ROWS)}
    force, station = units["030000"], units["03AB00"]
    assert (force.kind, force.name, force.parent_code) == (UnitKind.POLICE_FORCE, "Cumbria Constabulary", None)
    assert (station.kind, station.agency, station.parent_code) == (UnitKind.POLICE_UNIT, Agency.POLICE, "030000")
    court = units["B01BE00"]
    assert (court.kind, court.agency, court.name) == (UnitKind.MAGISTRATES_COURT, Agency.COURTS, "Belmarsh")
    assert (court.parent_code, court.region) == ("B010000", "London")
    assert units["B010000"].kind is UnitKind.COURT_AREA and units["B010000"].parent_code == "B000000"
    # No Crown Court area rows exist: a Crown Court hangs from the root only if that is in the data.
    assert units["C01CE00"].kind is UnitKind.CROWN_COURT and units["C01CE00"].parent_code is None


def test_caselink_list_covers_cps_prisons_and_probation() -> None:
    units, teams = caselink_units(json.loads(CASELINK_UNITS_FILE.read_text()))
    by_kind: dict[UnitKind, list[str]] = {}
    for unit in units:
        by_kind.setdefault(unit.kind, []).append(unit.code)
    assert len(by_kind[UnitKind.CPS_AREA]) == 14
    assert len(by_kind[UnitKind.PROBATION_REGION]) == 12
    assert len(by_kind[UnitKind.PROBATION_DELIVERY_UNIT]) >= 100
    assert len(by_kind[UnitKind.PRISON]) >= 100
    assert {"BXI", "PVI", "WWI", "LEI", "MDI"} <= set(by_kind[UnitKind.PRISON])
    assert all(len(code) == 3 and code.endswith("I") for code in by_kind[UnitKind.PRISON])
    assert {u.agency for u in units if u.kind is UnitKind.NATIONAL} == set(Agency)
    assert len({u.code for u in units}) == len(units)
    codes = {u.code for u in units}
    assert all(u.parent_code in codes for u in units if u.parent_code)
    assert all(u.region for u in units if u.kind is not UnitKind.NATIONAL)
    assert {t.unit_code for t in teams} == set(by_kind[UnitKind.PROBATION_DELIVERY_UNIT] + by_kind[UnitKind.CPS_AREA])


@pytest.mark.usefixtures("reference_loaded")
async def test_loaded_units_link_to_their_parents(db: AsyncSession) -> None:
    rows = await db.execute(
        text(
            """
            SELECT u.code, u.agency, u.kind, p.code AS parent, u.region
              FROM organisation_units u LEFT JOIN organisation_units p ON p.id = u.parent_id
             WHERE u.code IN ('BXI', '01ZD00', 'B01BE00', 'PS-LDN-CAM')
            """
        )
    )
    units = {r.code: r for r in rows}
    assert (units["BXI"].agency, units["BXI"].parent, units["BXI"].region) == ("prison", "HMPS-NAT", "London")
    assert (units["01ZD00"].kind, units["01ZD00"].parent) == ("police_unit", "010000")
    assert (units["B01BE00"].kind, units["B01BE00"].parent) == ("magistrates_court", "B010000")
    assert units["PS-LDN-CAM"].parent == "PS-LDN"
    teams = await db.scalar(
        text("SELECT count(*) FROM teams t JOIN organisation_units u ON u.id = t.unit_id WHERE u.code = 'PS-LDN-CAM'")
    )
    assert teams == 4


@pytest.mark.usefixtures("reference_loaded")
async def test_api_filters_units(client: httpx.AsyncClient) -> None:
    prisons = (await client.get("/api/v1/organisations/units", params={"agency": "prison", "page_size": 200})).json()
    assert prisons["total"] >= 100
    assert {u["agency"] for u in prisons["items"]} == {"prison"}
    found = (await client.get("/api/v1/organisations/units", params={"q": "brixton", "agency": "prison"})).json()
    assert [u["code"] for u in found["items"]] == ["BXI"]
    by_code = (await client.get("/api/v1/organisations/units", params={"q": "b01be"})).json()
    assert [u["code"] for u in by_code["items"]] == ["B01BE00"]
    pdus = (await client.get("/api/v1/organisations/units", params={"kind": "probation_delivery_unit"})).json()
    assert pdus["total"] >= 100 and pdus["pages"] == -(-pdus["total"] // 50)


@pytest.mark.usefixtures("reference_loaded")
async def test_api_refuses_an_unknown_agency(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/organisations/units", params={"agency": "navy"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["query.agency"]


@pytest.mark.usefixtures("reference_loaded")
async def test_page_lists_units_filtered_by_agency(client: httpx.AsyncClient) -> None:
    response = await client.get("/organisations", params={"agency": "cps"})
    assert response.status_code == 200
    html = response.text
    assert "CPS London North" in html and "govuk-table" in html
    assert "HMP Brixton" not in html
    assert '<option value="cps" selected>' in html
    everything = await client.get("/organisations", params={"agency": "navy", "page": "x"})
    assert everything.status_code == 200 and "govuk-pagination" in everything.text
    none = await client.get("/organisations", params={"q": "qqqzzzxxx"})
    assert "No organisations match your filter" in none.text
