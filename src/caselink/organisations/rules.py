"""Pure rules about agencies and units: kinds, which agency owns which kind, OU code shapes."""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class Agency(enum.StrEnum):
    """The five agencies of the journey. Every unit and every member of staff belongs to one."""

    POLICE = "police"  # a police force and its units (stations, custody suites, case builders)
    CPS = "cps"  # Crown Prosecution Service areas
    COURTS = "courts"  # HMCTS: magistrates' courts, Crown Court centres
    PRISON = "prison"  # HM Prison and Probation Service: prisons
    PROBATION = "probation"  # the Probation Service: regions and probation delivery units (PDUs)


class UnitKind(enum.StrEnum):
    POLICE_FORCE = "police_force"
    POLICE_UNIT = "police_unit"
    MAGISTRATES_COURT = "magistrates_court"
    CROWN_COURT = "crown_court"
    OTHER_COURT = "other_court"  # youth, civil and other court OUs in the standing data
    COURT_AREA = "court_area"  # a grouping of courts in the standing data (e.g. B010000 London), not a courthouse
    CPS_AREA = "cps_area"
    PRISON = "prison"
    PROBATION_REGION = "probation_region"
    PROBATION_DELIVERY_UNIT = "probation_delivery_unit"
    NATIONAL = "national"  # a national headquarters unit of an agency (for national administrators)


AGENCY_OF_KIND: dict[UnitKind, Agency] = {
    UnitKind.POLICE_FORCE: Agency.POLICE,
    UnitKind.POLICE_UNIT: Agency.POLICE,
    UnitKind.MAGISTRATES_COURT: Agency.COURTS,
    UnitKind.CROWN_COURT: Agency.COURTS,
    UnitKind.OTHER_COURT: Agency.COURTS,
    UnitKind.COURT_AREA: Agency.COURTS,
    UnitKind.CPS_AREA: Agency.CPS,
    UnitKind.PRISON: Agency.PRISON,
    UnitKind.PROBATION_REGION: Agency.PROBATION,
    UnitKind.PROBATION_DELIVERY_UNIT: Agency.PROBATION,
}

AGENCY_NAMES: dict[Agency, str] = {
    Agency.POLICE: "Police",
    Agency.CPS: "Crown Prosecution Service",
    Agency.COURTS: "HM Courts and Tribunals Service",
    Agency.PRISON: "HM Prison Service",
    Agency.PROBATION: "Probation Service",
}

# Courts' OU codes have 7 characters (B01AF00); police OUs have an empty top level, so their codes
# have 6 (01ZD00), exactly as the standing data and the systems that exchange them write them.
OU_CODE = re.compile(r"^[A-Z0-9]{6,7}$")


def unit_kind_for_ou(top_level_code: str, third_level_code: str = "", bottom_level_code: str = "") -> UnitKind:
    """Kind of a standing-data organisation unit from its level codes.

    B magistrates' courts, C Crown Court; police forces' OUs have an empty top level (older
    extracts used a digit or M). A third and bottom level of 00 is the unit's grouping: the
    force itself for police, a court area (or all courts) for B and C.
    """
    code = top_level_code.strip().upper()
    grouping = third_level_code in {"", "00"} and bottom_level_code in {"", "00"}
    if code in {"", "M"} or code.isdigit():
        return UnitKind.POLICE_FORCE if grouping else UnitKind.POLICE_UNIT
    if code in {"B", "C"} and grouping:
        return UnitKind.COURT_AREA
    if code == "B":
        return UnitKind.MAGISTRATES_COURT
    if code == "C":
        return UnitKind.CROWN_COURT
    return UnitKind.OTHER_COURT


def ou_code(top: str, second: str, third: str, bottom: str) -> str:
    """The OU code: top level (1, empty for police) + second, third and bottom levels (2 each)."""
    return f"{top.strip()}{second.strip()}{third.strip()}{bottom.strip()}".upper()


@dataclass(frozen=True)
class UnitRecord:
    """One unit as loaded: parents are named by code, so a whole list can be upserted in one go."""

    code: str
    name: str
    agency: Agency
    kind: UnitKind
    parent_code: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class TeamRecord:
    unit_code: str
    code: str
    name: str


# Placeholder names in the standing data's second level that never name a real force.
_NOT_A_FORCE_NAME = {"reserved", "not in use", ""}


def _force_names(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """A force's display name: the most complete second-level name its OUs use.

    The file names a force inconsistently ("Cumbria" on some rows, "Cumbria Constabulary" on
    others); the longest real name is the formal one.
    """
    seen: dict[str, Counter[str]] = {}
    for row in rows:
        if row["topLevelCode"].strip():
            continue
        name = row["secondLevelName"].strip()
        seen.setdefault(row["secondLevelCode"], Counter())[name] += 1
    names = {}
    for code, counter in seen.items():
        real = [n for n in counter if n.lower() not in _NOT_A_FORCE_NAME and not n.lower().startswith("reserved")]
        names[code] = max(real or list(counter), key=lambda n: (len(n), counter[n])) or f"Police force {code}"
    return names


def standing_data_units(rows: Sequence[Mapping[str, Any]]) -> list[UnitRecord]:
    """Units from the standing data's organisation-unit.json rows (police and courts)."""
    force_names = _force_names(rows)
    codes = {ou_code(r["topLevelCode"], r["secondLevelCode"], r["thirdLevelCode"], r["bottomLevelCode"]) for r in rows}
    units = []
    for row in rows:
        top, second = row["topLevelCode"].strip().upper(), row["secondLevelCode"]
        third, bottom = row["thirdLevelCode"], row["bottomLevelCode"]
        code = ou_code(top, second, third, bottom)
        kind = unit_kind_for_ou(top, third, bottom)
        third_name, bottom_name = row["thirdLevelName"].strip(), row["bottomLevelName"].strip()
        parent: str | None
        region: str | None = None
        if kind is UnitKind.POLICE_FORCE:
            name, parent = force_names[second], None
        elif kind is UnitKind.POLICE_UNIT:
            name = " – ".join(n for n in (third_name, bottom_name) if n) or f"{force_names[second]} unit {code}"
            parent = ou_code("", second, "00", "00")
        else:
            area_name = row["secondLevelName"].strip()
            region = area_name or None
            root = ou_code(top, "00", "00", "00")
            if kind is UnitKind.COURT_AREA:
                top_name = row["topLevelName"].strip()
                name = f"{top_name} – {area_name}" if area_name else top_name
                parent = root if code != root else None
            else:
                name = " – ".join(n for n in (third_name, bottom_name) if n) or code
                area = ou_code(top, second, "00", "00")
                parent = area if area in codes else root
        units.append(
            UnitRecord(
                code=code,
                name=name[:200],
                agency=AGENCY_OF_KIND[kind],
                kind=kind,
                parent_code=parent if parent in codes else None,
                region=region,
            )
        )
    return units


def caselink_units(data: Mapping[str, Any]) -> tuple[list[UnitRecord], list[TeamRecord]]:
    """Caselink's own units and default teams from organisations/data/units.json.

    Every unit hangs under its agency's national unit, so a national administrator's scope is
    the whole tree; probation delivery units hang under their region and share its name as region.
    """
    units: list[UnitRecord] = []
    national_of: dict[Agency, str] = {}
    for entry in data["national_units"]:
        agency = Agency(entry["agency"])
        national_of[agency] = entry["code"]
        units.append(UnitRecord(entry["code"], entry["name"], agency, UnitKind.NATIONAL))
    for entry in data["cps_areas"]:
        units.append(
            UnitRecord(
                entry["code"], entry["name"], Agency.CPS, UnitKind.CPS_AREA, national_of[Agency.CPS], entry["region"]
            )
        )
    for entry in data["prisons"]:
        units.append(
            UnitRecord(
                entry["code"],
                entry["name"],
                Agency.PRISON,
                UnitKind.PRISON,
                national_of[Agency.PRISON],
                entry["region"],
            )
        )
    for region in data["probation_regions"]:
        units.append(
            UnitRecord(
                region["code"],
                region["name"],
                Agency.PROBATION,
                UnitKind.PROBATION_REGION,
                national_of[Agency.PROBATION],
                region["name"],
            )
        )
        for pdu in region["delivery_units"]:
            units.append(
                UnitRecord(
                    pdu["code"],
                    pdu["name"],
                    Agency.PROBATION,
                    UnitKind.PROBATION_DELIVERY_UNIT,
                    region["code"],
                    region["name"],
                )
            )
    teams: list[TeamRecord] = []
    for kind_name, defaults in data["default_teams"].items():
        kind = UnitKind(kind_name)
        for unit in units:
            if unit.kind is kind:
                teams.extend(TeamRecord(unit.code, team["code"], team["name"]) for team in defaults)
    return units, teams


# -- the area an event is about -------------------------------------------------------------------

_NOT_CODE = re.compile(r"[^a-z0-9]+")


def region_code(region: str | None) -> str | None:
    """A region's name as a code for events and subscription filters: lower case words joined by
    hyphens ("North West" → ``north-west``, "Durham, County" → ``durham-county``); None for none."""
    code = _NOT_CODE.sub("-", (region or "").lower()).strip("-")[:40].strip("-")
    return code or None


def event_area(unit_code: str | None, region: str | None) -> dict[str, str]:
    """The facts an event carries about the unit it concerns (``unitCode``, and ``regionCode`` when
    the unit has a region): webhook subscriptions filter on them (sharing/rules.py event_area)."""
    area: dict[str, str] = {}
    if unit_code:
        area["unitCode"] = unit_code
    code = region_code(region)
    if code:
        area["regionCode"] = code
    return area
