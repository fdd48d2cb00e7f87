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
    case_id: int
    court_unit_code: str = Field(description="OU code of a magistrates' court or Crown Court, e.g. B01AF00")
    hearing_type_code: str = Field(description="Standing data type-of-hearing code, e.g. FH, PDH, TRIAL, STPSR")
    starts_at: dt.datetime = Field(description="Date and time with an offset; must be in the future")
    courtroom: str


class RelistIn(_In):
    starts_at: dt.datetime
    courtroom: str
    court_unit_code: str | None = Field(default=None, description="Another court to move the hearing to (optional)")


class AdjournIn(_In):
    reason: rules.AdjournmentReason
    note: str | None = Field(default=None, max_length=2000)
    relist: RelistIn | None = Field(default=None, description="List the next hearing at the same time (optional)")


class TrialOutcomeIn(_In):
    effectiveness: rules.TrialEffectiveness
    reason: rules.TrialReason | None = None


class PleaIn(_In):
    charge_id: int
    plea_code: str = Field(description="Standing data plea-status code: G, NG, NONE, ADM, DEN, CON, OPP")


class PleasIn(_In):
    pleas: list[PleaIn] = Field(min_length=1, max_length=200)


class ChargeResultIn(_In):
    charge_id: int
    outcome: rules.ChargeOutcome
    reason: rules.DiscontinuanceReason | None = None


class ResultsIn(_In):
    results: list[ChargeResultIn] = Field(min_length=1, max_length=200)


class RemandIn(_In):
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
    hearing_id: int
    case_id: int
    urn: str
    starts_at: dt.datetime
    courtroom: str
    hearing_type_code: str
    hearing_type_description: str
    status: str
    defendants: list[str]


class DailyListOut(BaseModel):
    court_unit_code: str
    court_name: str
    sitting_date: dt.date
    items: list[DailyListItem]
    page: int
    page_size: int
    total: int
