"""Request and response bodies of the prosecution API. Domain checks (URN, offence codes, the Full
Code Test) are made by the service so that the messages and field paths are the domain's own."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from caselink.people.schemas import PersonCreate


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OffenceIn(_In):
    offence_code: str = Field(max_length=16, description="CJS offence code from the standing data, e.g. TH68001")
    wording: str = Field(max_length=2000)
    offence_date_from: date | None = None
    offence_date_to: date | None = Field(default=None, description="Only for an offence over a period")


class SuspectIn(_In):
    """A suspect: an existing person (``person_id``, from the match step) or a new one
    (``new_person``; a strong match needs ``confirm_new`` and a reason)."""

    person_id: int | None = None
    new_person: PersonCreate | None = None
    custody_status: str = Field(
        description="in_custody, conditional_bail, unconditional_bail, released_under_investigation or not_arrested"
    )
    bail_conditions: str | None = Field(default=None, max_length=2000)
    offences: list[OffenceIn] = Field(max_length=50)


class MaterialIn(_In):
    kind: str = Field(max_length=32, description="statement, exhibit, cctv, interview, other")
    title: str = Field(max_length=300)
    reference: str | None = Field(default=None, max_length=64)
    unused: bool = False


class WitnessIn(_In):
    name: str = Field(max_length=200)
    kind: str = Field(default="civilian", max_length=32, description="civilian, police, expert or victim")
    contact: str | None = Field(default=None, max_length=1000)
    special_measures: list[str] = Field(default_factory=list, max_length=10)
    dates_to_avoid: str | None = Field(default=None, max_length=1000)


class VictimIn(_In):
    name: str = Field(max_length=200)
    contact: str | None = Field(default=None, max_length=1000)
    vulnerable_or_intimidated: bool = False


class CaseFileIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "urn": "01/IX/12345/24",
                    "police_force_unit_id": 1201,
                    "police_unit_id": 1244,
                    "cps_area_unit_id": 3104,
                    "officer_in_case_name": "DC Sarah Patel",
                    "officer_in_case_number": "MP41872",
                    "summary": (
                        "Suspect seen on CCTV leaving Oxford Street store with unpaid goods worth £420; arrested "
                        "nearby with the goods."
                    ),
                    "suspects": [
                        {
                            "new_person": {
                                "given_name": "Jordan",
                                "family_name": "Ellis",
                                "date_of_birth": "1989-07-14",
                                "postcode": "LS6 2BQ",
                                "sex": "MALE",
                                "identifiers": [
                                    {"type": "PNC", "value": "2019/0123456E"},
                                    {"type": "ASN", "value": "2401IX0000000448754E"},
                                ],
                            },
                            "custody_status": "conditional_bail",
                            "bail_conditions": "Not to enter Oxford Street, London W1",
                            "offences": [
                                {
                                    "offence_code": "TH68010",
                                    "offence_date_from": "2026-03-02",
                                    "wording": (
                                        "On 2 March 2026 at London stole clothing to the value of £420 belonging to "
                                        "Marks and Spencer plc."
                                    ),
                                }
                            ],
                        }
                    ],
                    "material": [
                        {
                            "kind": "cctv",
                            "title": "Store CCTV, 2 March 2026 14:05-14:20",
                            "reference": "SP/1",
                            "unused": False,
                        },
                        {
                            "kind": "statement",
                            "title": "MG11 statement of the store detective",
                            "reference": "MG11-1",
                            "unused": False,
                        },
                    ],
                    "witnesses": [
                        {
                            "name": "Kerry Walsh",
                            "kind": "civilian",
                            "contact": "Via OIC",
                            "special_measures": [],
                            "dates_to_avoid": "6-10 April 2026",
                        }
                    ],
                    "victims": [
                        {
                            "name": "Marks and Spencer plc (store manager)",
                            "contact": "Via OIC",
                            "vulnerable_or_intimidated": False,
                        }
                    ],
                }
            ]
        }
    )

    urn: str = Field(max_length=20, description="01/AB/12345/24 or 01AB1234524")
    police_force_unit_id: int
    police_unit_id: int
    cps_area_unit_id: int
    officer_in_case_name: str = Field(max_length=200)
    officer_in_case_number: str | None = Field(default=None, max_length=32)
    summary: str | None = Field(default=None, max_length=20000)
    suspects: list[SuspectIn] = Field(max_length=20)
    material: list[MaterialIn] = Field(default_factory=list, max_length=200)
    witnesses: list[WitnessIn] = Field(default_factory=list, max_length=100)
    victims: list[VictimIn] = Field(default_factory=list, max_length=50)


class ChargeLaidIn(_In):
    offence_code: str = Field(max_length=16)
    wording: str = Field(max_length=2000)
    offence_date: date | None = None


class OffenceDecisionIn(_In):
    proposed_charge_id: int
    evidential: str = Field(description="met or not_met")
    public_interest: str = Field(description="met, not_met or not_reached")
    outcome: str = Field(description="charge, no_further_action, further_evidence_needed or out_of_court_disposal")
    charges: list[ChargeLaidIn] = Field(default_factory=list, max_length=20)
    nfa_reason: str | None = None
    action_plan_due: date | None = None
    action_plan_actions: list[str] = Field(default_factory=list, max_length=20)
    disposal: str | None = None


class SuspectDecisionIn(_In):
    defendant_id: int
    offences: list[OffenceDecisionIn] = Field(max_length=50)


class ChargingDecisionIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decided_on": "2026-03-10",
                    "reasons": (
                        "CCTV and the store detective's statement give a realistic prospect of conviction; value and "
                        "previous convictions make a prosecution required."
                    ),
                    "suspects": [
                        {
                            "defendant_id": 5120,
                            "offences": [
                                {
                                    "proposed_charge_id": 9301,
                                    "evidential": "met",
                                    "public_interest": "met",
                                    "outcome": "charge",
                                    "charges": [
                                        {
                                            "offence_code": "TH68010",
                                            "offence_date": "2026-03-02",
                                            "wording": (
                                                "On 2 March 2026 at London stole clothing to the value of £420 "
                                                "belonging to Marks and Spencer plc."
                                            ),
                                        }
                                    ],
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )

    decided_on: date | None = Field(default=None, description="Today when left out")
    reasons: str = Field(max_length=20000)
    suspects: list[SuspectDecisionIn] = Field(max_length=20)


class AllocationIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"lawyer_id": 212, "paralegal_id": 230}]})

    lawyer_id: int | None = None
    paralegal_id: int | None = None


class ReviewIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "initial",
                    "note": "Evidence sufficient; IDPC ready to serve. Consider a bad character application.",
                    "reviewed_on": "2026-03-11",
                }
            ]
        }
    )

    kind: str = Field(max_length=32, description="initial, full, pre_trial or post_hearing")
    note: str = Field(max_length=20000)
    reviewed_on: date | None = None


class ServedIn(_In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"served_on": "2026-03-12", "note": "Served on the defence by CJSE"}]}
    )

    served_on: date | None = None
    note: str | None = Field(default=None, max_length=2000)


class VictimPersonalStatementIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"personal_statement": "made"}]})

    personal_statement: str = Field(description="made, declined or not_asked")


class DisclosureStepIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "step": "initial_disclosure",
                    "done_on": "2026-04-02",
                    "note": "Schedule MG6C served with the initial disclosure letter",
                }
            ]
        }
    )

    step: str
    done_on: date | None = None
    note: str | None = Field(default=None, max_length=2000)


class DiscontinuanceIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "outcome": "discontinued",
                    "reason": "witness_unavailable",
                    "note": "Essential witness has emigrated; no other evidence of identification",
                    "on": "2026-04-20",
                }
            ]
        }
    )

    outcome: str = Field(description="discontinued or withdrawn")
    reason: str = Field(description="courts.rules.DiscontinuanceReason value, e.g. insufficient_evidence")
    note: str | None = Field(default=None, max_length=2000)
    on: date | None = None


class RemandPeriodIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"remanded_on": "2026-03-03", "released_on": None, "kind": "custody", "first_appearance": "2026-03-03"}
            ]
        }
    )

    remanded_on: date
    released_on: date | None = None
    kind: str = Field(default="custody", max_length=32)
    first_appearance: date | None = None
    sent_for_trial_on: date | None = None


class TickIn(_In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"hearing_type": "ptph", "item_id": "ptph-form-completed", "ticked": True}]}
    )

    hearing_type: str
    item_id: str = Field(max_length=64)
    ticked: bool = True


class AreaChecklistChangeIn(_In):
    """One change to a CPS area's checklist for a hearing type: ``add`` a manual item (``text``,
    optional ``item_id``), ``remove`` an item, ``restore`` a national item removed earlier, or set
    ``not_ready_within_days`` (``threshold``; empty for the national value)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "action": "add",
                    "item_id": "victim-contact-confirmed",
                    "text": "Victim's contact details and availability confirmed with the witness care unit",
                }
            ]
        }
    )

    action: str = Field(description="add, remove, restore or threshold")
    item_id: str | None = Field(default=None, max_length=64)
    text: str | None = Field(default=None, max_length=300)
    not_ready_within_days: int | None = Field(default=None, ge=0, le=90)


class CreatedOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 7734, "urn": "01IX1234524"}]})

    id: int
    urn: str | None = None


class ReadinessItemOut(BaseModel):
    id: str
    text: str
    kind: str
    done: bool


class ReadinessOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "hearing_type": "ptph",
                    "hearing_date": "2026-04-14",
                    "status": "at_risk",
                    "days_to_hearing": 12,
                    "done_count": 1,
                    "item_count": 3,
                    "items": [
                        {
                            "id": "idpc-served",
                            "text": "Initial details of the prosecution case served",
                            "kind": "computed",
                            "done": True,
                        },
                        {
                            "id": "ptph-form-completed",
                            "text": "Prosecution part of the PTPH form completed and uploaded",
                            "kind": "manual",
                            "done": False,
                        },
                        {
                            "id": "key-evidence-served",
                            "text": "Key evidence served (the case summary and the evidence the case depends on)",
                            "kind": "manual",
                            "done": False,
                        },
                    ],
                }
            ]
        }
    )

    hearing_type: str
    hearing_date: date
    status: str
    days_to_hearing: int
    done_count: int
    item_count: int
    items: list[ReadinessItemOut]


class ChargeOut(BaseModel):
    id: int
    defendant_id: int
    offence_code: str
    offence_title: str | None
    wording: str
    offence_date_from: date | None
    offence_date_to: date | None
    status: str
    discontinuance_reason: str | None


class DefendantOut(BaseModel):
    id: int
    person_id: int
    name: str
    custody_status: str
    charging_outcome: str | None


class WitnessOut(BaseModel):
    id: int
    name: str | None = Field(description="null where victim and witness details are not shared with you")
    kind: str
    special_measures: list[str]
    special_measures_applied: bool
    warned: bool


class CaseOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7734,
                    "urn": "01IX1234524",
                    "urn_display": "01/IX/12345/24",
                    "status": "charged",
                    "custody_status": "conditional_bail",
                    "police_force_unit_id": 1201,
                    "police_unit_id": 1244,
                    "cps_area_unit_id": 3104,
                    "officer_in_case_name": "DC Sarah Patel",
                    "allocated_lawyer_id": 212,
                    "paralegal_id": 230,
                    "next_hearing_type": "ptph",
                    "next_hearing_at": "2026-04-14T10:00:00Z",
                    "defendants": [
                        {
                            "id": 5120,
                            "person_id": 4211,
                            "name": "Jordan Ellis",
                            "custody_status": "conditional_bail",
                            "charging_outcome": "charge",
                        }
                    ],
                    "charges": [
                        {
                            "id": 9302,
                            "defendant_id": 5120,
                            "offence_code": "TH68010",
                            "offence_title": "Theft from a shop",
                            "wording": (
                                "On 2 March 2026 at London stole clothing to the value of £420 belonging to Marks and "
                                "Spencer plc."
                            ),
                            "offence_date_from": "2026-03-02",
                            "offence_date_to": None,
                            "status": "charged",
                            "discontinuance_reason": None,
                        }
                    ],
                    "witnesses": [
                        {
                            "id": 611,
                            "name": "Kerry Walsh",
                            "kind": "civilian",
                            "special_measures": [],
                            "special_measures_applied": False,
                            "warned": True,
                        }
                    ],
                    "victims_visible": True,
                    "readiness": {
                        "hearing_type": "ptph",
                        "hearing_date": "2026-04-14",
                        "status": "at_risk",
                        "days_to_hearing": 12,
                        "done_count": 1,
                        "item_count": 3,
                        "items": [
                            {
                                "id": "idpc-served",
                                "text": "Initial details of the prosecution case served",
                                "kind": "computed",
                                "done": True,
                            },
                            {
                                "id": "ptph-form-completed",
                                "text": "Prosecution part of the PTPH form completed and uploaded",
                                "kind": "manual",
                                "done": False,
                            },
                            {
                                "id": "key-evidence-served",
                                "text": "Key evidence served (the case summary and the evidence the case depends on)",
                                "kind": "manual",
                                "done": False,
                            },
                        ],
                    },
                }
            ]
        }
    )

    id: int
    urn: str
    urn_display: str
    status: str
    custody_status: str
    police_force_unit_id: int
    police_unit_id: int
    cps_area_unit_id: int
    officer_in_case_name: str
    allocated_lawyer_id: int | None
    paralegal_id: int | None
    next_hearing_type: str | None
    next_hearing_at: datetime | None
    defendants: list[DefendantOut]
    charges: list[ChargeOut]
    witnesses: list[WitnessOut]
    victims_visible: bool
    readiness: ReadinessOut | None


class CaseListItemOut(BaseModel):
    """One case. When a defendant is a limited-access person the reader may not see (decision
    0026), ``restricted`` is true and only ``id`` is given: the rest is null or empty."""

    id: int
    urn: str | None
    status: str | None
    custody_status: str | None
    defendant_names: list[str]
    next_hearing_type: str | None
    next_hearing_at: datetime | None
    days_to_hearing: int | None
    readiness: str | None
    restricted: bool = False


class CaseListOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 7734,
                            "urn": "01IX1234524",
                            "status": "charged",
                            "custody_status": "conditional_bail",
                            "defendant_names": ["Jordan Ellis"],
                            "next_hearing_type": "ptph",
                            "next_hearing_at": "2026-04-14T10:00:00Z",
                            "days_to_hearing": 12,
                            "readiness": "at_risk",
                        }
                    ],
                    "page": 1,
                    "page_size": 50,
                    "total": 1,
                }
            ]
        }
    )

    items: list[CaseListItemOut]
    page: int
    page_size: int
    total: int


# Examples of the answers given as plain dicts (documented on their routes in api.py).
CHARGING_DECISION_EXAMPLE: dict[str, object] = {
    "decision_id": "0b7e3c52-5f1d-4b8e-9a43-2f6c1d9e7a10",
    "charges_laid": [9302],
    "action_plan_task_ids": [],
    "case_status": "charged",
}
CUSTODY_TIME_LIMITS_EXAMPLE: list[dict[str, object]] = [
    {"charge_id": 9302, "clock": "running", "limit_days": 56, "expiry_date": "2026-04-28"},
]
AREA_CHECKLISTS_EXAMPLE: list[dict[str, object]] = [
    {
        "hearing_type": "ptph",
        "not_ready_within_days": 7,
        "national_not_ready_within_days": 7,
        "items": [
            {
                "id": "idpc-served",
                "text": "Initial details of the prosecution case served",
                "kind": "computed",
                "source": "national",
            },
            {
                "id": "victim-contact-confirmed",
                "text": "Victim's contact details and availability confirmed with the witness care unit",
                "kind": "manual",
                "source": "area",
            },
        ],
        "removed_national_item_ids": ["key-evidence-served"],
    }
]
