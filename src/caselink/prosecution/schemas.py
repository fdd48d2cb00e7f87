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
    decided_on: date | None = Field(default=None, description="Today when left out")
    reasons: str = Field(max_length=20000)
    suspects: list[SuspectDecisionIn] = Field(max_length=20)


class AllocationIn(_In):
    lawyer_id: int | None = None
    paralegal_id: int | None = None


class ReviewIn(_In):
    kind: str = Field(max_length=32, description="initial, full, pre_trial or post_hearing")
    note: str = Field(max_length=20000)
    reviewed_on: date | None = None


class ServedIn(_In):
    served_on: date | None = None
    note: str | None = Field(default=None, max_length=2000)


class VictimPersonalStatementIn(_In):
    personal_statement: str = Field(description="made, declined or not_asked")


class DisclosureStepIn(_In):
    step: str
    done_on: date | None = None
    note: str | None = Field(default=None, max_length=2000)


class DiscontinuanceIn(_In):
    outcome: str = Field(description="discontinued or withdrawn")
    reason: str = Field(description="courts.rules.DiscontinuanceReason value, e.g. insufficient_evidence")
    note: str | None = Field(default=None, max_length=2000)
    on: date | None = None


class RemandPeriodIn(_In):
    remanded_on: date
    released_on: date | None = None
    kind: str = Field(default="custody", max_length=32)
    first_appearance: date | None = None
    sent_for_trial_on: date | None = None


class TickIn(_In):
    hearing_type: str
    item_id: str = Field(max_length=64)
    ticked: bool = True


class AreaChecklistChangeIn(_In):
    """One change to a CPS area's checklist for a hearing type: ``add`` a manual item (``text``,
    optional ``item_id``), ``remove`` an item, ``restore`` a national item removed earlier, or set
    ``not_ready_within_days`` (``threshold``; empty for the national value)."""

    action: str = Field(description="add, remove, restore or threshold")
    item_id: str | None = Field(default=None, max_length=64)
    text: str | None = Field(default=None, max_length=300)
    not_ready_within_days: int | None = Field(default=None, ge=0, le=90)


class CreatedOut(BaseModel):
    id: int
    urn: str | None = None


class ReadinessItemOut(BaseModel):
    id: str
    text: str
    kind: str
    done: bool


class ReadinessOut(BaseModel):
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
    id: int
    urn: str
    status: str
    custody_status: str
    defendant_names: list[str]
    next_hearing_type: str | None
    next_hearing_at: datetime | None
    days_to_hearing: int | None
    readiness: str | None


class CaseListOut(BaseModel):
    items: list[CaseListItemOut]
    page: int
    page_size: int
    total: int
