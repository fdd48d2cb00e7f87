"""Pure rules about agencies and units: kinds, which agency owns which kind, OU code shapes."""

from __future__ import annotations

import enum
import re


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

OU_CODE = re.compile(r"^[A-Z0-9]{7}$")


def unit_kind_for_ou(top_level_code: str) -> UnitKind:
    """Kind of a standing-data organisation unit from its top-level code.

    B magistrates' courts, C Crown Court; police forces' OUs start with a digit or letters other
    than those; everything else in the file is another kind of court.
    """
    code = top_level_code.upper()
    if code == "B":
        return UnitKind.MAGISTRATES_COURT
    if code == "C":
        return UnitKind.CROWN_COURT
    if code in {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "M"} or code.isdigit():
        return UnitKind.POLICE_UNIT
    return UnitKind.OTHER_COURT


def ou_code(top: str, second: str, third: str, bottom: str) -> str:
    """The 7-character OU code: top level (1) + second, third and bottom levels (2 each)."""
    return f"{top}{second}{third}{bottom}".upper()
