"""Limited access (decision 0026) on probation's lists: a person whose exclusion or restriction was
added after the case was allocated shows on the practitioner's caseload (page and API) as a
redacted row (grey "Restricted" tag, "Withheld", no name, tier, dates or link), and a person in the
unallocated queue the reader may not see likewise; each page's withheld people are audited as one
refused entry. A senior officer who may see the person sees both lists as before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.people_factory import client_as
from tests.probation.case_factory import cardiff_person, community_order, practitioner, senior, unit_id

from caselink.people.limited_access import LimitInput, add_limit
from caselink.platform.audit.models import AuditEvent
from caselink.probation import service
from caselink.probation.models import ProbationCase

pytestmark = pytest.mark.usefixtures("reference_loaded")

MESSAGE = "Conflict of interest: ask the head of the delivery unit."


async def test_an_exclusion_added_after_allocation_redacts_the_caseload_row(app: FastAPI, db: AsyncSession) -> None:
    unit = await unit_id(db)
    boss = await senior(db, unit, "Sam Senior")
    holder = await practitioner(db, unit, "Hol Der")
    kept = await cardiff_person(db, "Kept", "Visiblecase")
    hidden = await cardiff_person(db, "Quentin", "Laterexcluded")
    kept_case = await service.case_from_sentence_event(db, community_order(kept))
    hidden_case = await service.case_from_sentence_event(db, community_order(hidden))
    assert kept_case is not None and hidden_case is not None and holder.id is not None
    await service.allocate(db, boss, kept_case, holder.id)
    await service.allocate(db, boss, hidden_case, holder.id)
    await add_limit(db, boss, hidden, LimitInput("exclusion", [holder.id], MESSAGE))

    async with client_as(app, holder) as web:
        page = await web.get("/probation/caseload")
        assert page.status_code == 200 and "Restricted" in page.text and "Withheld" in page.text
        assert "Laterexcluded" not in page.text and f'href="/probation/cases/{hidden_case}"' not in page.text
        assert "Kept Visiblecase" in page.text and f'href="/probation/cases/{kept_case}"' in page.text
        api = (await web.get("/api/v1/probation/caseload?page_size=200")).json()
        row = next(r for r in api["items"] if r["case_id"] == hidden_case)
        assert row["restricted"] is True and row["person_name"] is None
        assert row["tier"] is None and row["start_date"] is None and row["flags"] == []
        assert next(r for r in api["items"] if r["case_id"] == kept_case)["restricted"] is False
        assert api["total"] == 2
        refused_case = await web.get(f"/probation/cases/{hidden_case}")
        assert refused_case.status_code == 403 and MESSAGE in refused_case.text

    withheld = list(
        await db.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.actor_id == holder.id,
                AuditEvent.action == "person.probation.caseload",
                AuditEvent.outcome == "refused",
            )
        )
    )
    assert withheld and all(d["withheld_person_ids"] == [hidden] for d in withheld)

    async with client_as(app, boss) as web:  # the team view's link to the practitioner's caseload
        page = await web.get(f"/probation/caseload?staff_id={holder.id}")
        assert "Quentin Laterexcluded" in page.text and f'href="/probation/cases/{hidden_case}"' in page.text


async def test_the_unallocated_queue_redacts_a_person_the_reader_may_not_see(app: FastAPI, db: AsyncSession) -> None:
    unit = await unit_id(db)
    boss = await senior(db, unit, "Sam Senior")
    reader = await practitioner(db, unit, "Rea Der")
    pid = await cardiff_person(db, "Ursula", "Queuerestricted")
    case_id = await service.case_from_sentence_event(db, community_order(pid))
    assert case_id is not None and reader.id is not None and boss.id is not None
    # First in the queue (oldest first), whatever other tests left in the unit's queue.
    await db.execute(
        update(ProbationCase).where(ProbationCase.id == case_id).values(created_at=datetime(1990, 1, 1, tzinfo=UTC))
    )
    await add_limit(db, boss, pid, LimitInput("restriction", [boss.id], MESSAGE))

    async with client_as(app, reader) as web:
        page = await web.get("/probation/unallocated")
        assert page.status_code == 200 and "Restricted" in page.text
        assert "Queuerestricted" not in page.text and f'href="/probation/cases/{case_id}"' not in page.text
        api = (await web.get("/api/v1/probation/unallocated?page_size=200")).json()
        row = next(r for r in api["items"] if r["case_id"] == case_id)
        assert row["restricted"] is True and row["person_name"] is None and row["kind"] is None
        assert row["first_appointment_due"] is None and row["basis"] is None

    refused = set(
        await db.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == reader.id, AuditEvent.outcome == "refused")
        )
    )
    assert "person.probation.unallocated" in refused

    async with client_as(app, boss) as web:
        page = await web.get("/probation/unallocated")
        assert "Ursula Queuerestricted" in page.text and f'href="/probation/cases/{case_id}"' in page.text
        api = (await web.get("/api/v1/probation/unallocated?page_size=200")).json()
        row = next(r for r in api["items"] if r["case_id"] == case_id)
        assert row["restricted"] is False and row["person_name"] == "Ursula Queuerestricted"
