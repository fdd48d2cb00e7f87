"""Batch de-duplication end to end: a small index with planted duplicates and twins, Splink on
DuckDB, pairs recorded, review tasks for a data quality officer, the comparison page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.dq_helpers import CSRF, FIRST_ID, ActingAs, acting, data_quality_officer, demo_people

from caselink.people import linkage
from caselink.people.linkage_models import LinkPair
from caselink.people.models import Person, PersonAddress, PersonIdentifier, PersonName
from caselink.people.rules import fold_name, make_pnc
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.tasks.models import Task

__all__ = ["acting"]  # the fixture, imported for this module's tests

DEDUPE = Actor(kind=ActorKind.SYSTEM, name="people-dedupe")
PLANTED = FIRST_ID + 1_000


async def person(
    db: AsyncSession,
    person_id: int,
    given: str,
    family: str,
    dob: date | None,
    postcode: str | None,
    pnc: str | None = None,
) -> int:
    db.add(Person(id=person_id, given_name=given, family_name=family, date_of_birth=dob))
    await db.flush()
    db.add(
        PersonName(
            person_id=person_id,
            name_type="PRIMARY",
            given_name=given,
            family_name=family,
            given_name_norm=fold_name(given),
            family_name_norm=fold_name(family),
        )
    )
    if postcode:
        db.add(PersonAddress(person_id=person_id, line1="1 Mill Lane", postcode=postcode))
    if pnc:
        db.add(PersonIdentifier(person_id=person_id, type="PNC", value=pnc, raw_value=pnc, valid=True, source="test"))
    await db.flush()
    return person_id


async def plant(db: AsyncSession) -> dict[str, tuple[int, int]]:
    """Pairs of records of one person, as two agencies keyed them, and a pair of twins."""
    pnc_a, pnc_b, pnc_c = make_pnc(2010, 4_100_001), make_pnc(2012, 4_100_002), make_pnc(2019, 4_100_003)
    n = PLANTED
    pairs = {
        "nickname": (
            await person(db, n + 1, "William", "Hargreaves", date(1984, 3, 7), "M1 1AE"),
            await person(db, n + 2, "Bill", "Hargreaves", date(1984, 3, 7), "M1 1AE"),
        ),
        "transposed_dob": (
            await person(db, n + 3, "Tomasz", "Nowakowski", date(1979, 4, 5), "B5 4TR"),
            await person(db, n + 4, "Tomasz", "Nowakowski", date(1979, 5, 4), "B5 4TR"),
        ),
        "swapped_names": (
            await person(db, n + 5, "Kwame", "Mensah", date(1995, 6, 30), "LS6 2QD"),
            await person(db, n + 6, "Mensah", "Kwame", date(1995, 6, 30), None),
        ),
        # A valid identifier belongs to one record only, so the second record of a person has none.
        "typo_no_identifier": (
            await person(db, n + 7, "Priya", "Raghunathan", date(1988, 2, 14), "CF10 1AA", pnc_a),
            await person(db, n + 8, "Priya", "Ragunathan", date(1988, 2, 14), None),
        ),
        "typo_new_address": (
            await person(db, n + 9, "Siobhan", "Gallagher", date(1990, 11, 23), "BT1 5GS"),
            await person(db, n + 10, "Siobhan", "Galagher", date(1990, 11, 23), "G2 3AB"),
        ),
        "no_dob": (
            await person(db, n + 11, "Darren", "Whitfield", date(1971, 8, 19), "HU3 2RT"),
            await person(db, n + 12, "Darren", "Whitfield", None, "HU3 2RT"),
        ),
    }
    twins = (
        await person(db, n + 13, "Jordan", "Okafor", date(2001, 1, 15), "SE15 4QL", pnc_b),
        await person(db, n + 14, "Jayden", "Okafor", date(2001, 1, 15), "SE15 4QL", pnc_c),
    )
    return {**pairs, "twins": twins}


async def stored_pairs(db: AsyncSession) -> dict[tuple[int, int], LinkPair]:
    rows = (await db.execute(select(LinkPair).where(LinkPair.person_b_id >= FIRST_ID))).scalars()
    return {(p.person_a_id, p.person_b_id): p for p in rows}


async def test_dedupe_finds_the_planted_duplicates_and_queues_the_uncertain_ones(
    db: AsyncSession, tmp_path: Path
) -> None:
    await demo_people(db, 300)
    planted = await plant(db)
    officer = await data_quality_officer(db)

    summary = await linkage.dedupe(db, DEDUPE, tmp_path)

    assert summary.people >= 314
    pairs = await stored_pairs(db)
    for kind, (a, b) in planted.items():
        if kind != "twins":
            assert (a, b) in pairs, f"planted {kind} pair not found"
    # Strong evidence (an agreeing date of birth or a shared identifier) links automatically ...
    for kind in ("nickname", "transposed_dob", "swapped_names", "typo_no_identifier"):
        pair = pairs[planted[kind]]
        assert (pair.band, pair.decision, pair.source) == ("auto_link", "merged", "dedupe"), kind
        assert pair.reasons
        later = await db.get(Person, pair.person_b_id)
        assert later is not None
        await db.refresh(later)
        assert later.merged_into_id == pair.person_a_id, kind
    # ... a name alone never does: it goes to a person, with a task due in 10 working days.
    no_dob = pairs[planted["no_dob"]]
    assert no_dob.band == "review" and no_dob.decision is None
    task = await db.get(Task, no_dob.task_id)
    assert task is not None
    assert (task.type, task.owner_type, task.status) == ("people.duplicate_review", "staff", "open")
    assert task.owner_id == officer.actor.id
    assert task.due_date is not None and task.due_date > date.today()
    assert task.details["url"] == f"/people/review/{no_dob.id}"
    # Twins share a family name, a birthday and an address, but never get linked without a person.
    twins = pairs.get(planted["twins"])
    assert twins is None or twins.band == "review"
    assert summary.auto_links >= 4 and summary.review_pairs >= 1 and summary.tasks_created == summary.review_pairs
    assert summary.clusters >= 4 and summary.merged >= 4 and summary.merge_refused == 0

    # A second run refreshes the same pairs: no new pair, no second task.
    again = await linkage.dedupe(db, DEDUPE, tmp_path)
    assert again.tasks_created == 0
    assert len(await stored_pairs(db)) == len(pairs)
    tasks = await db.scalar(select(func.count()).select_from(Task).where(Task.type == "people.duplicate_review"))
    assert tasks == summary.tasks_created


async def test_dedupe_needs_the_merge_permission(db: AsyncSession, tmp_path: Path) -> None:
    from caselink.platform.errors import Forbidden

    lawyer = Actor(kind=ActorKind.STAFF, id=1, name="lawyer", roles=frozenset({"cps_lawyer"}))
    with pytest.raises(Forbidden):
        await linkage.dedupe(db, lawyer, tmp_path)


async def test_the_comparison_page_records_a_decision_once_audited(
    db: AsyncSession, client: httpx.AsyncClient, acting: ActingAs, tmp_path: Path
) -> None:
    planted = await plant(db)
    officer = await data_quality_officer(db)
    await linkage.dedupe(db, DEDUPE, tmp_path)
    pair = (await stored_pairs(db))[planted["no_dob"]]

    acting.actor = officer.actor
    page = await client.get(f"/people/review/{pair.id}")
    assert page.status_code == 200
    html = page.text
    assert f"Person {planted['no_dob'][0]}" in html and f"Person {planted['no_dob'][1]}" in html
    assert "Whitfield" in html and "19/08/1971" in html and "Not recorded" in html
    # The date of birth differs, the family name does not.
    dob_row = html[html.index("Date of birth") : html.index("</tr>", html.index("Date of birth"))]
    assert "Differs" in dob_row and "<mark>" in dob_row
    family_row = html[html.index("Family name") : html.index("</tr>", html.index("Family name"))]
    assert "Differs" not in family_row
    assert f'name="csrf_token" value="{CSRF}"' in html
    assert 'value="same"' in html and 'value="different"' in html

    decided = await client.post(
        f"/people/review/{pair.id}", data={"csrf_token": CSRF, "decision": "same", "note": "Same custody photo."}
    )
    assert decided.status_code == 303
    await db.refresh(pair)
    # The same person: merged into the earlier record at once.
    assert (pair.decision, pair.decided_by, pair.note) == ("merged", officer.actor.audit_label, "Same custody photo.")
    later = await db.get(Person, pair.person_b_id)
    assert later is not None
    await db.refresh(later)
    assert later.merged_into_id == pair.person_a_id
    task = await db.get(Task, pair.task_id)
    assert task is not None
    await db.refresh(task)
    assert task.status == "completed" and officer.actor.audit_label in (task.outcome or "")
    audited = await db.scalar(
        text(
            "SELECT detail->>'decision' FROM audit_events WHERE action = 'person.duplicate_review.decide' "
            "AND subject_id = :id"
        ),
        {"id": str(pair.id)},
    )
    assert audited == "same_person"  # what the reviewer decided; the merge is audited by itself
    shown = await client.get(f"/people/review/{pair.id}")
    assert "Merged" in shown.text and 'value="same"' not in shown.text

    twice = await client.post(f"/people/review/{pair.id}", data={"csrf_token": CSRF, "decision": "different"})
    assert twice.status_code == 409
    await db.refresh(pair)
    assert pair.decision == "merged"


async def test_the_comparison_page_refuses_no_choice_and_people_without_merge_rights(
    db: AsyncSession, client: httpx.AsyncClient, acting: ActingAs, tmp_path: Path
) -> None:
    planted = await plant(db)
    officer = await data_quality_officer(db)
    await linkage.dedupe(db, DEDUPE, tmp_path)
    pair = (await stored_pairs(db))[planted["no_dob"]]

    acting.actor = officer.actor
    empty = await client.post(f"/people/review/{pair.id}", data={"csrf_token": CSRF, "decision": ""})
    assert empty.status_code == 400
    assert "There is a problem" in empty.text and "Choose ‘same person’ or ‘different people’" in empty.text

    acting.actor = Actor(kind=ActorKind.STAFF, id=77, name="lawyer", roles=frozenset({"cps_lawyer"}))
    assert (await client.get(f"/people/review/{pair.id}")).status_code == 403
    refused = await client.post(f"/people/review/{pair.id}", data={"csrf_token": CSRF, "decision": "same"})
    assert refused.status_code == 403
    await db.refresh(pair)
    assert pair.decision is None
    acting.actor = officer.actor
    assert (await client.get("/people/review/999999999")).status_code == 404
