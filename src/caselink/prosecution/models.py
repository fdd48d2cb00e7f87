"""Tables of the prosecution: the police case file, charging decisions, the prosecution case and
what makes it ready for each hearing.

The courts context builds on ``prosecution_cases``, ``defendants`` and ``charges`` (their names
and columns are kept stable for it). The next hearing and the readiness counts are kept on
``prosecution_cases`` so that a lawyer's list sorts and filters on one index; the status (ready,
at risk, not ready) depends on today's date and is worked out when the list is read
(docs/decisions/0027-prosecution-case-tables.md).
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class CaseStatus(enum.StrEnum):
    """Where the case is on its way through the prosecution."""

    AWAITING_CHARGING_DECISION = "awaiting_charging_decision"  # police file submitted, no decision yet
    ACTION_PLAN = "action_plan"  # further evidence needed: waiting for the police
    CHARGED = "charged"  # at least one defendant charged: a prosecution case
    NO_FURTHER_ACTION = "no_further_action"  # no suspect charged or diverted
    OUT_OF_COURT_DISPOSAL = "out_of_court_disposal"  # every suspect diverted from court
    CONCLUDED = "concluded"  # every charge has ended (verdict, discontinuance or withdrawal)


class CustodyStatus(enum.StrEnum):
    """A suspect's or defendant's status while the case is open."""

    IN_CUSTODY = "in_custody"  # in police detention or remanded in custody
    CONDITIONAL_BAIL = "conditional_bail"
    UNCONDITIONAL_BAIL = "unconditional_bail"
    RELEASED_UNDER_INVESTIGATION = "released_under_investigation"
    NOT_ARRESTED = "not_arrested"  # voluntary interview or postal requisition

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ChargeStatus(enum.StrEnum):
    PROPOSED = "proposed"  # an offence the police put forward for a suspect
    SUPERSEDED = "superseded"  # a proposed offence replaced by the charges the lawyer laid
    CHARGED = "charged"  # a charge as laid: before the court
    NO_FURTHER_ACTION = "no_further_action"
    OUT_OF_COURT_DISPOSAL = "out_of_court_disposal"
    DISCONTINUED = "discontinued"  # stopped by the CPS (s.23 notice), with a reason code
    WITHDRAWN = "withdrawn"  # withdrawn at court, with a reason code
    CONCLUDED = "concluded"  # a verdict or outcome was recorded by the court

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class DisclosureStep(enum.StrEnum):
    INITIAL_DISCLOSURE = "initial_disclosure"  # CPIA 1996 s.3
    DEFENCE_STATEMENT_RECEIVED = "defence_statement_received"
    DEFENCE_STATEMENT_REVIEWED = "defence_statement_reviewed"  # and any further disclosure (s.7A)
    FURTHER_DISCLOSURE = "further_disclosure"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ProsecutionCase(Base):
    __tablename__ = "prosecution_cases"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    urn: Mapped[str] = mapped_column(String(11))  # canonical FFSSNNNNNYY (people.rules.parse_urn)
    # URNs are issued by the police for one prosecutor; another authority may reuse one.
    prosecuting_authority: Mapped[str] = mapped_column(String(16), server_default="cps", default="cps")
    police_force_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation_units.id"))
    police_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation_units.id"))
    officer_in_case_name: Mapped[str] = mapped_column(String(200))
    officer_in_case_number: Mapped[str | None] = mapped_column(String(32))  # collar or warrant number
    cps_area_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation_units.id"))
    allocated_lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    paralegal_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(String(32), default=CaseStatus.AWAITING_CHARGING_DECISION.value)
    custody_status: Mapped[str] = mapped_column(String(32))  # the most restrictive of the defendants'
    summary: Mapped[str | None] = mapped_column(Text)  # the police case summary (MG5)
    antecedents_served_on: Mapped[date | None] = mapped_column(Date)
    pre_sentence_report_requested_on: Mapped[date | None] = mapped_column(Date)
    submitted_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    charged_on: Mapped[date | None] = mapped_column(Date)
    # The next hearing, as the courts context tells us (service.note_next_hearing).
    next_hearing_id: Mapped[int | None] = mapped_column(BigInteger)
    next_hearing_type: Mapped[str | None] = mapped_column(String(32))  # courts.rules.HearingType
    next_hearing_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Readiness for the next hearing, kept current by every write that changes a fact or a tick.
    readiness_outstanding: Mapped[int | None] = mapped_column(SmallInteger)
    readiness_items: Mapped[int | None] = mapped_column(SmallInteger)
    readiness_within_days: Mapped[int | None] = mapped_column(SmallInteger)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("prosecuting_authority", "urn", name="uq_prosecution_cases_authority_urn"),
        CheckConstraint("urn ~ '^[0-9]{2}[A-Z]{2}[0-9]{7}$'", name="urn_format"),
        # The lawyer's list: their cases by next hearing (hearing-less cases last).
        Index("ix_prosecution_cases_lawyer_next_hearing", "allocated_lawyer_id", "next_hearing_at", "id"),
        # The area's list and the charging queue.
        Index("ix_prosecution_cases_area_next_hearing", "cps_area_unit_id", "next_hearing_at", "id"),
        Index("ix_prosecution_cases_police_unit", "police_unit_id", "submitted_at"),
        Index("ix_prosecution_cases_urn", "urn"),
    )


class Defendant(Base):
    """A suspect on the police file; a defendant once charged."""

    __tablename__ = "defendants"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)  # 1, 2 ... in the order the police listed them
    custody_status: Mapped[str] = mapped_column(String(32))  # CustodyStatus
    bail_conditions: Mapped[str | None] = mapped_column(Text)
    charging_outcome: Mapped[str | None] = mapped_column(String(32))  # prosecution.rules.ChargingOutcome summary
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("case_id", "person_id", name="uq_defendants_case_person"),)


class Charge(Base):
    """An offence put forward by the police (``proposed``) or a charge as laid (``charged``)."""

    __tablename__ = "charges"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"), index=True)
    defendant_id: Mapped[int] = mapped_column(ForeignKey("defendants.id", ondelete="CASCADE"), index=True)
    offence_code: Mapped[str] = mapped_column(ForeignKey("reference_offences.code"))
    wording: Mapped[str] = mapped_column(Text)
    offence_date_from: Mapped[date | None] = mapped_column(Date)
    offence_date_to: Mapped[date | None] = mapped_column(Date)  # a range: "between ... and ..."
    status: Mapped[str] = mapped_column(String(32))  # ChargeStatus
    # The proposed offence a charge was laid on (the lawyer may lay a different offence).
    proposed_charge_id: Mapped[int | None] = mapped_column(ForeignKey("charges.id"))
    charged_on: Mapped[date | None] = mapped_column(Date)
    discontinuance_reason: Mapped[str | None] = mapped_column(String(32))  # courts.rules.DiscontinuanceReason
    discontinuance_note: Mapped[str | None] = mapped_column(Text)
    ended_on: Mapped[date | None] = mapped_column(Date)  # discontinued, withdrawn or concluded on
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint(
            "status NOT IN ('discontinued', 'withdrawn') OR discontinuance_reason IS NOT NULL",
            name="stopped_has_reason",
        ),
        CheckConstraint(
            "offence_date_to IS NULL OR offence_date_from IS NULL OR offence_date_to >= offence_date_from",
            name="offence_dates_in_order",
        ),
    )


class CaseMaterial(Base):
    """An item of material or evidence on the file (statement, exhibit, CCTV, interview record)."""

    __tablename__ = "case_material"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str | None] = mapped_column(String(64))  # the police exhibit or document reference
    unused: Mapped[bool] = mapped_column(Boolean, default=False)  # unused material, for disclosure
    served_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Witness(Base):
    """A prosecution witness. Name and contact details are victim-and-witness details
    (``DataPurpose.VICTIM_DETAILS``): shown only where the access policy shares them."""

    __tablename__ = "witnesses"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))  # civilian, police, expert, victim
    contact: Mapped[str | None] = mapped_column(Text)
    special_measures: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)  # needed
    special_measures_applied: Mapped[bool] = mapped_column(Boolean, default=False)
    dates_to_avoid: Mapped[str | None] = mapped_column(Text)  # availability, as the police recorded it
    required_at_trial: Mapped[bool] = mapped_column(Boolean, default=True)
    warned: Mapped[bool] = mapped_column(Boolean, default=False)
    warned_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Victim(Base):
    """A victim of the offences. Restricted: ``DataPurpose.VICTIM_DETAILS``."""

    __tablename__ = "victims"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(Text)
    vulnerable_or_intimidated: Mapped[bool] = mapped_column(Boolean, default=False)
    # not_asked | made | declined: a VPS made, or the victim's choice not to make one, is done.
    personal_statement: Mapped[str] = mapped_column(String(16), default="not_asked")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ChargingDecisionRecord(Base):
    """The Full Code Test and outcome for one suspect on one offence the police put forward.
    Rows of one decision share ``decision_id`` and its reasons."""

    __tablename__ = "charging_decisions"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    decision_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"), index=True)
    defendant_id: Mapped[int] = mapped_column(ForeignKey("defendants.id", ondelete="CASCADE"))
    proposed_charge_id: Mapped[int] = mapped_column(ForeignKey("charges.id", ondelete="CASCADE"))
    decided_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_by: Mapped[str] = mapped_column(String(200))  # actor audit label
    decided_on: Mapped[date] = mapped_column(Date)
    evidential: Mapped[str] = mapped_column(String(16))  # rules.StageResult
    public_interest: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(32))  # rules.ChargingOutcome
    nfa_reason: Mapped[str | None] = mapped_column(String(32))
    disposal: Mapped[str | None] = mapped_column(String(40))
    action_plan_due: Mapped[date | None] = mapped_column(Date)
    action_plan_actions: Mapped[list[str]] = mapped_column(JSONB, default=list)
    action_plan_task_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseReview(Base):
    __tablename__ = "case_reviews"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # initial, full, pre_trial, post_hearing
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewed_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IdpcService(Base):
    """Initial details of the prosecution case served on the defence and the court."""

    __tablename__ = "idpc_service"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"), index=True)
    served_on: Mapped[date] = mapped_column(Date)
    served_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DisclosureStepRecord(Base):
    __tablename__ = "disclosure_steps"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(40))  # DisclosureStep
    done_on: Mapped[date] = mapped_column(Date)
    done_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RemandPeriodRecord(Base):
    """One unbroken period a defendant spent remanded in custody by the court; custody time runs
    on each of their charges (``service.record_remand_period``)."""

    __tablename__ = "prosecution_remand_periods"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    defendant_id: Mapped[int] = mapped_column(ForeignKey("defendants.id", ondelete="CASCADE"), index=True)
    remanded_on: Mapped[date] = mapped_column(Date)
    released_on: Mapped[date | None] = mapped_column(Date)  # None while still in custody
    kind: Mapped[str] = mapped_column(String(32))  # what ended it: bail, released, sentenced; "custody" while open
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("released_on IS NULL OR released_on >= remanded_on", name="dates_in_order"),
        # Only one period per defendant may still be running.
        Index(
            "uq_prosecution_remand_periods_open",
            "defendant_id",
            unique=True,
            postgresql_where=text("released_on IS NULL"),
        ),
    )


class CustodyTimeLimit(Base):
    """The custody time limit on one charge, worked out by ``prosecution.rules.custody_time_limit``
    from the remand periods; recomputed whenever they change."""

    __tablename__ = "custody_time_limits"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"), index=True)
    defendant_id: Mapped[int] = mapped_column(ForeignKey("defendants.id", ondelete="CASCADE"))
    charge_id: Mapped[int] = mapped_column(ForeignKey("charges.id", ondelete="CASCADE"), unique=True)
    first_appearance: Mapped[date] = mapped_column(Date)
    sent_for_trial_on: Mapped[date | None] = mapped_column(Date)
    clock: Mapped[str] = mapped_column(String(16))  # rules.CtlClock
    limit_days: Mapped[int] = mapped_column(Integer)
    days_left: Mapped[int] = mapped_column(Integer)  # when the running period began, or now if stopped
    expiry_date: Mapped[date | None] = mapped_column(Date, index=True)  # RUNNING only
    steps: Mapped[list[str]] = mapped_column(JSONB, default=list)
    rule_pack: Mapped[str] = mapped_column(String(80))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReadinessTick(Base):
    """A manual readiness item ticked for a case's hearings of one type. Kept per hearing type,
    not per listing, so a re-listed trial keeps what was already done."""

    __tablename__ = "readiness_ticks"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"))
    hearing_type: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str] = mapped_column(String(64))
    hearing_id: Mapped[int | None] = mapped_column(BigInteger)  # the listing it was ticked for, if known
    ticked_by: Mapped[str] = mapped_column(String(200))
    ticked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("case_id", "hearing_type", "item_id", name="uq_readiness_ticks_case_type_item"),)


class ReadinessOverride(Base):
    """A CPS area's changes to the national readiness checklist for one hearing type
    (``rules.AreaChecklistOverride``): national items removed by id, items added, and the number of
    days before the hearing within which outstanding items make it not ready."""

    __tablename__ = "prosecution_readiness_overrides"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    cps_area_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation_units.id"))
    hearing_type: Mapped[str] = mapped_column(String(32))
    remove_item_ids: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
    # [{"id", "text", "kind", "fact"}]: the shape of rules.ChecklistItem
    add_items: Mapped[list[dict[str, str | None]]] = mapped_column(JSONB, default=list)
    not_ready_within_days: Mapped[int | None] = mapped_column(SmallInteger)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("cps_area_unit_id", "hearing_type", name="uq_prosecution_readiness_overrides_area_type"),
    )


class CaseHistoryEntry(Base):
    """The case's timeline: one line for each thing that happened to it, written beside the event
    (the events table is keyed by person, not case, so the case page reads this instead)."""

    __tablename__ = "prosecution_case_history"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("prosecution_cases.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    event_type: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_prosecution_case_history_case", "case_id", "occurred_at"),)
