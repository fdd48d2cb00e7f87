"""Changing sentence plan objectives and licence conditions (service, API with problem details, the
edit pages with a GOV.UK error summary; refused on a terminated case and outside the caseload), and
allocation handing the first-appointment task to the practitioner with its audit, in one commit."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import client_as
from tests.probation.case_factory import cardiff_person, community_order, practitioner, senior, unit_id
from tests.probation.supervision_factory import add_case, staff_actor, unit

from caselink.platform.audit.models import AuditEvent
from caselink.platform.errors import Conflict, Forbidden
from caselink.platform.events.models import OutboxEvent
from caselink.platform.tasks.models import Task, TaskHistory
from caselink.probation import plan_service, service
from caselink.probation import supervision_service as supervision
from caselink.probation.models import ProbationCase
from caselink.probation.supervision_models import LicenceCondition, SentencePlanObjective
from caselink.probation.supervision_schemas import (
    LicenceConditionIn,
    LicenceConditionUpdate,
    ObjectiveIn,
    ObjectiveUpdate,
)

pytestmark = pytest.mark.usefixtures("reference_loaded")


async def _audits(db: AsyncSession, action: str, case_id: int) -> list[AuditEvent]:
    rows = await db.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.subject_id == str(case_id))
        .order_by(AuditEvent.id)
    )
    return list(rows)


async def test_an_objective_is_changed_with_old_and_new_values_audited(db: AsyncSession) -> None:
    pdu = await unit(db)
    pat = await staff_actor(db, "edit.practitioner", "probation_practitioner", pdu)
    case = await add_case(db, pdu, pat)
    oid = await supervision.add_objective(db, pat, case.id, ObjectiveIn(need="accommodation", objective="Find a flat"))
    changes = await plan_service.update_objective(
        db,
        pat,
        case.id,
        oid,
        ObjectiveUpdate(objective="Find settled accommodation", target_date=dt.date(2025, 12, 31), status="achieved"),
    )
    assert changes == {
        "objective": {"from": "Find a flat", "to": "Find settled accommodation"},
        "target_date": {"from": None, "to": "2025-12-31"},
        "status": {"from": "open", "to": "achieved"},
    }
    row = await db.get_one(SentencePlanObjective, oid)
    assert (row.need, row.objective, row.target_date, row.status) == (
        "accommodation",
        "Find settled accommodation",
        dt.date(2025, 12, 31),
        "achieved",
    )
    audit = await _audits(db, "probation.objective.edit", case.id)
    assert len(audit) == 1 and audit[0].detail["changes"] == changes and audit[0].detail["objective_id"] == oid
    # Changing nothing writes nothing.
    assert await plan_service.update_objective(db, pat, case.id, oid, ObjectiveUpdate(status="achieved")) == {}
    assert len(await _audits(db, "probation.objective.edit", case.id)) == 1


async def test_edits_are_refused_on_a_terminated_case_and_off_the_caseload(db: AsyncSession) -> None:
    pdu = await unit(db)
    pat = await staff_actor(db, "edit.owner", "probation_practitioner", pdu)
    stranger = await staff_actor(db, "edit.stranger", "probation_practitioner", pdu)
    case = await add_case(db, pdu, pat, kind="licence", sentence={})
    case_id = case.id
    cid = await supervision.add_licence_condition(
        db, pat, case_id, LicenceConditionIn(kind="standard", condition="Be of good behaviour")
    )
    with pytest.raises(Forbidden):
        await plan_service.update_licence_condition(
            db, stranger, case_id, cid, LicenceConditionUpdate(condition="Changed by a stranger")
        )
    row = await db.get_one(ProbationCase, case_id)
    row.status = "terminated"
    await db.commit()
    with pytest.raises(Conflict):
        await plan_service.update_licence_condition(db, pat, case_id, cid, LicenceConditionUpdate(condition="Too late"))
    await db.rollback()
    condition = await db.get_one(LicenceCondition, cid)
    await db.refresh(condition)
    assert condition.condition == "Be of good behaviour"
    # Only the stranger's refusal is in the audit; nothing was changed.
    assert [a.outcome for a in await _audits(db, "probation.licence_condition.edit", case_id)] == ["refused"]


async def test_api_patch_with_problem_details(app: FastAPI, db: AsyncSession) -> None:
    pdu = await unit(db)
    pat = await staff_actor(db, "edit.api", "probation_practitioner", pdu)
    case = await add_case(db, pdu, pat, kind="licence", sentence={})
    cid = await supervision.add_licence_condition(
        db, pat, case.id, LicenceConditionIn(kind="standard", condition="Reside at the approved address")
    )
    oid = await supervision.add_objective(db, pat, case.id, ObjectiveIn(need="drugs", objective="Engage with CGL"))
    async with client_as(app, pat) as api:
        ok = await api.patch(
            f"/api/v1/probation/cases/{case.id}/licence-conditions/{cid}",
            json={"condition": "Reside at 1 High Street", "kind": "additional"},
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["changes"]["condition"] == {
            "from": "Reside at the approved address",
            "to": "Reside at 1 High Street",
        }
        bad = await api.patch(
            f"/api/v1/probation/cases/{case.id}/objectives/{oid}", json={"objective": "", "status": "done"}
        )
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
        assert sorted(e["field"] for e in bad.json()["errors"]) == ["objective", "status"]
        cleared = await api.patch(f"/api/v1/probation/cases/{case.id}/objectives/{oid}", json={"need": None})
        assert cleared.status_code == 422 and cleared.json()["errors"][0]["field"] == "need"
        wrong_case = await api.patch(f"/api/v1/probation/cases/{case.id + 100000}/objectives/{oid}", json={"need": "x"})
        assert wrong_case.status_code == 404
    assert (await db.get_one(SentencePlanObjective, oid)).objective == "Engage with CGL"


async def test_edit_pages_show_errors_in_a_summary_and_save(app: FastAPI, db: AsyncSession) -> None:
    pdu = await unit(db)
    pat = await staff_actor(db, "edit.pages", "probation_practitioner", pdu)
    case = await add_case(db, pdu, pat, kind="licence", sentence={})
    case_id = case.id
    oid = await supervision.add_objective(db, pat, case_id, ObjectiveIn(need="employment", objective="Apply for jobs"))
    cid = await supervision.add_licence_condition(
        db, pat, case_id, LicenceConditionIn(kind="standard", condition="Keep in touch")
    )
    async with client_as(app, pat) as web:
        page = await web.get(f"/probation/cases/{case_id}/supervision")
        assert f"/probation/cases/{case_id}/objectives/{oid}/edit" in page.text
        assert f"/probation/cases/{case_id}/licence-conditions/{cid}/edit" in page.text
        form = await web.get(f"/probation/cases/{case_id}/objectives/{oid}/edit")
        assert form.status_code == 200 and "Apply for jobs" in form.text
        bad = await web.post(
            f"/probation/cases/{case_id}/objectives/{oid}/edit",
            data={"need": "employment", "objective": "", "target_date": "soon", "status": "open"},
        )
        assert bad.status_code == 400
        assert "govuk-error-summary" in bad.text and 'href="#target_date"' in bad.text
        blank = await web.post(
            f"/probation/cases/{case_id}/objectives/{oid}/edit",
            data={"need": "employment", "objective": "", "target_date": "", "status": "open"},
        )
        assert blank.status_code == 400 and 'href="#objective"' in blank.text
        saved = await web.post(
            f"/probation/cases/{case_id}/objectives/{oid}/edit",
            data={"need": "employment", "objective": "Apply for five jobs a week", "target_date": "", "status": "open"},
        )
        assert saved.status_code == 303
        condition = await web.post(
            f"/probation/cases/{case_id}/licence-conditions/{cid}/edit", data={"kind": "", "condition": "x"}
        )
        assert condition.status_code == 400 and 'href="#kind"' in condition.text
        changed = await web.post(
            f"/probation/cases/{case_id}/licence-conditions/{cid}/edit",
            data={"kind": "standard", "condition": "Keep in touch as instructed"},
        )
        assert changed.status_code == 303
    assert (await db.get_one(SentencePlanObjective, oid)).objective == "Apply for five jobs a week"
    assert (await db.get_one(LicenceCondition, cid)).condition == "Keep in touch as instructed"


async def test_allocation_reassigns_the_first_appointment_task_with_its_audit(db: AsyncSession) -> None:
    pdu = await unit_id(db)
    boss = await senior(db, pdu)
    chosen = await practitioner(db, pdu, "Fay First")
    case_id = await service.case_from_sentence_event(db, community_order(await cardiff_person(db)))
    assert case_id is not None and chosen.id is not None
    case = await service.allocate(db, boss, case_id, chosen.id)
    task = await db.get_one(Task, case.first_appointment_task_id)
    assert (task.owner_type, task.owner_id) == ("staff", chosen.id)
    audit = await db.scalar(
        select(AuditEvent).where(AuditEvent.action == "task.reassign", AuditEvent.subject_id == str(task.id))
    )
    assert audit is not None and audit.outcome == "allowed"
    assert audit.detail["from"] == f"unit:{pdu}" and audit.detail["to"] == f"staff:{chosen.id}"
    history = await db.scalar(
        select(TaskHistory).where(TaskHistory.task_id == task.id, TaskHistory.action == "reassigned")
    )
    assert history is not None and history.note == "Case allocated"
    event = await db.scalar(
        select(OutboxEvent).where(OutboxEvent.type == "tasks.task.reassigned", OutboxEvent.subject == f"task/{task.id}")
    )
    assert event is not None and event.data["to"] == {"type": "staff", "id": chosen.id}
