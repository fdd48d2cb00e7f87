"""The auditor's "who looked at this person" covers every record merged into the person: audit
entries keep the id they were written with, and people registers the merged ids with the audit."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import CASE_BUILDER, add_person, client_as

from caselink.people import service
from caselink.people.merge import merge_people, unmerge
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.audit.models import AuditEvent

AUDITOR = Actor(kind=ActorKind.STAFF, id=77, name="auditor1", roles=frozenset({"auditor"}))
MERGER = Actor(kind=ActorKind.STAFF, id=611, name="dqofficer", roles=frozenset({"data_quality_officer"}))


async def test_reads_of_a_merged_record_are_listed_under_the_survivor(app: FastAPI, db: AsyncSession) -> None:
    survivor = await add_person(db, "Maria", "Okonkwo", date(1988, 1, 9), identifiers=[("CRN", "X123456")])
    duplicate = await add_person(db, "Mary", "Okonkwo", date(1988, 1, 9))
    await service.get_person(db, CASE_BUILDER, duplicate)  # a read of the duplicate, before the merge
    done = await merge_people(db, MERGER, survivor, duplicate, "Same person: CRN on the paper file")
    auditor = client_as(app, AUDITOR)

    api = await auditor.get("/api/v1/audit/events", params={"subject_type": "person", "subject_id": str(survivor)})
    assert api.status_code == 200, api.text
    reads = [(i["actor"]["label"], i["subject"]["id"]) for i in api.json()["items"] if i["action"] == "person.read"]
    assert ("staff:pcbuilder", str(duplicate)) in reads
    page = await auditor.get("/audit", params={"subject_type": "person", "subject_id": str(survivor)})
    assert page.status_code == 200 and "staff:pcbuilder" in page.text
    # The auditor's own search records which records it covered.
    searched = await db.scalar(
        select(AuditEvent.detail).where(AuditEvent.action == "audit.search").order_by(AuditEvent.id.desc()).limit(1)
    )
    assert searched is not None and searched["subject_ids"] == [str(survivor), str(duplicate)]

    await unmerge(db, MERGER, done.id, "Different people after all")
    after = await auditor.get("/api/v1/audit/events", params={"subject_type": "person", "subject_id": str(survivor)})
    assert str(duplicate) not in {i["subject"]["id"] for i in after.json()["items"] if i["action"] == "person.read"}


async def test_a_subject_id_that_is_no_person_id_is_searched_as_it_is(app: FastAPI, db: AsyncSession) -> None:
    response = await client_as(app, AUDITOR).get(
        "/api/v1/audit/events", params={"subject_type": "person", "subject_id": "P-900"}
    )
    assert response.status_code == 200 and response.json()["items"] == []
