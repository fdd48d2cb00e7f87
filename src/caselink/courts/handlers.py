"""The courts' reactions to other agencies' events (issue 7 hand-offs). Each is idempotent: its task
carries a de-duplication key, so a replayed event creates nothing new.

- ``prosecution.charge.laid`` → a task in the magistrates' court's queue to list the first hearing.
  Every criminal case starts in the magistrates' court; the court is the one of the charging police
  force's criminal justice area: CJS organisation-unit codes share the area in their second level
  (police force ``01xxxx``, magistrates' courts ``B01xxxx``), and the area's first court by code
  takes the task (its listing office may list at any court of the area). Due the next working day
  when the defendant is held in custody (they must be brought before the next sitting), otherwise
  within FIRST_HEARING_ON_BAIL_WORKING_DAYS.
- ``probation.breach.initiated`` → a task to list a breach hearing at the court that passed the
  person's latest sentence (it deals with breaches of its own orders). Breach proceedings are brought
  by probation, not the CPS, so the CPS is not given a task.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.courts.models import CourtHearing, CourtSentence
from caselink.organisations.models import OrganisationUnit
from caselink.platform.access.actor import SYSTEM
from caselink.platform.events.rules import Event
from caselink.platform.events.service import register_handler
from caselink.platform.tasks.rules import OwnerType, Priority, SubjectType
from caselink.platform.tasks.service import create_task
from caselink.prosecution.models import CustodyStatus, Defendant, ProsecutionCase

FIRST_HEARING_HANDLER = "courts.first_hearing_listing"
BREACH_HEARING_HANDLER = "courts.breach_hearing_listing"
# Bailed defendants' first hearing is usually about a fortnight after charge.
FIRST_HEARING_ON_BAIL_WORKING_DAYS = 10
BREACH_HEARING_WORKING_DAYS = 10
# Police forces whose code names no magistrates' courts of their own use London's (area 01): in the
# standing data the Metropolitan Police Service is 02, the City of London Police 48 and the Met's
# national units 64, 65, 66 and 95. National forces with no home area (British Transport Police,
# NCA, MOD Police, HMRC ...) have no rule: their hand-off waits as a dead letter for an administrator.
COURT_AREA_OF_POLICE_AREA = {"02": "01", "48": "01", "64": "01", "65": "01", "66": "01", "95": "01"}


class NoCourtForHandOff(LookupError):
    """No court could be found to take the task: the delivery fails (and is retried, then kept as a
    dead letter for an administrator) rather than losing the hand-off."""


async def magistrates_court_for_case(db: AsyncSession, case_id: int) -> tuple[int, str]:
    """(unit id, code) of the magistrates' court of the case's police force area."""
    force_code = await db.scalar(
        select(OrganisationUnit.code)
        .join(ProsecutionCase, ProsecutionCase.police_force_unit_id == OrganisationUnit.id)
        .where(ProsecutionCase.id == case_id)
    )
    if force_code is None:
        raise NoCourtForHandOff(f"Prosecution case {case_id} does not exist or names no police force.")
    area = COURT_AREA_OF_POLICE_AREA.get(force_code[:2], force_code[:2])
    court = (
        await db.execute(
            select(OrganisationUnit.id, OrganisationUnit.code)
            .where(
                OrganisationUnit.kind == "magistrates_court",
                OrganisationUnit.active.is_(True),
                OrganisationUnit.code.startswith(f"B{area}", autoescape=True),
            )
            .order_by(OrganisationUnit.code)
            .limit(1)
        )
    ).first()
    if court is None:
        raise NoCourtForHandOff(f"There is no magistrates' court in the area of police force {force_code}.")
    return court.id, court.code


@register_handler(FIRST_HEARING_HANDLER, ["prosecution.charge.laid"])
async def first_hearing_to_list(db: AsyncSession, event: Event) -> None:
    case_id = int(event.data["caseId"])
    listed = await db.scalar(select(CourtHearing.id).where(CourtHearing.case_id == case_id).limit(1))
    if listed is not None:
        return  # already listed by hand before the hand-off arrived: nothing to do
    case = (
        await db.execute(
            select(ProsecutionCase.urn, ProsecutionCase.cps_area_unit_id).where(ProsecutionCase.id == case_id)
        )
    ).one()
    defendant_custody = await db.scalar(
        select(Defendant.custody_status).where(Defendant.id == int(event.data["defendantId"]))
    )
    in_custody = defendant_custody == CustodyStatus.IN_CUSTODY.value
    court_id, court_code = await magistrates_court_for_case(db, case_id)
    charged_on = date.fromisoformat(str(event.data.get("chargedOn") or event.time.date().isoformat()))
    await create_task(
        db,
        SYSTEM,
        type="courts.first_hearing.list",
        title=f"List first hearing: {case.urn}" + (" (defendant in custody)" if in_custody else ""),
        description=f"Charged on {charged_on.isoformat()}. List the first hearing at a magistrates' court of the area.",
        subject_type=SubjectType.CASE.value,
        subject_id=case_id,
        owner_type=OwnerType.UNIT.value,
        owner_id=court_id,
        due_in_working_days=1 if in_custody else FIRST_HEARING_ON_BAIL_WORKING_DAYS,
        due_from=charged_on,
        priority=Priority.URGENT if in_custody else Priority.NORMAL,
        dedupe_key=f"courts.first_hearing:{case_id}",
        source_event_id=event.id,
        details={"caseId": case_id, "urn": case.urn, "courtCode": court_code, "cpsAreaUnitId": case.cps_area_unit_id},
        commit=False,
    )


async def sentencing_court_of_person(db: AsyncSession, person_id: int) -> int:
    """The court unit that passed the person's latest sentence."""
    court_id = await db.scalar(
        select(CourtHearing.court_unit_id)
        .join(CourtSentence, CourtSentence.hearing_id == CourtHearing.id)
        .join(Defendant, Defendant.id == CourtSentence.defendant_id)
        .where(Defendant.person_id == person_id)
        .order_by(CourtSentence.sentenced_on.desc(), CourtSentence.id.desc())
        .limit(1)
    )
    if court_id is None:
        raise NoCourtForHandOff(f"No court has sentenced person {person_id}, so no court can hear the breach.")
    return int(court_id)


@register_handler(BREACH_HEARING_HANDLER, ["probation.breach.initiated"])
async def breach_hearing_to_list(db: AsyncSession, event: Event) -> None:
    person = event.person_ids.get("person")
    if person is None:
        return
    person_id = int(str(person))
    court_id = await sentencing_court_of_person(db, person_id)
    action_id = event.data.get("enforcementActionId")
    await create_task(
        db,
        SYSTEM,
        type="courts.breach_hearing.list",
        title="List breach hearing (failure to comply with an order)",
        description=(
            f"Probation has started breach proceedings on case {event.data.get('caseId')}: "
            f"{event.data.get('failuresInWindow')} failures since {event.data.get('windowStart')}."
        ),
        subject_type=SubjectType.PERSON.value,
        subject_id=person_id,
        owner_type=OwnerType.UNIT.value,
        owner_id=court_id,
        due_in_working_days=BREACH_HEARING_WORKING_DAYS,
        due_from=event.time.date(),
        priority=Priority.HIGH,
        dedupe_key=f"courts.breach_hearing:{action_id or event.id}",
        source_event_id=event.id,
        details={"probationCaseId": event.data.get("caseId"), "enforcementActionId": action_id},
        commit=False,
    )
