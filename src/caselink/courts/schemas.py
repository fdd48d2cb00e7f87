"""Request and response bodies of the courts API (and the shapes the pages post)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from caselink.courts import rules
from caselink.custody.rules import Length


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LengthIn(_In):
    years: int = Field(default=0, ge=0, le=99)
    months: int = Field(default=0, ge=0, le=1200)
    weeks: int = Field(default=0, ge=0, le=5200)
    days: int = Field(default=0, ge=0, le=36500)

    def to_rules(self) -> Length:
        return Length(self.years, self.months, self.weeks, self.days)


class HearingListIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "case_id": 7734,
                    "court_unit_code": "B01IX00",
                    "hearing_type_code": "FH",
                    "starts_at": "2026-03-24T10:00:00+00:00",
                    "courtroom": "Court 2",
                }
            ]
        }
    )

    case_id: int
    court_unit_code: str = Field(description="OU code of a magistrates' court or Crown Court, e.g. B01AF00")
    hearing_type_code: str = Field(description="Standing data type-of-hearing code, e.g. FH, PDH, TRIAL, STPSR")
    starts_at: dt.datetime = Field(description="Date and time with an offset; must be in the future")
    courtroom: str


class RelistIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"starts_at": "2026-04-14T10:00:00+01:00", "courtroom": "Court 1", "court_unit_code": "B01GU00"}
            ]
        }
    )

    starts_at: dt.datetime
    courtroom: str
    court_unit_code: str | None = Field(default=None, description="Another court to move the hearing to (optional)")


class AdjournIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reason": "defendant_absent",
                    "note": "Not produced from HMP Brixton; warrant not issued",
                    "relist": {"starts_at": "2026-03-31T10:00:00+01:00", "courtroom": "Court 2"},
                }
            ]
        }
    )

    reason: rules.AdjournmentReason
    note: str | None = Field(default=None, max_length=2000)
    relist: RelistIn | None = Field(default=None, description="List the next hearing at the same time (optional)")


class TrialOutcomeIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"effectiveness": "cracked", "reason": None}]})

    effectiveness: rules.TrialEffectiveness
    reason: rules.TrialReason | None = None


class PleaIn(_In):
    charge_id: int
    plea_code: str = Field(description="Standing data plea-status code: G, NG, NONE, ADM, DEN, CON, OPP")


class PleasIn(_In):
    model_config = ConfigDict(json_schema_extra={"examples": [{"pleas": [{"charge_id": 9302, "plea_code": "G"}]}]})

    pleas: list[PleaIn] = Field(min_length=1, max_length=200)


class ChargeResultIn(_In):
    charge_id: int
    outcome: rules.ChargeOutcome
    reason: rules.DiscontinuanceReason | None = None


class ResultsIn(_In):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"results": [{"charge_id": 9302, "outcome": "guilty_plea"}]}]}
    )

    results: list[ChargeResultIn] = Field(min_length=1, max_length=200)


class RemandIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "defendant_id": 5120,
                    "remand_code": "CB",
                    "conditions": (
                        "Live and sleep at 14 Mill Lane, Leeds LS6 2BQ; not to enter Oxford Street, London W1"
                    ),
                }
            ]
        }
    )

    defendant_id: int
    remand_code: str = Field(description="Standing data remand-status code: PR or PB custody, CB, UB, LA, SA, NA")
    conditions: str | None = Field(default=None, max_length=4000)


class RequirementIn(_In):
    kind: rules.RequirementKind
    hours: int = Field(default=0, ge=0, le=10_000)
    days: int = Field(default=0, ge=0, le=10_000)
    hours_per_day: int = Field(default=0, ge=0, le=24)
    days_per_week: int = Field(default=0, ge=0, le=7)
    period: LengthIn = Field(default_factory=lambda: LengthIn())
    detail: str = Field(default="", max_length=500)

    def to_rules(self) -> rules.Requirement:
        return rules.Requirement(
            self.kind,
            self.hours,
            self.days,
            self.hours_per_day,
            self.days_per_week,
            self.period.to_rules(),
            self.detail,
        )


class TermIn(_In):
    charge_id: int
    length: LengthIn
    relation: rules.TermRelation = rules.TermRelation.CONCURRENT
    consecutive_to: int | None = Field(default=None, description="The charge whose term this one follows")

    def to_rules(self) -> rules.ChargeTerm:
        return rules.ChargeTerm(
            str(self.charge_id),
            self.length.to_rules(),
            self.relation,
            None if self.consecutive_to is None else str(self.consecutive_to),
        )


class CustodialIn(_In):
    kind: Literal["custodial"]
    terms: list[TermIn] = Field(max_length=100)


class SuspendedIn(_In):
    kind: Literal["suspended"]
    terms: list[TermIn] = Field(max_length=100)
    operational_period: LengthIn
    requirements: list[RequirementIn] = Field(default_factory=list, max_length=20)


class CommunityOrderIn(_In):
    kind: Literal["community_order"]
    charge_ids: list[int] = Field(max_length=100)
    length: LengthIn
    requirements: list[RequirementIn] = Field(max_length=20)


class FineIn(_In):
    kind: Literal["fine"]
    charge_id: int
    amount_pence: int = Field(ge=0, le=10**12)


class DischargeIn(_In):
    kind: Literal["discharge"]
    charge_id: int
    discharge: rules.DischargeKind
    period: LengthIn = Field(default_factory=lambda: LengthIn())


DisposalIn = Annotated[CustodialIn | SuspendedIn | CommunityOrderIn | FineIn | DischargeIn, Field(discriminator="kind")]


class SentenceIn(_In):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "defendant_id": 5120,
                    "disposals": [
                        {
                            "kind": "community_order",
                            "charge_ids": [9302],
                            "length": {"months": 12},
                            "requirements": [
                                {"kind": "unpaid_work", "hours": 100},
                                {"kind": "rehabilitation_activity", "days": 15},
                            ],
                        }
                    ],
                }
            ]
        }
    )

    defendant_id: int
    disposals: list[DisposalIn] = Field(max_length=50)

    def to_rules(self, sentenced_on: dt.date) -> rules.Sentence:
        return rules.Sentence(sentenced_on, tuple(_disposal(d) for d in self.disposals))


def _disposal(d: CustodialIn | SuspendedIn | CommunityOrderIn | FineIn | DischargeIn) -> rules.Disposal:
    match d:
        case CustodialIn():
            return rules.CustodialSentence(tuple(t.to_rules() for t in d.terms))
        case SuspendedIn():
            return rules.SuspendedSentence(
                tuple(t.to_rules() for t in d.terms),
                d.operational_period.to_rules(),
                tuple(r.to_rules() for r in d.requirements),
            )
        case CommunityOrderIn():
            return rules.CommunityOrder(
                tuple(str(c) for c in d.charge_ids), d.length.to_rules(), tuple(r.to_rules() for r in d.requirements)
            )
        case FineIn():
            return rules.Fine(str(d.charge_id), d.amount_pence)
        case DischargeIn():
            return rules.Discharge(str(d.charge_id), d.discharge, d.period.to_rules())
    raise AssertionError(f"unhandled disposal {d!r}")


# -- responses ---------------------------------------------------------------------------------


class ChargeOut(BaseModel):
    charge_id: int
    offence_code: str
    wording: str
    status: str
    before_court: bool
    plea: str | None = None
    outcome: str | None = None
    outcome_reason: str | None = None
    verdict_code: str | None = None
    result_code: str | None = None


class RemandOut(BaseModel):
    decision: str
    status_code: str
    result_code: str | None
    decided_on: dt.date
    conditions: str | None


class SentenceOut(BaseModel):
    id: int
    sentenced_on: dt.date
    disposals: list[dict[str, object]]
    result_codes: list[str]
    rule_pack: str


class DefendantOut(BaseModel):
    defendant_id: int
    person_id: int
    name: str
    charges: list[ChargeOut]
    remand: RemandOut | None = None
    sentence: SentenceOut | None = None


class HearingOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5521,
                    "case_id": 7734,
                    "urn": "01IX1234524",
                    "court_unit_id": 2210,
                    "court_unit_code": "B01IX00",
                    "court_name": "Westminster Magistrates' Court",
                    "court_type": "magistrates",
                    "hearing_type_code": "FH",
                    "hearing_type_description": "First Hearing",
                    "hearing_type": "first_hearing",
                    "starts_at": "2026-03-10T10:00:00Z",
                    "courtroom": "Court 2",
                    "status": "heard",
                    "relisted_from_id": None,
                    "relisted_to_id": None,
                    "adjournment_reason": None,
                    "trial_effectiveness": None,
                    "trial_reason": None,
                    "note": None,
                    "defendants": [
                        {
                            "defendant_id": 5120,
                            "person_id": 4211,
                            "name": "Jordan Ellis",
                            "charges": [
                                {
                                    "charge_id": 9302,
                                    "offence_code": "TH68010",
                                    "wording": (
                                        "On 2 March 2026 at London stole clothing to the value of £420 belonging to "
                                        "Marks and Spencer plc."
                                    ),
                                    "status": "concluded",
                                    "before_court": False,
                                    "plea": "G",
                                    "outcome": "guilty_plea",
                                    "outcome_reason": None,
                                    "verdict_code": "G",
                                    "result_code": "1116",
                                }
                            ],
                            "remand": None,
                            "sentence": {
                                "id": 881,
                                "sentenced_on": "2026-03-10",
                                "disposals": [
                                    {
                                        "kind": "community_order",
                                        "charge_ids": [9302],
                                        "length": {"years": 0, "months": 12, "weeks": 0, "days": 0},
                                        "requirements": [
                                            {
                                                "kind": "unpaid_work",
                                                "hours": 100,
                                                "days": 0,
                                                "hours_per_day": 0,
                                                "days_per_week": 0,
                                                "period": {"years": 0, "months": 0, "weeks": 0, "days": 0},
                                                "detail": "",
                                            }
                                        ],
                                        "result_code": "1116",
                                    }
                                ],
                                "result_codes": ["1116", "3101"],
                                "rule_pack": "courts.sentencing-limits 2022.1",
                            },
                        }
                    ],
                }
            ]
        }
    )

    id: int
    case_id: int
    urn: str
    court_unit_id: int
    court_unit_code: str
    court_name: str
    court_type: str
    hearing_type_code: str
    hearing_type_description: str
    hearing_type: str
    starts_at: dt.datetime
    courtroom: str
    status: str
    relisted_from_id: int | None
    relisted_to_id: int | None = None
    adjournment_reason: str | None
    trial_effectiveness: str | None
    trial_reason: str | None
    note: str | None
    defendants: list[DefendantOut] = Field(default_factory=list)


class DailyListItem(BaseModel):
    """One listing. When a defendant is a limited-access person the reader may not see (decision
    0026), ``restricted`` is true and the URN and defendants' names are withheld (null and [])."""

    hearing_id: int
    case_id: int
    urn: str | None
    starts_at: dt.datetime
    courtroom: str
    hearing_type_code: str
    hearing_type_description: str
    status: str
    defendants: list[str]
    restricted: bool = False


class DailyListOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "court_unit_code": "B01IX00",
                    "court_name": "Westminster Magistrates' Court",
                    "sitting_date": "2026-03-10",
                    "items": [
                        {
                            "hearing_id": 5521,
                            "case_id": 7734,
                            "urn": "01IX1234524",
                            "starts_at": "2026-03-10T10:00:00Z",
                            "courtroom": "Court 2",
                            "hearing_type_code": "FH",
                            "hearing_type_description": "First Hearing",
                            "status": "listed",
                            "defendants": ["Jordan Ellis"],
                        }
                    ],
                    "page": 1,
                    "page_size": 50,
                    "total": 1,
                }
            ]
        }
    )

    court_unit_code: str
    court_name: str
    sitting_date: dt.date
    items: list[DailyListItem]
    page: int
    page_size: int
    total: int
