"""Deterministic demo cases across the agencies for the demo people, by bulk COPY.

For a share of the demo people this makes what the prosecution, the courts and the prisons would
have written had the cases gone through their services: police files and prosecution cases
(URNs unique per force, station and year), defendants and charges on real offence codes, hearings
past and to come, outcomes, sentences, the finalisations the outcome measures count, and prison
bookings. Only the rows the pages read are written (no audit, events or per-charge custody time
limits), with the same invariants the services keep: laid charges point at the proposed offence
they replace, a case's next hearing and readiness counts match its hearings and facts
(``prosecution.rules.readiness``), every finalised defendant has an outcome on every charge, and a
person has at most one active booking.

The demo logins see their share: a stride sends about ``LAWYER_CASES`` of the demo lawyer's area
to the demo lawyer, the demo court clerk's court gets the hearings of its region's cases, and the
demo prison about ``PRISON_ROLL`` of the bookings, whatever the number of people.

One ``random.Random(seed)`` stream drives it all, so the same seed and people give the same cases.
Dates count from ``today`` (default: London today).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from caselink.courts import rules as court_rules
from caselink.courts.schemas import SentenceIn
from caselink.demo.probation import copy_demo_probation, delete_demo_probation
from caselink.people.rules import IdentifierType, parse_urn
from caselink.prosecution import rules as prosecution_rules

LONDON = ZoneInfo("Europe/London")
DEMO_ACTOR = "caselink:demo"
LAWYER_CASES = 250  # about this many cases allocated to the demo CPS lawyer
PRISON_ROLL = 900  # about this many active bookings at the demo prison
BATCH_CASES = 5_000
# Of the sentences passed: immediate custody, suspended sentence orders and community orders (the
# rest are fines). The last two (and releases on licence) are what probation supervises.
SHARE_CUSTODIAL = 0.13
SHARE_SUSPENDED = 0.1
SHARE_COMMUNITY = 0.17
SHARE_IN_PRISON = 0.35  # of people with a prison number, serving a sentence from before the cases
# Small sets send extra cases to the demo lawyer's area and the demo court's region, so their pages
# are not empty; large sets keep the areas' natural shares (the extra fades as the set grows).
EXTRA_LAWYER_AREA_CASES = 500
EXTRA_COURT_REGION_CASES = 3_000

# Home Office force codes (the first two digits of a police OU code) of each CPS area's forces.
AREA_FORCES: dict[str, tuple[str, ...]] = {
    "CPS-CYM": ("60", "61", "62", "63"),
    "CPS-EM": ("30", "31", "32", "33", "34"),
    "CPS-EE": ("35", "36", "37", "42"),
    "CPS-LN": ("01",),
    "CPS-LS": ("01", "48"),
    "CPS-MC": ("05", "07"),
    "CPS-NE": ("10", "11", "17"),
    "CPS-NW": ("03", "04", "06"),
    "CPS-SE": ("45", "46", "47"),
    "CPS-SW": ("50", "52", "53"),
    "CPS-TC": ("40", "41", "43"),
    "CPS-WX": ("44", "54", "55"),
    "CPS-WM": ("20", "21", "22", "23"),
    "CPS-YH": ("12", "13", "14", "16"),
}

# Common offences (standing data codes), weighted roughly as they come before the courts.
OFFENCES: tuple[tuple[str, float], ...] = (
    ("TH68010", 14),  # theft from a shop
    ("CJ88001", 12),  # common assault
    ("OF61131", 6),  # assault occasioning actual bodily harm
    ("CD71039", 8),  # criminal damage under £5000
    ("RT88007", 9),  # drink driving
    ("RT88333", 5),  # drive whilst disqualified
    ("MD71530", 7),  # possess cannabis
    ("MD71230", 3),  # possess with intent to supply class A
    ("TH68026", 3),  # burglary dwelling
    ("TH68001", 3),  # theft from the person
    ("TH68023", 2),  # robbery
    ("TH68013", 2),  # theft of a motor vehicle
    ("PL96001", 3),  # assault a constable
    ("PH97003", 3),  # harassment
    ("BA76004", 4),  # fail to surrender
    ("OF61016", 1),  # wounding with intent
)

STATUS_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("awaiting_charging_decision", 7),
    ("action_plan", 4),
    ("no_further_action", 6),
    ("out_of_court_disposal", 2),
    ("charged", 36),
    ("concluded", 45),
)
OUTCOME_WEIGHTS: tuple[tuple[court_rules.ChargeOutcome, float], ...] = (
    (court_rules.ChargeOutcome.GUILTY_PLEA, 68),
    (court_rules.ChargeOutcome.CONVICTED_AFTER_TRIAL, 9),
    (court_rules.ChargeOutcome.PROVED_IN_ABSENCE, 6),
    (court_rules.ChargeOutcome.ACQUITTED, 4),
    (court_rules.ChargeOutcome.DISMISSED, 2),
    (court_rules.ChargeOutcome.DISCONTINUED, 8),
    (court_rules.ChargeOutcome.WITHDRAWN, 3),
)
STOP_REASONS = tuple(court_rules.DiscontinuanceReason)
OFFICERS = ("PC Ahmed", "PC Brown", "DC Evans", "PC Jones", "DS Khan", "PC Murphy", "DC Patel", "PC Smith")
HEARING_CODES = {
    court_rules.HearingType.FIRST_HEARING: "FH",
    court_rules.HearingType.PTPH: "PDH",
    court_rules.HearingType.TRIAL: "TRIAL",
    court_rules.HearingType.SENTENCE: "STPSR",
}
SITTING_TIMES = (time(10, 0), time(10, 0), time(10, 30), time(11, 0), time(14, 0))

CASE_COLUMNS = (
    "id",
    "urn",
    "prosecuting_authority",
    "police_force_unit_id",
    "police_unit_id",
    "officer_in_case_name",
    "officer_in_case_number",
    "cps_area_unit_id",
    "allocated_lawyer_id",
    "status",
    "custody_status",
    "summary",
    "antecedents_served_on",
    "submitted_at",
    "charged_on",
    "next_hearing_id",
    "next_hearing_type",
    "next_hearing_at",
    "readiness_outstanding",
    "readiness_items",
    "readiness_within_days",
    "is_demo",
)
DEFENDANT_COLUMNS = ("id", "case_id", "person_id", "position", "custody_status", "bail_conditions", "charging_outcome")
CHARGE_COLUMNS = (
    "id",
    "case_id",
    "defendant_id",
    "offence_code",
    "wording",
    "offence_date_from",
    "status",
    "proposed_charge_id",
    "charged_on",
    "discontinuance_reason",
    "ended_on",
)
IDPC_COLUMNS = ("case_id", "served_on", "served_by")
HEARING_COLUMNS = (
    "id",
    "case_id",
    "court_unit_id",
    "cps_area_unit_id",
    "court_type",
    "hearing_type_code",
    "hearing_type",
    "starts_at",
    "sitting_date",
    "courtroom",
    "status",
    "trial_effectiveness",
    "trial_reason",
    "created_by",
)
OUTCOME_COLUMNS = (
    "charge_id",
    "defendant_id",
    "hearing_id",
    "outcome",
    "reason",
    "verdict_code",
    "result_code",
    "decided_on",
    "created_by",
)
SENTENCE_COLUMNS = (
    "hearing_id",
    "defendant_id",
    "sentenced_on",
    "disposals",
    "result_codes",
    "rule_pack",
    "created_by",
)
FINALISATION_COLUMNS = (
    "defendant_id",
    "case_id",
    "cps_area_unit_id",
    "court_type",
    "outcome",
    "charged_on",
    "finalised_on",
)
BOOKING_COLUMNS = (
    "id",
    "person_id",
    "prison_unit_id",
    "prison_number",
    "legal_status",
    "status",
    "location",
    "out_reason",
    "received_at",
    "created_by",
)
MOVEMENT_COLUMNS = ("booking_id", "person_id", "kind", "occurred_at", "to_unit_id", "detail", "created_by")
OM_ALLOCATION_COLUMNS = (
    "booking_id",
    "person_id",
    "prison_unit_id",
    "staff_id",
    "reason",
    "allocated_by",
    "allocated_at",
)
# The share of the demo prison's prisoners with the demo prison offender manager; the rest wait on
# the prison's unallocated list.
SHARE_WITH_DEMO_POM = 0.6

# Children first: the order the batch's tables are copied in (and emptied in reverse).
TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("prosecution_cases", CASE_COLUMNS),
    ("defendants", DEFENDANT_COLUMNS),
    ("charges", CHARGE_COLUMNS),
    ("idpc_service", IDPC_COLUMNS),
    ("court_hearings", HEARING_COLUMNS),
    ("court_charge_outcomes", OUTCOME_COLUMNS),
    ("court_sentences", SENTENCE_COLUMNS),
    ("court_finalisations", FINALISATION_COLUMNS),
    ("custody_bookings", BOOKING_COLUMNS),
    ("custody_movements", MOVEMENT_COLUMNS),
    ("custody_offender_manager_allocations", OM_ALLOCATION_COLUMNS),
)


class DemoCasesUnavailable(Exception):
    """Something the cases need (standing data, demo logins) is missing; the message says what."""


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    region: str | None = None


@dataclass(frozen=True)
class Places:
    """The standing data the generator draws on, and the demo logins' places."""

    areas: Sequence[Unit]
    police_units: dict[str, list[tuple[Unit, Unit]]]  # force code -> (force, station unit)
    magistrates: dict[str, list[Unit]]  # region -> courts
    crown: dict[str, list[Unit]]
    prisons: Sequence[Unit]
    offences: dict[str, str]  # code -> title
    lawyer_id: int
    lawyer_area_id: int
    court: Unit  # the demo court clerk's court
    prison: Unit  # the demo prison staff's prison
    offender_manager_id: int | None = None  # demo.prison-offender-manager, when they work at that prison


@dataclass
class CasesBatch:
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {name: [] for name, _ in TABLES})

    @property
    def row_count(self) -> int:
        return sum(len(r) for r in self.rows.values())


@dataclass(frozen=True)
class DemoPerson:
    id: int
    prison_number: str | None


class IdBlock:
    """Ids handed out from a block reserved in one go from a table's own sequence."""

    def __init__(self, first: int) -> None:
        self.next = first

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


class CasesGenerator:
    """Cases for DEMO PEOPLE; one instance per load (its counters keep URNs unique)."""

    def __init__(
        self,
        places: Places,
        people: Sequence[DemoPerson],
        case_count: int,
        seed: int,
        today: date,
        ids: dict[str, IdBlock],
    ) -> None:
        self.p = places
        self.people = people
        self.rng = random.Random(seed * 1_000_003 + 17)
        self.today = today
        self.ids = ids
        self.urn_serials: dict[tuple[str, str, str], int] = {}
        self.booked: set[int] = set()
        self.court_region_share = min(0.35, EXTRA_COURT_REGION_CASES / case_count)
        self.lawyer_area_share = min(0.2, EXTRA_LAWYER_AREA_CASES / case_count)
        in_area = case_count * (self.lawyer_area_share + 1 / max(1, len(places.areas)))
        self.lawyer_stride = max(1, round(in_area / LAWYER_CASES))
        self.lawyer_seen = 0
        # Most bookings are the standing prison population (SHARE_IN_PRISON of those with a prison number).
        with_numbers = sum(1 for person in people if person.prison_number)
        self.prison_stride = max(1, round(with_numbers * SHARE_IN_PRISON / PRISON_ROLL))
        self.bookings_seen = 0
        self.offence_pairs = [(code, w) for code, w in OFFENCES if code in places.offences]
        if not self.offence_pairs:
            raise DemoCasesUnavailable("None of the demo offences is in the standing data.")
        self.lawyer_area = next((a for a in places.areas if a.id == places.lawyer_area_id), places.areas[0])
        self.court_areas = [a for a in places.areas if a.region == places.court.region] or list(places.areas)
        self._checklists: dict[tuple[court_rules.HearingType, date], prosecution_rules.Checklist] = {}

    # -- dates ------------------------------------------------------------------------------------
    def _day(self, days_from_today: int) -> date:
        return self.today + timedelta(days=days_from_today)

    def _sitting(self, day: date) -> tuple[date, datetime]:
        while day.weekday() >= 5:  # courts sit on weekdays
            day += timedelta(days=1)
        return day, datetime.combine(day, self.rng.choice(SITTING_TIMES), LONDON)

    # -- one case ---------------------------------------------------------------------------------
    def batch(self, count: int) -> CasesBatch:
        out = CasesBatch()
        for _ in range(count):
            self._case(out)
        return out

    def _urn(self, force_code: str, station: str, year: int) -> str:
        key = (force_code, station, f"{year % 100:02d}")
        serial = self.urn_serials.get(key, 0) + 1
        if serial > 99_999:
            raise DemoCasesUnavailable(f"Station {force_code}{station} ran out of URN serials for {year}.")
        self.urn_serials[key] = serial
        urn = parse_urn(f"{force_code}{station}{serial:05d}{key[2]}")
        assert urn.valid
        return urn.canonical

    def _case(self, out: CasesBatch) -> None:
        rng, p = self.rng, self.p
        court_case = rng.random() < self.court_region_share
        if court_case:
            area = rng.choice(self.court_areas)
        elif rng.random() < self.lawyer_area_share:
            area = self.lawyer_area
        else:
            area = rng.choice(p.areas)
        forces = [f for f in AREA_FORCES.get(area.code, ()) if f in p.police_units] or sorted(p.police_units)
        force, station = rng.choice(p.police_units[rng.choice(forces)])
        status = _weighted(rng, STATUS_WEIGHTS)
        age_days = {
            "awaiting_charging_decision": rng.randint(1, 40),
            "action_plan": rng.randint(10, 90),
            "no_further_action": rng.randint(20, 400),
            "out_of_court_disposal": rng.randint(20, 400),
            "charged": rng.randint(5, 200),
            "concluded": rng.randint(40, 420),
        }[status]
        submitted_on = self._day(-age_days)
        case_id = self.ids["prosecution_cases"].take()
        lawyer_id = None
        if area.id == p.lawyer_area_id:
            self.lawyer_seen += 1
            if self.lawyer_seen % self.lawyer_stride == 0:
                lawyer_id = p.lawyer_id
        charged_on = submitted_on + timedelta(days=rng.randint(0, 10)) if status in ("charged", "concluded") else None

        defendants: list[tuple[int, DemoPerson]] = []
        people = [rng.choice(self.people)]
        if rng.random() < 0.12 and len(self.people) > 1:
            other = rng.choice(self.people)
            if other.id != people[0].id:
                people.append(other)
        in_custody = status == "charged" and rng.random() < 0.12
        custody = (
            "in_custody"
            if in_custody
            else rng.choice(("conditional_bail", "unconditional_bail", "not_arrested"))
            if status in ("charged", "concluded")
            else rng.choice(("released_under_investigation", "conditional_bail", "not_arrested"))
        )
        charging_outcome = {
            "no_further_action": "no_further_action",
            "out_of_court_disposal": "out_of_court_disposal",
            "charged": "charge",
            "concluded": "charge",
        }.get(status)
        laid: list[tuple[int, int, str]] = []  # (charge id, defendant id, offence code)
        for position, person in enumerate(people, start=1):
            defendant_id = self.ids["defendants"].take()
            defendants.append((defendant_id, person))
            bail = (
                "Not to contact the complainant; to live and sleep at home address"
                if custody == "conditional_bail"
                else None
            )
            out_rows = out.rows
            out_rows["defendants"].append((defendant_id, case_id, person.id, position, custody, bail, charging_outcome))
            for _ in range(1 if rng.random() < 0.7 else 2):
                code = _weighted(rng, self.offence_pairs)
                offence_on = submitted_on - timedelta(days=rng.randint(1, 30))
                proposed_id = self.ids["charges"].take()
                proposed_status = {
                    "awaiting_charging_decision": "proposed",
                    "action_plan": "proposed",
                    "no_further_action": "no_further_action",
                    "out_of_court_disposal": "out_of_court_disposal",
                }.get(status, "superseded")
                title = p.offences[code]
                out_rows["charges"].append(
                    (
                        proposed_id,
                        case_id,
                        defendant_id,
                        code,
                        title,
                        offence_on,
                        proposed_status,
                        None,
                        None,
                        None,
                        None,
                    )
                )
                if charged_on is not None:
                    laid_id = self.ids["charges"].take()
                    out_rows["charges"].append(
                        (
                            laid_id,
                            case_id,
                            defendant_id,
                            code,
                            title,
                            offence_on,
                            "charged",
                            proposed_id,
                            charged_on,
                            None,
                            None,
                        )
                    )
                    laid.append((laid_id, defendant_id, code))

        next_hearing: tuple[int, str, datetime] | None = None
        antecedents_on: date | None = None
        idpc_on: date | None = None
        if charged_on is not None:
            idpc_on = charged_on + timedelta(days=rng.randint(1, 7)) if rng.random() < 0.75 else None
            if idpc_on is not None and idpc_on > self.today:
                idpc_on = None
            if idpc_on is not None:
                out.rows["idpc_service"].append((case_id, idpc_on, "CPS demo"))
            if rng.random() < 0.5:
                antecedents_on = min(self.today, charged_on + timedelta(days=rng.randint(1, 20)))
            court = self._court_for(area, court_case)
            if status == "concluded":
                self._concluded(out, case_id, area, court, charged_on, defendants, laid)
            else:
                next_hearing = self._open_hearings(out, case_id, area, court, charged_on, [d for d, _ in defendants])
        if in_custody:
            for _, person in defendants:
                self._book(out, person, "remand", charged_on or submitted_on)

        readiness: tuple[int | None, int | None, int | None] = (None, None, None)
        if next_hearing is not None:
            readiness = self._readiness(next_hearing[1], next_hearing[2].date(), idpc_on, antecedents_on)
        force_code = station.code[:2]
        out.rows["prosecution_cases"].append(
            (
                case_id,
                self._urn(force_code, station.code[2:4], submitted_on.year),
                "cps",
                force.id,
                station.id,
                rng.choice(OFFICERS),
                f"{rng.randint(1000, 9999)}",
                area.id,
                lawyer_id,
                status,
                custody,
                None,
                antecedents_on,
                datetime.combine(submitted_on, time(9, 0), UTC) + timedelta(minutes=rng.randint(0, 480)),
                charged_on,
                next_hearing[0] if next_hearing else None,
                next_hearing[1] if next_hearing else None,
                next_hearing[2] if next_hearing else None,
                *readiness,
                True,
            )
        )

    def prison_population(self) -> CasesBatch:
        """The people serving sentences passed before the cases: active bookings, mostly sentenced."""
        out = CasesBatch()
        rng = self.rng
        for person in self.people:
            if person.prison_number and rng.random() < SHARE_IN_PRISON:
                status = "sentenced" if rng.random() < 0.82 else "remand"
                self._book(out, person, status, self.today - timedelta(days=rng.randint(1, 1500)))
        return out

    def _court_for(self, area: Unit, court_case: bool) -> Unit:
        if court_case and area.region == self.p.court.region:
            return self.p.court
        courts = (
            self.p.magistrates.get(area.region or "")
            or self.p.magistrates.get(self.p.court.region or "")
            or [self.p.court]
        )
        return self.rng.choice(courts)

    def _crown_for(self, court: Unit) -> Unit | None:
        crowns = self.p.crown.get(court.region or "")
        return self.rng.choice(crowns) if crowns else None

    def _hearing(
        self,
        out: CasesBatch,
        case_id: int,
        area: Unit,
        court: Unit,
        kind: court_rules.HearingType,
        sitting: date,
        starts_at: datetime,
        status: str,
        trial: tuple[str, str | None] | None = None,
    ) -> int:
        hearing_id = self.ids["court_hearings"].take()
        court_type = "crown" if court.code.startswith("C") else "magistrates"
        out.rows["court_hearings"].append(
            (
                hearing_id,
                case_id,
                court.id,
                area.id,
                court_type,
                HEARING_CODES[kind],
                kind.value,
                starts_at,
                sitting,
                str(self.rng.randint(1, 6)),
                status,
                trial[0] if trial else None,
                trial[1] if trial else None,
                DEMO_ACTOR,
            )
        )
        return hearing_id

    def _open_hearings(
        self, out: CasesBatch, case_id: int, area: Unit, court: Unit, charged_on: date, defendant_ids: list[int]
    ) -> tuple[int, str, datetime]:
        """A first hearing (heard if it is past) and the next one to come, from a few days ago on:
        daily lists around today are full, with the past days' hearings heard."""
        rng = self.rng
        first_day, first_at = self._sitting(charged_on + timedelta(days=rng.randint(7, 21)))
        listed = court_rules.HearingStatus.LISTED.value
        if first_day >= self.today - timedelta(days=3):
            # Around today: some are on today's and the coming days' lists.
            status = listed if first_day >= self.today else court_rules.HearingStatus.HEARD.value
            hearing_id = self._hearing(
                out, case_id, area, court, court_rules.HearingType.FIRST_HEARING, first_day, first_at, status
            )
            if status == listed:
                return hearing_id, court_rules.HearingType.FIRST_HEARING.value, first_at
        else:
            self._hearing(
                out,
                case_id,
                area,
                court,
                court_rules.HearingType.FIRST_HEARING,
                first_day,
                first_at,
                court_rules.HearingStatus.HEARD.value,
            )
        kind = _weighted(
            rng,
            (
                (court_rules.HearingType.TRIAL, 5),
                (court_rules.HearingType.PTPH, 2),
                (court_rules.HearingType.SENTENCE, 3),
            ),
        )
        venue = court
        if kind is court_rules.HearingType.PTPH:
            venue = self._crown_for(court) or court
        # The demo court's cases come back within the week, so its lists around today are full.
        ahead = rng.randint(0, 7) if court.id == self.p.court.id else int(rng.expovariate(1 / 20))
        next_day, next_at = self._sitting(self.today + timedelta(days=ahead))
        return self._hearing(out, case_id, area, venue, kind, next_day, next_at, listed), kind.value, next_at

    def _concluded(
        self,
        out: CasesBatch,
        case_id: int,
        area: Unit,
        court: Unit,
        charged_on: date,
        defendants: list[tuple[int, DemoPerson]],
        laid: list[tuple[int, int, str]],
    ) -> None:
        rng = self.rng
        heard = court_rules.HearingStatus.HEARD.value
        first_day, first_at = self._sitting(charged_on + timedelta(days=rng.randint(7, 21)))
        last_day = min(self.today - timedelta(days=1), first_day + timedelta(days=rng.randint(0, 200)))
        if last_day < first_day:
            last_day = first_day
        outcome = _weighted(rng, OUTCOME_WEIGHTS)
        if first_day >= self.today:
            outcome = court_rules.ChargeOutcome.GUILTY_PLEA  # settled at the first hearing, which is past
            first_day, first_at = self._sitting(self.today - timedelta(days=7))
            last_day = first_day
        first_id = self._hearing(
            out, case_id, area, court, court_rules.HearingType.FIRST_HEARING, first_day, first_at, heard
        )
        final_id, final_day, venue = first_id, first_day, court
        if outcome is not court_rules.ChargeOutcome.GUILTY_PLEA or last_day > first_day:
            if rng.random() < 0.15:
                venue = self._crown_for(court) or court
            tried = outcome in (court_rules.ChargeOutcome.CONVICTED_AFTER_TRIAL, court_rules.ChargeOutcome.ACQUITTED)
            kind = court_rules.HearingType.TRIAL if tried else court_rules.HearingType.SENTENCE
            trial: tuple[str, str | None] | None = None
            if tried:
                trial = (court_rules.TrialEffectiveness.EFFECTIVE.value, None)
            elif outcome in (court_rules.ChargeOutcome.WITHDRAWN, court_rules.ChargeOutcome.DISMISSED):
                kind = court_rules.HearingType.TRIAL
                trial = (
                    court_rules.TrialEffectiveness.CRACKED.value,
                    court_rules.TrialReason.PROSECUTION_OFFERED_NO_EVIDENCE.value,
                )
            day, at = self._sitting(last_day)
            if day >= self.today:
                day, at = first_day, first_at
            final_day = day
            final_id = self._hearing(out, case_id, area, venue, kind, day, at, heard, trial)
        court_type = "crown" if venue.code.startswith("C") else "magistrates"
        stopped = outcome in (court_rules.ChargeOutcome.DISCONTINUED, court_rules.ChargeOutcome.WITHDRAWN)
        reason = rng.choice(STOP_REASONS) if stopped or outcome is court_rules.ChargeOutcome.DISMISSED else None
        if stopped:
            reason = reason or court_rules.DiscontinuanceReason.INSUFFICIENT_EVIDENCE
        charges_by_defendant: dict[int, list[int]] = {}
        for charge_id, defendant_id, _ in laid:
            charges_by_defendant.setdefault(defendant_id, []).append(charge_id)
            out.rows["court_charge_outcomes"].append(
                (
                    charge_id,
                    defendant_id,
                    final_id,
                    outcome.value,
                    reason.value if reason else None,
                    court_rules.OUTCOME_VERDICT_CODES[outcome],
                    court_rules.OUTCOME_RESULT_CODES.get(outcome),
                    final_day,
                    DEMO_ACTOR,
                )
            )
        # The laid charges end as the court concluded them (prosecution.service.conclude_charges).
        rows = out.rows["charges"]
        ended = {charge_id for charge_id, _, _ in laid}
        for i in range(len(rows) - 1, -1, -1):
            row = rows[i]
            if row[1] != case_id:
                break
            if row[0] in ended:
                rows[i] = (*row[:6], "concluded", row[7], row[8], None, final_day)
        for defendant_id, person in defendants:
            out.rows["court_finalisations"].append(
                (defendant_id, case_id, area.id, court_type, outcome.value, charged_on, final_day)
            )
            if outcome.is_conviction:
                self._sentence(
                    out, final_id, final_day, defendant_id, person, charges_by_defendant.get(defendant_id, [])
                )

    def _sentence(
        self, out: CasesBatch, hearing_id: int, on: date, defendant_id: int, person: DemoPerson, charge_ids: list[int]
    ) -> None:
        if not charge_ids:
            return
        rng = self.rng
        roll = rng.random()
        custodial = roll < SHARE_CUSTODIAL
        if custodial:
            months = rng.choice((3, 6, 9, 12, 18, 24, 36, 48))
            body: dict[str, Any] = {
                "defendant_id": defendant_id,
                "disposals": [
                    {"kind": "custodial", "terms": [{"charge_id": c, "length": {"months": months}} for c in charge_ids]}
                ],
            }
        elif roll < SHARE_CUSTODIAL + SHARE_SUSPENDED:
            body = {
                "defendant_id": defendant_id,
                "disposals": [
                    {
                        "kind": "suspended",
                        "terms": [
                            {"charge_id": c, "length": {"months": rng.choice((3, 4, 6, 8, 12))}} for c in charge_ids
                        ],
                        "operational_period": {"months": rng.choice((12, 18, 24))},
                        "requirements": self._requirements(),
                    }
                ],
            }
        elif roll < SHARE_CUSTODIAL + SHARE_SUSPENDED + SHARE_COMMUNITY:
            body = {
                "defendant_id": defendant_id,
                "disposals": [
                    {
                        "kind": "community_order",
                        "charge_ids": charge_ids,
                        "length": {"months": rng.choice((12, 12, 18, 24))},
                        "requirements": self._requirements(),
                    }
                ],
            }
        else:
            body = {
                "defendant_id": defendant_id,
                "disposals": [
                    {"kind": "fine", "charge_id": c, "amount_pence": rng.choice((8_000, 15_000, 25_000, 40_000))}
                    for c in charge_ids
                ],
            }
        sentence_in = SentenceIn.model_validate(body)
        sentence = sentence_in.to_rules(on)
        court_rules.check_sentence(sentence, [str(c) for c in charge_ids])
        disposals = [d.model_dump(mode="json") for d in sentence_in.disposals]
        for disposal, code in zip(
            disposals, (court_rules.disposal_result_code(d) for d in sentence.disposals), strict=True
        ):
            disposal["result_code"] = code
        out.rows["court_sentences"].append(
            (
                hearing_id,
                defendant_id,
                on,
                json.dumps(disposals),
                court_rules.sentence_result_codes(sentence),
                court_rules.sentencing_limits_on(on).label,
                DEMO_ACTOR,
            )
        )
        if custodial and on > self.today - timedelta(days=int(months * 30 * 0.45)):
            self._book(out, person, "sentenced", on)  # still inside: on the roll

    def _requirements(self) -> list[dict[str, Any]]:
        """One or two requirements of a community order or suspended sentence order: unpaid work
        hours, rehabilitation activity days, or both (the supervision pages count progress on them)."""
        rng = self.rng
        roll = rng.random()
        found: list[dict[str, Any]] = []
        if roll < 0.7:
            found.append({"kind": "unpaid_work", "hours": rng.choice((40, 60, 80, 100, 120, 150, 200))})
        if roll > 0.45:
            found.append({"kind": "rehabilitation_activity", "days": rng.choice((10, 15, 20, 25, 30))})
        return found

    def _book(self, out: CasesBatch, person: DemoPerson, legal_status: str, on: date) -> None:
        if person.prison_number is None or person.id in self.booked:
            return
        self.booked.add(person.id)
        self.bookings_seen += 1
        rng = self.rng
        prison = self.p.prison if self.bookings_seen % self.prison_stride == 0 else rng.choice(self.p.prisons)
        booking_id = self.ids["custody_bookings"].take()
        received = datetime.combine(min(on, self.today), time(16, 0), LONDON) + timedelta(minutes=rng.randint(0, 240))
        location = f"{'ABCDEFGH'[rng.randrange(8)]}-{rng.randint(1, 4)}-{rng.randint(1, 40):03d}"
        out_reason = "court_production" if rng.random() < 0.02 else None
        out.rows["custody_bookings"].append(
            (
                booking_id,
                person.id,
                prison.id,
                person.prison_number,
                legal_status,
                "active",
                location,
                out_reason,
                received,
                DEMO_ACTOR,
            )
        )
        out.rows["custody_movements"].append(
            (
                booking_id,
                person.id,
                "reception",
                received,
                prison.id,
                json.dumps({"prisonNumber": person.prison_number, "legalStatus": legal_status}),
                DEMO_ACTOR,
            )
        )
        if prison == self.p.prison and self.p.offender_manager_id is not None and rng.random() < SHARE_WITH_DEMO_POM:
            out.rows["custody_offender_manager_allocations"].append(
                (
                    booking_id,
                    person.id,
                    prison.id,
                    self.p.offender_manager_id,
                    None,
                    DEMO_ACTOR,
                    received + timedelta(days=rng.randint(1, 10)),
                )
            )

    def _readiness(
        self, hearing_type: str, hearing_date: date, idpc_on: date | None, antecedents_on: date | None
    ) -> tuple[int | None, int | None, int | None]:
        """The counts prosecution.service.refresh_readiness would keep, from the facts written."""
        kind = court_rules.HearingType(hearing_type)
        key = (kind, hearing_date)
        checklist = self._checklists.get(key)
        if checklist is None:
            checklist = self._checklists[key] = prosecution_rules.national_checklist(kind, hearing_date)
        yes, no = prosecution_rules.FactState.YES, prosecution_rules.FactState.NO
        facts = {
            prosecution_rules.CaseFact.IDPC_SERVED: yes if idpc_on else no,
            prosecution_rules.CaseFact.WITNESSES_WARNED: prosecution_rules.FactState.UNKNOWN,
            prosecution_rules.CaseFact.SPECIAL_MEASURES_APPLIED: yes,
            prosecution_rules.CaseFact.DISCLOSURE_INITIAL_DONE: no,
            prosecution_rules.CaseFact.DEFENCE_STATEMENT_REVIEWED: no,
            prosecution_rules.CaseFact.PRE_SENTENCE_REPORT_REQUESTED: no,
            prosecution_rules.CaseFact.VICTIM_PERSONAL_STATEMENT_OBTAINED: yes,
            prosecution_rules.CaseFact.ANTECEDENTS_SERVED: yes if antecedents_on else no,
        }
        found = prosecution_rules.readiness(checklist, facts, (), hearing_date, self.today)
        return len(found.outstanding), found.item_count, found.not_ready_within_days


# -- loading ------------------------------------------------------------------------------------------


async def _places(conn: asyncpg.Connection) -> Places:
    units = await conn.fetch(
        "SELECT id, code, region, kind, parent_id FROM organisation_units WHERE active AND kind = ANY($1::text[]) "
        "ORDER BY code",
        ["cps_area", "police_force", "police_unit", "magistrates_court", "crown_court", "prison"],
    )
    by_id = {u["id"]: u for u in units}
    police: dict[str, list[tuple[Unit, Unit]]] = {}
    for u in units:
        parent = by_id.get(u["parent_id"])
        code = u["code"]
        # Stations whose OU code reads force digits then two letters can issue URNs (FFSS...).
        station_code = len(code) >= 4 and code[:2].isdigit() and code[:2] != "00" and code[2:4].isalpha()
        if u["kind"] == "police_unit" and parent is not None and station_code and code[2:4].isupper():
            police.setdefault(code[:2], []).append((Unit(parent["id"], parent["code"]), Unit(u["id"], code)))
    magistrates: dict[str, list[Unit]] = {}
    crown: dict[str, list[Unit]] = {}
    for u in units:
        if u["kind"] in ("magistrates_court", "crown_court") and u["region"]:
            (magistrates if u["kind"] == "magistrates_court" else crown).setdefault(u["region"], []).append(
                Unit(u["id"], u["code"], u["region"])
            )
    areas = [Unit(u["id"], u["code"], u["region"]) for u in units if u["kind"] == "cps_area"]
    prisons = [Unit(u["id"], u["code"], u["region"]) for u in units if u["kind"] == "prison"]
    staff = {
        r["username"]: r
        for r in await conn.fetch(
            "SELECT s.id, s.username, s.unit_id, u.code, u.region FROM staff s JOIN organisation_units u "
            "ON u.id = s.unit_id WHERE s.username = ANY($1::text[])",
            ["demo.cps-lawyer", "demo.court-clerk", "demo.prison-records-clerk", "demo.prison-offender-manager"],
        )
    }
    missing = [
        name for name in ("demo.cps-lawyer", "demo.court-clerk", "demo.prison-records-clerk") if name not in staff
    ]
    if not areas or not police or not magistrates or not prisons:
        raise DemoCasesUnavailable("The unit lists are not loaded; run `caselink reference load` first.")
    if missing:
        raise DemoCasesUnavailable(f"The demo logins {', '.join(missing)} do not exist yet.")
    codes = [code for code, _ in OFFENCES]
    offences = {
        r["code"]: r["title"]
        for r in await conn.fetch("SELECT code, title FROM reference_offences WHERE code = ANY($1::text[])", codes)
    }
    court = staff["demo.court-clerk"]
    prison = staff["demo.prison-records-clerk"]
    pom = staff.get("demo.prison-offender-manager")
    return Places(
        areas=areas,
        police_units=police,
        magistrates=magistrates,
        crown=crown,
        prisons=prisons,
        offences=offences,
        lawyer_id=staff["demo.cps-lawyer"]["id"],
        lawyer_area_id=staff["demo.cps-lawyer"]["unit_id"],
        court=Unit(court["unit_id"], court["code"], court["region"]),
        prison=Unit(prison["unit_id"], prison["code"], prison["region"]),
        offender_manager_id=pom["id"] if pom is not None and pom["unit_id"] == prison["unit_id"] else None,
    )


async def _demo_people(conn: asyncpg.Connection) -> list[DemoPerson]:
    rows = await conn.fetch(
        """
        SELECT p.id, n.prison_number
        FROM persons p
        LEFT JOIN (SELECT person_id, min(value) AS prison_number FROM person_identifiers
                   WHERE type = $1 AND valid GROUP BY person_id) n ON n.person_id = p.id
        WHERE p.is_demo ORDER BY p.id
        """,
        IdentifierType.PRISON_NUMBER.value,
    )
    return [DemoPerson(r["id"], r["prison_number"]) for r in rows]


# Foreign keys whose referencing column has no index: deleting many referenced rows checks each one
# with a scan of the whole table. The delete gives them an index for its own transaction only.
_UNINDEXED_REFERENCES = (
    ("court_hearings", "relisted_from_id"),
    ("charges", "proposed_charge_id"),
    ("charging_decisions", "proposed_charge_id"),
    ("charging_decisions", "defendant_id"),
    ("custody_time_limits", "defendant_id"),
    ("custody_expected_arrivals", "booking_id"),
    ("custody_movements", "person_id"),
)


async def delete_demo_cases(conn: asyncpg.Connection) -> None:
    """Remove every demo case and what hangs from it (probation work, court records, bookings of
    demo people). Call inside a transaction."""
    await delete_demo_probation(conn)
    if not await count_demo_cases(conn):
        return
    for table, column in _UNINDEXED_REFERENCES:
        await conn.execute(f"CREATE INDEX demo_delete_{table}_{column} ON {table} ({column})")
    await _delete_demo_cases(conn)
    for table, column in _UNINDEXED_REFERENCES:
        await conn.execute(f"DROP INDEX demo_delete_{table}_{column}")


async def delete_demo_people(conn: asyncpg.Connection) -> None:
    """Remove the demo people (after their cases). Each deleted person is checked against every
    table that refers to persons: those whose column has no index get one for this transaction,
    or each of a million deletes would scan them whole. Call inside a transaction."""
    unindexed = await conn.fetch(
        """
        SELECT c.conrelid::regclass::text AS table_name, a.attname AS column_name
        FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.confrelid = 'persons'::regclass AND cardinality(c.conkey) = 1
          AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
        ORDER BY 1, 2
        """
    )
    names = [f"demo_delete_people_{n}" for n in range(len(unindexed))]
    for name, row in zip(names, unindexed, strict=True):
        await conn.execute(f'CREATE INDEX {name} ON {row["table_name"]} ("{row["column_name"]}")')
    await conn.execute("DELETE FROM persons WHERE is_demo")
    for name in names:
        await conn.execute(f"DROP INDEX {name}")


async def _delete_demo_cases(conn: asyncpg.Connection) -> None:
    cases = "SELECT id FROM prosecution_cases WHERE is_demo"
    hearings = f"SELECT id FROM court_hearings WHERE case_id IN ({cases})"
    await conn.execute(f"DELETE FROM court_finalisations WHERE case_id IN ({cases})")
    for table in ("court_sentences", "court_remands", "court_charge_outcomes", "court_pleas"):
        await conn.execute(f"DELETE FROM {table} WHERE hearing_id IN ({hearings})")
    await conn.execute(f"UPDATE court_hearings SET relisted_from_id = NULL WHERE case_id IN ({cases})")
    await conn.execute(f"DELETE FROM court_hearings WHERE case_id IN ({cases})")
    demo_bookings = "SELECT b.id FROM custody_bookings b JOIN persons p ON p.id = b.person_id WHERE p.is_demo"
    await conn.execute(f"UPDATE custody_expected_arrivals SET booking_id = NULL WHERE booking_id IN ({demo_bookings})")
    await conn.execute(f"DELETE FROM custody_movements WHERE booking_id IN ({demo_bookings})")
    await conn.execute(f"DELETE FROM custody_offender_manager_allocations WHERE booking_id IN ({demo_bookings})")
    await conn.execute(f"DELETE FROM custody_bookings WHERE id IN ({demo_bookings})")
    await conn.execute("DELETE FROM prosecution_cases WHERE is_demo")


async def _reserve(conn: asyncpg.Connection, table: str, count: int) -> IdBlock:
    """COUNT ids from TABLE's own sequence in one step (unused ones are a harmless gap)."""
    sequence = await conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table)
    last = await conn.fetchval("SELECT setval($1::regclass, nextval($1::regclass) + $2 - 1)", sequence, count)
    return IdBlock(int(last) - count + 1)


async def _copy(conn: asyncpg.Connection, batch: CasesBatch) -> int:
    for table, columns in TABLES:
        if batch.rows[table]:
            await conn.copy_records_to_table(table, records=batch.rows[table], columns=columns)
    return batch.row_count


async def count_demo_cases(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM prosecution_cases WHERE is_demo"))


async def copy_demo_cases(
    conn: asyncpg.Connection,
    fraction: float,
    seed: int,
    today: date | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> tuple[int, int]:
    """Generate cases for FRACTION of the demo people and COPY them in, in the caller's transaction.
    Returns (cases, rows)."""
    places = await _places(conn)
    people = await _demo_people(conn)
    case_count = round(len(people) * fraction)
    if case_count < 1 or not people:
        return 0, 0
    if on_phase:
        on_phase(f"Generating {case_count:,} cases")
    today = today or datetime.now(LONDON).date()
    # Generous blocks: each case has at most 2 defendants, 8 charges, 2 hearings and 2 bookings.
    ids = {
        "prosecution_cases": await _reserve(conn, "prosecution_cases", case_count),
        "defendants": await _reserve(conn, "defendants", 2 * case_count),
        "charges": await _reserve(conn, "charges", 8 * case_count),
        "court_hearings": await _reserve(conn, "court_hearings", 2 * case_count),
        "custody_bookings": await _reserve(conn, "custody_bookings", 2 * case_count + len(people)),
    }
    generator = CasesGenerator(places, people, case_count, seed, today, ids)
    done = rows = 0
    while done < case_count:
        size = min(BATCH_CASES, case_count - done)
        rows += await _copy(conn, generator.batch(size))
        done += size
    rows += await _copy(conn, generator.prison_population())
    for table, _ in TABLES:
        await conn.execute(f"ANALYZE {table}")
    # Probation supervises what the courts passed and the prisons released (demo/probation.py).
    _, probation_rows = await copy_demo_probation(conn, seed, today, on_phase)
    return case_count, rows + probation_rows
