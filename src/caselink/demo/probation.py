"""Deterministic demo probation work for the demo cases, by bulk COPY.

Runs after ``demo.cases`` (it reads what that wrote): every community order and suspended sentence
order still running opens a probation case (``probation.rules.cases_from_sentence``, as the event
handler does), and every custodial sentence whose person is out of prison but still inside the
licence period opens a licence case. For each case it writes what probation would have recorded
over the case's life, up to a year: the delivery unit (``probation.rules.delivery_unit_for``), an
allocation, a completed assessment per person whose latest drives the tier
(``probation.rules.calculate_tier``, with the person's flags), requirements with their progress,
licence conditions, sentence plan objectives, appointments and contacts with outcomes (mostly
complied, some failures and absences, the next ones booked), unpaid work places on group sessions,
and the enforcement each failure led to (``supervision_rules.decide_enforcement``). Counters kept
by the services (hours worked, RAR days used) match the contacts written.

The demo logins get their share whatever the size: a stride sends about ``DEMO_CASES`` cases to
the demo practitioners' delivery unit, where the demo practitioner holds about ``CASELOAD``, the
senior officer a few and the rest wait in the unit's unallocated queue; the demo unpaid work
supervisor runs that unit's sessions. Other units' cases are allocated to practitioners made for
the demo (``demo-staff.<unit>.<n>``, who cannot sign in).

No audit, events or outbox rows are written. One seeded stream drives it all.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from caselink.probation import rules as probation_rules
from caselink.probation import supervision_rules as srules

LONDON = ZoneInfo("Europe/London")
DEMO_ACTOR = "caselink:demo"
DEMO_STAFF_PREFIX = "demo-staff."
DEMO_CASES = 80  # about this many cases in the demo practitioners' delivery unit
CASELOAD = 45  # of which about this many allocated to the demo practitioner
SENIOR_CASELOAD = 8  # and this many to the demo senior officer; the rest wait in the queue
QUEUE = 20
CASES_PER_PRACTITIONER = 40  # other units: one demo practitioner per this many cases
BATCH_CASES = 1_000
MAX_CONTACTS_PER_CASE = 200
ROSH_LEVELS = probation_rules.ROSH_LEVELS  # least to most serious (assessments.rules.RoshLevel values)
HISTORY_DAYS = 365  # a year of contacts at most
BOOKED_DAYS = 28  # appointments booked this far ahead

CONTACT_TYPES: tuple[tuple[srules.ContactType, float], ...] = (
    (srules.ContactType.OFFICE_APPOINTMENT, 62),
    (srules.ContactType.HOME_VISIT, 8),
    (srules.ContactType.PHONE, 20),
    (srules.ContactType.VIDEO, 10),
)
OUTCOMES: tuple[tuple[srules.Outcome, float], ...] = (
    (srules.Outcome.ATTENDED_COMPLIED, 91),
    (srules.Outcome.ACCEPTABLE_ABSENCE, 5),
    (srules.Outcome.UNACCEPTABLE_ABSENCE, 2.7),
    (srules.Outcome.ATTENDED_FAILED_TO_COMPLY, 1.3),
)
INTERVAL_DAYS = {"A": 7, "B": 7, "C": 14, "D": 28}
FLAGS: tuple[tuple[str, float], ...] = (
    ("DOMESTIC_ABUSE", 0.07),
    ("CHILD_CONCERNS", 0.03),
    ("RISK_TO_STAFF", 0.02),
    ("SELF_HARM", 0.02),
    ("MAPPA", 0.015),
)
FLAG_REVIEW_MONTHS = {"MAPPA": 12, "SELF_HARM": 3}
NEED_OBJECTIVES = {
    "accommodation": "Find settled accommodation and keep the tenancy",
    "education_employment": "Attend the employment support service and apply for work",
    "finance": "Agree a budget and deal with the rent arrears",
    "relationships": "Complete the healthy relationships sessions",
    "lifestyle": "Take up a structured activity at weekends",
    "drugs": "Engage with the drug service and give negative tests",
    "alcohol": "Reduce drinking with the alcohol service's help",
    "emotional_wellbeing": "Register with a GP and attend the mental health appointments",
    "thinking_behaviour": "Complete the thinking skills work and use the consequential thinking plan",
    "attitudes": "Recognise the harm caused and write the victim awareness piece",
}
STANDARD_CONDITIONS = (
    "Be of good behaviour and not behave in a way which undermines the purpose of the licence period",
    "Not commit any offence",
    "Keep in touch with the supervising officer as instructed",
    "Receive visits from the supervising officer as instructed",
    "Reside permanently at an address approved by the supervising officer",
    "Not travel outside the United Kingdom without prior permission",
)
ADDITIONAL_CONDITIONS = (
    "Not to contact the victim directly or indirectly",
    "Not to enter the exclusion zone drawn on the attached map",
    "Attend appointments with the substance misuse service",
    "Comply with a curfew at the approved address from 19:00 to 07:00",
    "Notify the supervising officer of any developing relationship",
)
UPW_PROJECTS = (
    "Community garden",
    "Canal towpath clearance",
    "Charity shop warehouse",
    "Park litter and graffiti",
    "Church hall redecoration",
    "Food bank sorting",
)
GIVEN = ("Alex", "Sam", "Priya", "Tom", "Grace", "Omar", "Rhian", "Dan", "Fatima", "Chris", "Leah", "Marcus")
FAMILY = ("Hughes", "Ahmed", "Clarke", "Lewis", "Begum", "Walker", "Roberts", "Hall", "Nowak", "Green")

STAFF_COLUMNS = ("id", "username", "display_name", "unit_id", "roles", "status")
ASSESSMENT_COLUMNS = (
    "id",
    "person_id",
    "sequence",
    "status",
    "author_staff_id",
    "author_unit_id",
    "rosh_public",
    "rosh_known_adult",
    "rosh_children",
    "rosh_staff",
    "rosh_prisoners",
    "reoffending_score",
    "needs",
    "summary",
    "countersignature_required",
    "submitted_at",
    "completed_at",
    "created_at",
    "updated_at",
)
ASSESSMENT_HISTORY_COLUMNS = ("assessment_id", "action", "actor", "actor_staff_id", "at")
REGISTRATION_COLUMNS = (
    "person_id",
    "type_code",
    "level",
    "category",
    "owner_staff_id",
    "owner_unit_id",
    "start_date",
    "review_date",
    "created_by",
)
CASE_COLUMNS = (
    "id",
    "person_id",
    "kind",
    "status",
    "delivery_unit_id",
    "delivery_unit_basis",
    "practitioner_staff_id",
    "allocated_at",
    "allocated_by",
    "start_date",
    "end_date",
    "sentence",
    "source",
    "source_reference",
    "court_name",
    "tier",
    "tier_rule_version",
    "tier_calculated_at",
    "first_appointment_due",
    "first_appointment_task_id",
    "allocation_task_id",
    "created_by",
    "created_at",
)
ALLOCATION_COLUMNS = ("case_id", "staff_id", "allocated_by", "allocated_at")
TIER_CHANGE_COLUMNS = ("case_id", "from_tier", "to_tier", "trigger", "rule_version", "inputs", "changed_at")
REQUIREMENT_COLUMNS = (
    "id",
    "case_id",
    "position",
    "kind",
    "ordered_hours",
    "ordered_days",
    "hours_per_day",
    "days_per_week",
    "ends_on",
    "detail",
    "minutes_worked",
    "days_used",
    "sessions_attended",
)
CONDITION_COLUMNS = ("case_id", "kind", "condition", "created_by")
OBJECTIVE_COLUMNS = ("case_id", "need", "objective", "target_date", "status", "created_by")
SESSION_COLUMNS = ("id", "unit_id", "project", "starts_at", "ends_at", "supervisor_staff_id", "created_by")
CONTACT_COLUMNS = (
    "id",
    "case_id",
    "person_id",
    "type",
    "starts_at",
    "location",
    "sensitive",
    "requirement_id",
    "upw_session_id",
    "outcome",
    "outcome_recorded_at",
    "outcome_recorded_by",
    "minutes_credited",
    "created_by",
    "created_at",
)
ENFORCEMENT_COLUMNS = (
    "case_id",
    "contact_id",
    "kind",
    "status",
    "failures_in_window",
    "window_start",
    "explanation",
    "rule_version",
    "due_date",
    "created_by",
    "created_at",
)
TASK_COLUMNS = (
    "id",
    "type",
    "title",
    "subject_type",
    "subject_id",
    "owner_type",
    "owner_id",
    "unit_id",
    "due_date",
    "priority",
    "status",
    "outcome",
    "completed_at",
    "completed_by",
    "created_by",
    "dedupe_key",
    "created_at",
)

# Parents first: the order a batch is copied in.
TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("staff", STAFF_COLUMNS),
    ("assessments", ASSESSMENT_COLUMNS),
    ("assessment_history", ASSESSMENT_HISTORY_COLUMNS),
    ("person_registrations", REGISTRATION_COLUMNS),
    ("tasks", TASK_COLUMNS),
    ("probation_cases", CASE_COLUMNS),
    ("probation_allocations", ALLOCATION_COLUMNS),
    ("probation_tier_changes", TIER_CHANGE_COLUMNS),
    ("probation_requirements", REQUIREMENT_COLUMNS),
    ("probation_licence_conditions", CONDITION_COLUMNS),
    ("probation_objectives", OBJECTIVE_COLUMNS),
    ("probation_upw_sessions", SESSION_COLUMNS),
    ("probation_contacts", CONTACT_COLUMNS),
    ("probation_enforcement_actions", ENFORCEMENT_COLUMNS),
)
# Tables with ids handed out by the generator (reserved from their own sequences).
ID_TABLES = (
    "staff",
    "assessments",
    "tasks",
    "probation_cases",
    "probation_requirements",
    "probation_upw_sessions",
    "probation_contacts",
)


@dataclass
class Batch:
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {name: [] for name, _ in TABLES})

    @property
    def row_count(self) -> int:
        return sum(len(r) for r in self.rows.values())


@dataclass(frozen=True)
class Source:
    """What opens a case: a court's community or suspended sentence order, or a release on licence."""

    person_id: int
    kind: probation_rules.CaseKind
    start: date
    end: date
    sentence: dict[str, Any]
    source: str
    reference: str | None
    court_name: str | None


@dataclass(frozen=True)
class Places:
    units: dict[str, int]  # delivery unit code -> id
    demo_unit: int
    practitioner: int
    senior: int
    upw_supervisor: int | None


@dataclass
class PersonFacts:
    assessment: tuple[str, int, dict[str, int]]  # highest RoSH, reoffending score, needs
    flags: frozenset[str]


class Ids:
    """Ids from blocks reserved in one go from each table's own sequence."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.next: dict[str, int] = {}
        self.last: dict[str, int] = {}

    async def reserve(self, table: str, count: int) -> None:
        sequence = await self.conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table)
        last = int(
            await self.conn.fetchval("SELECT setval($1::regclass, nextval($1::regclass) + $2 - 1)", sequence, count)
        )
        self.next[table], self.last[table] = last - count + 1, last

    def take(self, table: str) -> int:
        value = self.next[table]
        if value > self.last[table]:
            raise RuntimeError(f"demo probation ran out of reserved {table} ids")
        self.next[table] = value + 1
        return value


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class ProbationGenerator:
    """Probation work for the SOURCES; one instance per load."""

    def __init__(self, places: Places, sources: Sequence[Source], seed: int, today: date, ids: Ids) -> None:
        self.p = places
        self.rng = random.Random(seed * 1_000_003 + 29)
        self.today = today
        self.cut = _at(today, 0)  # before this: happened; from it on: booked
        self.ids = ids
        self.stride = max(1, round(len(sources) / DEMO_CASES))
        self.seen = 0
        self.counts = {"practitioner": 0, "senior": 0, "queue": 0}
        self.persons: dict[int, PersonFacts] = {}
        self.unit_staff: dict[int, list[int]] = {}  # unit id -> demo practitioners made for it
        self.unit_cases: dict[int, int] = {}
        self.sessions: dict[int, dict[date, tuple[int, datetime]]] = {}  # unit -> day -> (id, starts)
        self.tiering = probation_rules.tiering_rules_on(today)
        codes = sorted(c for c, i in places.units.items() if i != places.demo_unit)
        self.other_unit = places.units[codes[0]] if codes else places.demo_unit

    # -- the people --------------------------------------------------------------------------------
    def _person(self, out: Batch, person_id: int, unit_id: int, author: int, start: date) -> PersonFacts:
        facts = self.persons.get(person_id)
        if facts is not None:
            return facts
        rng = self.rng
        rosh = rng.choices(ROSH_LEVELS, weights=(30, 48, 18, 4))[0]
        score = max(1, min(99, int(rng.gauss(42, 20))))
        needs = {need: rng.choice((0, 0, 1, 1, 2)) for need in NEED_OBJECTIVES}
        sequence = 1
        completed = _at(max(start - timedelta(days=rng.randint(3, 20)), self.today - timedelta(days=720)), 15)
        if rng.random() < 0.12:  # an earlier assessment, superseded by the latest
            earlier = completed - timedelta(days=rng.randint(200, 400))
            self._assessment(out, person_id, 1, unit_id, author, "medium", min(99, score + 8), needs, earlier)
            sequence = 2
        self._assessment(out, person_id, sequence, unit_id, author, rosh, score, needs, completed)
        flags = frozenset(code for code, share in FLAGS if rng.random() < share)
        for code in sorted(flags):
            started = start - timedelta(days=rng.randint(0, 120))
            review = srules.add_months(started, FLAG_REVIEW_MONTHS.get(code, 6))
            mappa = code == "MAPPA"
            out.rows["person_registrations"].append(
                (
                    person_id,
                    code,
                    rng.choice(("1", "2")) if mappa else None,
                    rng.choice(("1", "2")) if mappa else None,
                    author,
                    unit_id,
                    started,
                    review,
                    DEMO_ACTOR,
                )
            )
        facts = self.persons[person_id] = PersonFacts((rosh, score, needs), flags)
        return facts

    def _assessment(
        self,
        out: Batch,
        person_id: int,
        sequence: int,
        unit_id: int,
        author: int,
        rosh: str,
        score: int,
        needs: dict[str, int],
        completed: datetime,
    ) -> None:
        rng = self.rng
        assessment_id = self.ids.take("assessments")
        lower = ROSH_LEVELS[: ROSH_LEVELS.index(rosh) + 1]
        areas = [rosh, *(rng.choice(lower) for _ in range(4))]
        rng.shuffle(areas)
        out.rows["assessments"].append(
            (
                assessment_id,
                person_id,
                sequence,
                "completed",
                author,
                unit_id,
                *areas,
                score,
                json.dumps(needs),
                "Assessment completed for the demo.",
                False,
                completed - timedelta(hours=2),
                completed,
                completed - timedelta(days=2),
                completed,
            )
        )
        out.rows["assessment_history"].append((assessment_id, "completed", DEMO_ACTOR, author, completed))

    # -- placing the case --------------------------------------------------------------------------
    def _practitioner_for(self, out: Batch, unit_id: int) -> int:
        """A practitioner of a unit other than the demo one, one more for every CASES_PER_PRACTITIONER."""
        cases = self.unit_cases.get(unit_id, 0)
        self.unit_cases[unit_id] = cases + 1
        staff = self.unit_staff.setdefault(unit_id, [])
        if cases % CASES_PER_PRACTITIONER == 0:
            staff_id = self.ids.take("staff")
            name = f"{self.rng.choice(GIVEN)} {self.rng.choice(FAMILY)}"
            out.rows["staff"].append(
                (
                    staff_id,
                    f"{DEMO_STAFF_PREFIX}{unit_id}.{len(staff) + 1}",
                    name,
                    unit_id,
                    ["probation_practitioner"],
                    "active",
                )
            )
            staff.append(staff_id)
            return staff_id
        return self.rng.choice(staff)

    def _place(self, out: Batch, source: Source, postcode: str | None) -> tuple[int, str, int | None, str]:
        """(unit id, basis, practitioner or None, status)."""
        self.seen += 1
        choice = probation_rules.delivery_unit_for(postcode)
        unit_id = self.p.units.get(choice.pdu_code, self.other_unit)
        if self.seen % self.stride == 0:
            counts, r = self.counts, self.rng.random()
            basis = f"{choice.basis} -> demo delivery unit"
            if counts["practitioner"] < CASELOAD and (r < 0.6 or counts["queue"] >= QUEUE):
                counts["practitioner"] += 1
                return self.p.demo_unit, basis, self.p.practitioner, "allocated"
            if counts["senior"] < SENIOR_CASELOAD and r < 0.75:
                counts["senior"] += 1
                return self.p.demo_unit, basis, self.p.senior, "allocated"
            if counts["queue"] < QUEUE:
                counts["queue"] += 1
                return self.p.demo_unit, basis, None, "unallocated"
        if unit_id == self.p.demo_unit:
            unit_id = self.other_unit  # the demo unit holds its share only, whatever the set's size
        return unit_id, choice.basis, self._practitioner_for(out, unit_id), "allocated"

    # -- one case ----------------------------------------------------------------------------------
    def batch(self, sources: Sequence[Source], postcodes: dict[int, str | None]) -> Batch:
        out = Batch()
        for source in sources:
            self._case(out, source, postcodes.get(source.person_id))
        return out

    def _case(self, out: Batch, source: Source, postcode: str | None) -> None:
        rng, p = self.rng, self.p
        unit_id, basis, practitioner, status = self._place(out, source, postcode)
        author = practitioner or p.senior
        facts = self._person(out, source.person_id, unit_id, author, source.start)
        rosh, score, needs = facts.assessment
        inputs = probation_rules.TierInputs(rosh, score, facts.flags)
        tier = probation_rules.calculate_tier(inputs, self.tiering)
        case_id = self.ids.take("probation_cases")
        created = _at(source.start, 11, rng.randint(0, 59))
        allocated_at = created + timedelta(days=rng.randint(1, 3)) if practitioner else None
        first_due = _weekday(source.start + timedelta(days=7))
        allocation_task, first_task = self._tasks(out, case_id, source, unit_id, practitioner, created, first_due)
        out.rows["probation_cases"].append(
            (
                case_id,
                source.person_id,
                source.kind.value,
                status,
                unit_id,
                basis,
                practitioner,
                allocated_at,
                DEMO_ACTOR if practitioner else None,
                source.start,
                source.end,
                json.dumps(source.sentence),
                source.source,
                source.reference,
                source.court_name,
                tier.tier,
                tier.rule_version,
                created,
                first_due,
                first_task,
                allocation_task,
                DEMO_ACTOR,
                created,
            )
        )
        if practitioner and allocated_at:
            out.rows["probation_allocations"].append((case_id, practitioner, DEMO_ACTOR, allocated_at))
        out.rows["probation_tier_changes"].append(
            (case_id, None, tier.tier, "case_created", tier.rule_version, json.dumps(inputs.as_json()), created)
        )
        for need in [n for n, score_ in needs.items() if score_][: rng.randint(1, 3)]:
            target = source.start + timedelta(days=rng.randint(90, 270))
            achieved = target < self.today and rng.random() < 0.5
            out.rows["probation_objectives"].append(
                (case_id, need, NEED_OBJECTIVES[need], target, "achieved" if achieved else "open", DEMO_ACTOR)
            )
        if source.kind is probation_rules.CaseKind.LICENCE:
            for text in STANDARD_CONDITIONS:
                out.rows["probation_licence_conditions"].append((case_id, "standard", text, DEMO_ACTOR))
            for text in rng.sample(ADDITIONAL_CONDITIONS, rng.randint(0, 2)):
                out.rows["probation_licence_conditions"].append((case_id, "additional", text, DEMO_ACTOR))
        if practitioner is None:
            return  # waiting for allocation: nothing booked yet
        contacts: list[tuple[Any, ...]] = []
        self._appointments(out, contacts, case_id, source, tier.tier, created)
        requirements = [r for r in (source.sentence.get("requirements") or []) if isinstance(r, dict) and r.get("kind")]
        for position, requirement in enumerate(requirements):
            self._requirement(out, contacts, case_id, source, unit_id, position, requirement)
        contacts.sort(key=lambda c: (c[4], c[0]))
        self._enforce(out, case_id, source, contacts)
        out.rows["probation_contacts"].extend(contacts)

    def _tasks(
        self,
        out: Batch,
        case_id: int,
        source: Source,
        unit_id: int,
        practitioner: int | None,
        created: datetime,
        first_due: date,
    ) -> tuple[int, int]:
        rng = self.rng
        label = source.kind.label.lower()
        subject = f"probation-case/{case_id}"
        allocation_id, first_id = self.ids.take("tasks"), self.ids.take("tasks")
        done_at = created + timedelta(days=2)
        due = _weekday(source.start + timedelta(days=2))
        allocated: tuple[str, str | None, datetime | None, str | None]
        booked: tuple[str, str | None, datetime | None, str | None]
        if practitioner:
            allocated = ("completed", "Allocated", done_at, DEMO_ACTOR)
            booked = ("completed", "First appointment booked", done_at, DEMO_ACTOR)
        else:
            allocated = booked = ("open", None, None, None)
        out.rows["tasks"].append(
            (allocation_id, "probation.pre_allocation", f"Pre-allocation checks and allocate new {label}", "case",
             subject, "unit", unit_id, unit_id, due, 3, *allocated, DEMO_ACTOR,
             f"probation.pre_allocation:{case_id}", created)
        )  # fmt: skip
        out.rows["tasks"].append(
            (first_id, "probation.first_appointment", f"First appointment for new {label}", "case", subject,
             "unit", unit_id, unit_id, first_due, 3, *booked, DEMO_ACTOR,
             f"probation.first_appointment:{case_id}", created)
        )  # fmt: skip
        if practitioner and rng.random() < 0.2:  # an action the practitioner has let slip
            out.rows["tasks"].append(
                (self.ids.take("tasks"), "probation.review", "Review the sentence plan", "case", subject, "staff",
                 practitioner, unit_id, self.today - timedelta(days=rng.randint(1, 30)), 3, "open", None, None,
                 None, DEMO_ACTOR, f"probation.demo_review:{case_id}", created)
            )  # fmt: skip
        return allocation_id, first_id

    def _contact(
        self,
        contacts: list[tuple[Any, ...]],
        case_id: int,
        person_id: int,
        kind: srules.ContactType,
        at: datetime,
        location: str | None,
        requirement_id: int | None = None,
        session_id: int | None = None,
        outcome: srules.Outcome | None = None,
        minutes: int = 0,
    ) -> None:
        if len(contacts) >= MAX_CONTACTS_PER_CASE:
            return
        contacts.append(
            (
                self.ids.take("probation_contacts"),
                case_id,
                person_id,
                kind.value,
                at,
                location,
                False,
                requirement_id,
                session_id,
                outcome.value if outcome else None,
                at + timedelta(hours=2) if outcome else None,
                DEMO_ACTOR if outcome else None,
                minutes,
                DEMO_ACTOR,
                min(at, self.cut) - timedelta(days=7),
            )
        )

    def _outcome(self, at: datetime) -> srules.Outcome | None:
        if at >= self.cut:
            return None  # booked
        if at >= self.cut - timedelta(days=10) and self.rng.random() < 0.06:
            return None  # happened, outcome still to record
        return _weighted(self.rng, OUTCOMES)

    def _appointments(
        self, out: Batch, contacts: list[tuple[Any, ...]], case_id: int, source: Source, tier: str, created: datetime
    ) -> None:
        rng = self.rng
        interval = INTERVAL_DAYS.get(tier[0], 14)
        day = max(created.date() + timedelta(days=rng.randint(2, 6)), self.today - timedelta(days=HISTORY_DAYS))
        last = min(source.end, self.today + timedelta(days=BOOKED_DAYS))
        first = True
        while day <= last:
            day = _weekday(day)
            kind = srules.ContactType.OFFICE_APPOINTMENT if first else _weighted(rng, CONTACT_TYPES)
            at = _at(day, rng.randint(9, 16), rng.choice((0, 15, 30, 45)))
            where = "Probation office" if kind is srules.ContactType.OFFICE_APPOINTMENT else None
            self._contact(contacts, case_id, source.person_id, kind, at, where, outcome=self._outcome(at))
            first = False
            # Weekly for the first months, then at the tier's pace.
            step = 7 if day < source.start + timedelta(days=84) else interval
            day += timedelta(days=step + rng.randint(-1, 2))

    def _requirement(
        self,
        out: Batch,
        contacts: list[tuple[Any, ...]],
        case_id: int,
        source: Source,
        unit_id: int,
        position: int,
        requirement: dict[str, Any],
    ) -> None:
        rng = self.rng
        kind = str(requirement["kind"])
        hours, days = int(requirement.get("hours") or 0), int(requirement.get("days") or 0)
        requirement_id = self.ids.take("probation_requirements")
        worked = used = 0
        day = _weekday(source.start + timedelta(days=rng.randint(10, 20)))
        day = max(day, self.today - timedelta(days=HISTORY_DAYS))
        horizon = min(source.end, self.today + timedelta(days=14))
        if kind == "unpaid_work" and hours:
            while day <= horizon and worked < hours * 60:
                session_id, starts = self._session(out, unit_id, day)
                outcome = self._outcome(starts)
                minutes = 0
                if outcome is srules.Outcome.ATTENDED_COMPLIED:
                    minutes = min(hours * 60 - worked, rng.choice((360, 390, 420)))
                    worked += minutes
                self._contact(
                    contacts,
                    case_id,
                    source.person_id,
                    srules.ContactType.UNPAID_WORK,
                    starts,
                    None,
                    requirement_id,
                    session_id,
                    outcome,
                    minutes,
                )
                day += timedelta(days=rng.choice((7, 7, 14)))
        elif kind == "rehabilitation_activity" and days:
            while day <= horizon and used < days:
                at = _at(_weekday(day), rng.choice((10, 14)))
                outcome = self._outcome(at)
                if outcome is srules.Outcome.ATTENDED_COMPLIED:
                    used += 1
                self._contact(
                    contacts,
                    case_id,
                    source.person_id,
                    srules.ContactType.RAR_SESSION,
                    at,
                    "Probation office",
                    requirement_id,
                    None,
                    outcome,
                )
                day += timedelta(days=rng.choice((10, 14, 14, 21)))
        out.rows["probation_requirements"].append(
            (requirement_id, case_id, position, kind, hours, days, 0, 0, None, None, worked, used, 0)
        )

    def _session(self, out: Batch, unit_id: int, day: date) -> tuple[int, datetime]:
        """The unit's group session in DAY's week (Saturdays, and Wednesdays), made when first needed."""
        monday = day - timedelta(days=day.weekday())
        session_day = monday + timedelta(days=self.rng.choice((2, 5)))
        sessions = self.sessions.setdefault(unit_id, {})
        found = sessions.get(session_day)
        if found is None:
            session_id = self.ids.take("probation_upw_sessions")
            starts = _at(session_day, 9)
            supervisor = self.p.upw_supervisor if unit_id == self.p.demo_unit else None
            project = UPW_PROJECTS[(session_day.toordinal() + unit_id) % len(UPW_PROJECTS)]
            out.rows["probation_upw_sessions"].append(
                (session_id, unit_id, project, starts, _at(session_day, 16), supervisor, DEMO_ACTOR)
            )
            found = sessions[session_day] = (session_id, starts)
        return found

    def _enforce(self, out: Batch, case_id: int, source: Source, contacts: list[tuple[Any, ...]]) -> None:
        """What each failure led to, under the enforcement rules in force on its day."""
        failures: list[date] = []
        last_breach: date | None = None
        breach_open = False
        for contact in contacts:
            outcome = contact[9]
            if outcome not in (
                srules.Outcome.UNACCEPTABLE_ABSENCE.value,
                srules.Outcome.ATTENDED_FAILED_TO_COMPLY.value,
            ):
                continue
            failure_on = contact[4].date()
            pack = srules.enforcement_pack_on(failure_on)
            policy = pack.content.policy_for(source.kind.value)
            decision = srules.decide_enforcement(
                policy, failure_on, list(failures), last_breach_on=last_breach, breach_open=breach_open
            )
            failures.append(failure_on)
            recent = failure_on >= self.today - timedelta(days=21)
            open_ = decision.due_working_days is not None and recent
            if decision.kind in (srules.EnforcementKind.BREACH, srules.EnforcementKind.RECALL_REVIEW):
                last_breach, breach_open = failure_on, open_
            due = failure_on + timedelta(days=(decision.due_working_days or 0) * 7 // 5) if open_ else None
            out.rows["probation_enforcement_actions"].append(
                (
                    case_id,
                    contact[0],
                    decision.kind.value,
                    "open" if open_ else "closed",
                    decision.failures_in_window,
                    decision.window_start,
                    decision.explanation,
                    pack.label,
                    due,
                    DEMO_ACTOR,
                    contact[10] or contact[4],
                )
            )


# -- reading what the cases wrote -------------------------------------------------------------------


async def _places(conn: asyncpg.Connection) -> Places | None:
    staff = {
        r["username"]: r
        for r in await conn.fetch(
            "SELECT id, username, unit_id FROM staff WHERE username = ANY($1::text[])",
            ["demo.probation-practitioner", "demo.senior-probation-officer", "demo.unpaid-work-supervisor"],
        )
    }
    practitioner = staff.get("demo.probation-practitioner")
    senior = staff.get("demo.senior-probation-officer")
    if practitioner is None or senior is None:
        return None
    units = {
        r["code"]: r["id"]
        for r in await conn.fetch(
            "SELECT id, code FROM organisation_units WHERE kind = 'probation_delivery_unit' AND active"
        )
    }
    supervisor = staff.get("demo.unpaid-work-supervisor")
    return Places(
        units=units,
        demo_unit=practitioner["unit_id"],
        practitioner=practitioner["id"],
        senior=senior["id"],
        upw_supervisor=supervisor["id"] if supervisor and supervisor["unit_id"] == practitioner["unit_id"] else None,
    )


def _licence(person_id: int, sentenced_on: date, disposal: dict[str, Any], today: date) -> Source | None:
    """A licence case if the custodial sentence's person is out, at the halfway point, and still
    inside the licence (or top-up supervision) period."""
    months = max((int((t.get("length") or {}).get("months") or 0) for t in disposal.get("terms") or []), default=0)
    if months < 1:
        return None
    expiry = srules.add_months(sentenced_on, months) - timedelta(days=1)
    released = sentenced_on + timedelta(days=(expiry - sentenced_on).days // 2)
    dates = {"CRD": released.isoformat(), "SED": expiry.isoformat(), "LED": expiry.isoformat()}
    if months < 24:
        dates["TUSED"] = (released + timedelta(days=365)).isoformat()
    end = probation_rules.licence_end(dates)
    if end is None or not released <= today < end:
        return None
    return Source(
        person_id,
        probation_rules.CaseKind.LICENCE,
        released,
        end,
        {"licenceDates": dates},
        "custody_release",
        None,
        None,
    )


async def _sources(conn: asyncpg.Connection, today: date) -> list[Source]:
    rows = await conn.fetch(
        """
        SELECT s.id, s.sentenced_on, s.disposals::text AS disposals, d.person_id, u.name AS court_name
        FROM court_sentences s
        JOIN defendants d ON d.id = s.defendant_id
        JOIN prosecution_cases c ON c.id = d.case_id
        JOIN court_hearings h ON h.id = s.hearing_id
        JOIN organisation_units u ON u.id = h.court_unit_id
        WHERE c.is_demo AND s.sentenced_on <= $1
        ORDER BY s.id
        """,
        today,
    )
    inside = {
        r["person_id"]
        for r in await conn.fetch(
            "SELECT b.person_id FROM custody_bookings b JOIN persons p ON p.id = b.person_id "
            "WHERE p.is_demo AND b.status = 'active'"
        )
    }
    sources: list[Source] = []
    for row in rows:
        if row["person_id"] in inside:
            continue
        disposals = json.loads(row["disposals"])
        data = {"sentencedOn": row["sentenced_on"].isoformat(), "disposals": disposals}
        for spec in probation_rules.cases_from_sentence(data):
            if spec.end_date is not None and spec.start_date <= today <= spec.end_date:
                sources.append(
                    Source(
                        row["person_id"],
                        spec.kind,
                        spec.start_date,
                        spec.end_date,
                        spec.sentence,
                        "court_sentence",
                        f"sentence/{row['id']}",
                        row["court_name"],
                    )
                )
        for disposal in disposals:
            if disposal.get("kind") == "custodial":
                licence = _licence(row["person_id"], row["sentenced_on"], disposal, today)
                if licence is not None:
                    sources.append(licence)
    return sources


async def _postcodes(conn: asyncpg.Connection, person_ids: list[int]) -> dict[int, str | None]:
    rows = await conn.fetch(
        """
        SELECT DISTINCT ON (person_id) person_id, postcode FROM person_addresses
        WHERE person_id = ANY($1::bigint[]) AND is_current AND NOT no_fixed_abode
        ORDER BY person_id, from_date DESC NULLS LAST, id DESC
        """,
        person_ids,
    )
    return {r["person_id"]: r["postcode"] for r in rows}


async def _copy(conn: asyncpg.Connection, batch: Batch) -> int:
    for table, columns in TABLES:
        if batch.rows[table]:
            await conn.copy_records_to_table(table, records=batch.rows[table], columns=columns)
    return batch.row_count


# -- entry points -----------------------------------------------------------------------------------


async def count_demo_probation(conn: asyncpg.Connection) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM probation_cases c JOIN persons p ON p.id = c.person_id WHERE p.is_demo"
        )
    )


async def copy_demo_probation(
    conn: asyncpg.Connection, seed: int, today: date | None = None, on_phase: Callable[[str], None] | None = None
) -> tuple[int, int]:
    """Probation cases and their supervision for the demo cases' sentences, in the caller's
    transaction. Returns (cases, rows); (0, 0) when the demo probation logins are missing."""
    places = await _places(conn)
    if places is None:
        return 0, 0
    today = today or datetime.now(LONDON).date()
    sources = await _sources(conn, today)
    if not sources:
        return 0, 0
    if on_phase:
        on_phase(f"Generating {len(sources):,} probation cases with a year of contacts")
    ids = Ids(conn)
    generator = ProbationGenerator(places, sources, seed, today, ids)
    rows = 0
    for start in range(0, len(sources), BATCH_CASES):
        chunk = sources[start : start + BATCH_CASES]
        n = len(chunk)
        await ids.reserve("staff", n // CASES_PER_PRACTITIONER + 200)
        await ids.reserve("assessments", 2 * n)
        await ids.reserve("tasks", 3 * n)
        await ids.reserve("probation_cases", n)
        await ids.reserve("probation_requirements", 3 * n)
        await ids.reserve("probation_upw_sessions", 40 * n)
        await ids.reserve("probation_contacts", (MAX_CONTACTS_PER_CASE + 80) * n)
        postcodes = await _postcodes(conn, sorted({s.person_id for s in chunk}))
        rows += await _copy(conn, generator.batch(chunk, postcodes))
    for table, _ in TABLES:
        await conn.execute(f"ANALYZE {table}")
    return len(sources), rows


async def delete_demo_probation(conn: asyncpg.Connection) -> None:
    """Remove the probation work of demo people (and anything recorded since on their cases),
    children first. Call inside a transaction, before the demo people go."""
    cases = "SELECT c.id FROM probation_cases c JOIN persons p ON p.id = c.person_id WHERE p.is_demo"
    sessions = f"SELECT id FROM probation_upw_sessions WHERE created_by = '{DEMO_ACTOR}'"
    await conn.execute(
        f"""DELETE FROM tasks t USING ({cases}) c
        WHERE t.subject_type = 'case' AND t.subject_id = 'probation-case/' || c.id"""
    )
    await conn.execute(
        """DELETE FROM tasks t USING persons p
        WHERE p.is_demo AND t.subject_type = 'person' AND t.subject_id = p.id::text AND t.type LIKE 'probation.%'"""
    )
    for table in ("probation_enforcement_actions", "probation_recalls"):
        await conn.execute(f"DELETE FROM {table} WHERE case_id IN ({cases})")
    await conn.execute(f"DELETE FROM probation_contacts WHERE case_id IN ({cases}) OR upw_session_id IN ({sessions})")
    await conn.execute(f"DELETE FROM probation_upw_sessions WHERE id IN ({sessions})")
    for table in (
        "probation_requirements",
        "probation_licence_conditions",
        "probation_objectives",
        "probation_allocations",
        "probation_tier_changes",
    ):
        await conn.execute(f"DELETE FROM {table} WHERE case_id IN ({cases})")
    await conn.execute("DELETE FROM probation_cases c USING persons p WHERE p.id = c.person_id AND p.is_demo")
    demo_assessments = "SELECT a.id FROM assessments a JOIN persons p ON p.id = a.person_id WHERE p.is_demo"
    await conn.execute(f"DELETE FROM assessment_history WHERE assessment_id IN ({demo_assessments})")
    await conn.execute("DELETE FROM assessments a USING persons p WHERE p.id = a.person_id AND p.is_demo")
    registrations = "SELECT r.id FROM person_registrations r JOIN persons p ON p.id = r.person_id WHERE p.is_demo"
    await conn.execute(f"DELETE FROM person_registration_history WHERE registration_id IN ({registrations})")
    await conn.execute("DELETE FROM person_registrations r USING persons p WHERE p.id = r.person_id AND p.is_demo")
    await conn.execute(f"DELETE FROM staff WHERE username LIKE '{DEMO_STAFF_PREFIX}%'")


__all__ = ["DEMO_STAFF_PREFIX", "copy_demo_probation", "count_demo_probation", "delete_demo_probation"]
