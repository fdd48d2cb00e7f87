"""Import from legacy systems: each row linked, queued for review, created or refused, whole or not
at all; a dry run writes nothing and decides the same; the CSV file and the API batch."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.people.dq_helpers import data_quality_officer
from tests.people.people_factory import add_person, client_as

from caselink.people import importer
from caselink.people.linkage_models import LinkPair
from caselink.people.models import Person, PersonAddress, PersonIdentifier, PersonName
from caselink.people.rules import make_cro, make_pnc
from caselink.platform.access.actor import Actor, ActorKind
from caselink.platform.tasks.models import Task

IMPORTER = Actor(kind=ActorKind.SYSTEM, name="people-import")
TODAY = date(2026, 6, 1)
PNC_HELD = make_pnc(2008, 5_200_001)
PNC_NEW = make_pnc(2011, 5_200_002)


async def counts(db: AsyncSession) -> tuple[int, ...]:
    return tuple(
        [
            int(await db.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Person, PersonName, PersonIdentifier, PersonAddress, LinkPair, Task)
        ]
    )


async def existing_people(db: AsyncSession) -> dict[str, int]:
    return {
        "held": await add_person(db, "Marcus", "Oyelaran", date(1982, 9, 12), [("PNC", PNC_HELD)], postcode="E8 1DY"),
        "strong": await add_person(db, "Catherine", "Ashdown", date(1975, 1, 30), postcode="BS3 4HG"),
        "likely": await add_person(db, "Reuben", "Castellano", date(1993, 7, 21), postcode="NG7 2QP"),
    }


ROWS = [
    # 1: shares a valid PNC ID with Marcus: linked, whatever the name says.
    {"given_name": "Mark", "family_name": "Oyelaran", "pnc": PNC_HELD, "source_ref": "L-1"},
    # 2: a strong match (typo, same birthday and postcode): linked, its new PNC ID added.
    {
        "given_name": "Katherine",
        "family_name": "Ashdown",
        "date_of_birth": "30/01/1975",
        "postcode": "bs34hg",
        "pnc": PNC_NEW,
        "source_ref": "L-2",
    },
    # 3: the same name, no date of birth: uncertain, so a new record and a review task.
    {"given_name": "Reuben", "family_name": "Castellano", "source_ref": "L-3"},
    # 4: nobody like this: new, with an alias, an address and a legacy CRO kept but flagged.
    {
        "given_name": "Ffion",
        "family_name": "Pritchard-Morgan",
        "date_of_birth": "1999-03-04",
        "sex": "female",
        "aliases": "Ffion Morgan",
        "address_line1": "4 Heol y Dwr",
        "town": "Swansea",
        "postcode": "SA1 1AA",
        "cro": "123456/99Q",
        "source_ref": "L-4",
    },
    # 5: impossible date and a bad postcode: refused, nothing written.
    {
        "given_name": "Zed",
        "family_name": "Nobody",
        "date_of_birth": "31/02/1990",
        "postcode": "NOT A PC",
        "source_ref": "L-5",
    },
    # 6: no family name.
    {"given_name": "Cher", "family_name": "", "source_ref": "L-6"},
]


async def test_each_row_is_linked_reviewed_created_or_refused(db: AsyncSession) -> None:
    people = await existing_people(db)
    officer = await data_quality_officer(db)

    reports = await importer.import_rows(db, IMPORTER, ROWS, today=TODAY)

    assert [r.decision for r in reports] == ["link", "link", "review", "new", "error", "error"]
    assert [r.row_number for r in reports] == [1, 2, 3, 4, 5, 6]
    assert [r.source_ref for r in reports] == ["L-1", "L-2", "L-3", "L-4", "L-5", "L-6"]
    linked, strong, review, new, bad, nameless = reports
    assert linked.person_id == people["held"] and linked.score == 1.0
    assert any("PNC" in reason for reason in linked.reasons)
    assert strong.person_id == people["strong"] and strong.score is not None and strong.score >= 0.85
    added = await db.scalar(
        select(PersonIdentifier.person_id).where(PersonIdentifier.value == PNC_NEW, PersonIdentifier.valid)
    )
    assert added == people["strong"]
    assert f"PNC ID {PNC_NEW} added" in strong.reasons

    assert review.person_id not in (None, *people.values())
    assert f"may be person {people['likely']}" in review.reasons[0]
    pair = await db.scalar(select(LinkPair).where(LinkPair.person_b_id == review.person_id))
    assert pair is not None and (pair.person_a_id, pair.source, pair.band) == (people["likely"], "import", "review")
    task = await db.get(Task, pair.task_id)
    assert task is not None and task.owner_id == officer.actor.id

    created = await db.get(Person, new.person_id)
    assert created is not None and (created.given_name, created.sex) == ("Ffion", "FEMALE")
    assert created.date_of_birth == date(1999, 3, 4)
    names = (
        await db.execute(select(PersonName.name_type, PersonName.family_name).where(PersonName.person_id == created.id))
    ).all()
    assert sorted(names) == [("ALIAS", "Morgan"), ("PRIMARY", "Pritchard-Morgan")]
    cro = (await db.execute(select(PersonIdentifier).where(PersonIdentifier.person_id == created.id))).scalar_one()
    assert (cro.type, cro.valid, cro.raw_value) == ("CRO", False, "123456/99Q")
    assert any("kept as a legacy value" in reason for reason in new.reasons)
    address = (await db.execute(select(PersonAddress).where(PersonAddress.person_id == created.id))).scalar_one()
    assert (address.town, address.postcode) == ("Swansea", "SA1 1AA")

    assert bad.person_id is None
    assert "date_of_birth '31/02/1990' is not a real date" in bad.errors
    assert "postcode 'NOT A PC' is not a UK postcode" in bad.errors
    assert nameless.errors == ["family_name is required"]
    assert await db.scalar(select(func.count()).select_from(Person).where(Person.family_name == "Nobody")) == 0


async def test_a_dry_run_writes_nothing_and_decides_as_a_real_run_would(db: AsyncSession) -> None:
    await existing_people(db)
    await data_quality_officer(db)
    # A file that holds the same new person twice: the second row links to the first in a real run.
    rows = [
        *ROWS,
        {
            "given_name": "Ffion",
            "family_name": "Pritchard-Morgan",
            "date_of_birth": "1999-03-04",
            "postcode": "SA1 1AA",
        },
    ]
    before = await counts(db)

    dry = await importer.import_rows(db, IMPORTER, rows, dry_run=True, today=TODAY)

    assert await counts(db) == before
    assert [r.decision for r in dry] == ["link", "link", "review", "new", "error", "error", "link"]
    # Nothing is kept, so there is no id to show; a row linked to an earlier row of the batch says which.
    assert dry[3].person_id is None and dry[2].person_id is None and dry[6].person_id is None
    assert dry[6].reasons[0] == "the same person as row 4 of this batch"
    real = await importer.import_rows(db, IMPORTER, rows, today=TODAY)
    assert [r.decision for r in real] == [r.decision for r in dry]
    assert real[6].person_id == real[3].person_id


async def test_a_row_whose_identifiers_belong_to_two_people_is_refused_whole(db: AsyncSession) -> None:
    first = await add_person(db, "Aled", "Rhys", date(1980, 1, 1), [("PNC", PNC_HELD)])
    cro = make_cro(123_457, 2001)
    second = await add_person(db, "Bethan", "Rhys", date(1981, 2, 2), [("CRO", cro)])
    before = await counts(db)

    [refused] = await importer.import_rows(
        db, IMPORTER, [{"family_name": "Rhys", "pnc": PNC_HELD, "cro": cro, "postcode": "LL57 2DG"}], today=TODAY
    )

    assert refused.decision == "error" and refused.person_id is None
    assert f"person {first}" in refused.errors[0] and f"person {second}" in refused.errors[0]
    assert await counts(db) == before


def test_the_csv_file_is_read_with_its_documented_columns(tmp_path: Path) -> None:
    good = tmp_path / "people.csv"
    good.write_text("Family_Name,given_name,PNC\nSmith,John,2002/0073319Z\n", encoding="utf-8-sig")
    assert importer.read_csv(good) == [{"family_name": "Smith", "given_name": "John", "pnc": "2002/0073319Z"}]
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("family_name,shoe_size\nSmith,9\n", encoding="utf-8")
    with pytest.raises(importer.ImportFileError, match="shoe_size"):
        importer.read_csv(unknown)
    nameless = tmp_path / "nameless.csv"
    nameless.write_text("given_name\nJohn\n", encoding="utf-8")
    with pytest.raises(importer.ImportFileError, match="no family_name column"):
        importer.read_csv(nameless)


def test_the_report_has_a_line_per_row(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    importer.write_report(
        path,
        [
            importer.RowReport(1, "new", 12, None, ["no likely match"], [], "A"),
            importer.RowReport(2, "error", None, None, [], ["family_name is required", "bad date"], None),
        ],
    )
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0] == ["row_number", "decision", "person_id", "score", "reasons", "errors", "source_ref"]
    assert rows[1] == ["1", "new", "12", "", "no likely match", "", "A"]
    assert rows[2] == ["2", "error", "", "", "", "family_name is required; bad date", ""]


async def test_the_api_imports_a_batch_and_answers_per_row(app: FastAPI, db: AsyncSession) -> None:
    people = await existing_people(db)
    writer = Actor(kind=ActorKind.CLIENT, id=880, name="legacy-nomis", scopes=frozenset({"people:write"}))
    async with client_as(app, writer) as client:
        response = await client.post("/api/v1/people/import", json={"rows": ROWS[:2] + ROWS[4:5], "source": "nomis"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["counts"] == {"link": 2, "error": 1}
        assert [r["decision"] for r in body["rows"]] == ["link", "link", "error"]
        assert body["rows"][0]["person_id"] == people["held"]
        assert body["rows"][2]["errors"]
        source = await db.scalar(select(PersonIdentifier.source).where(PersonIdentifier.value == PNC_NEW))
        assert source == "nomis"

        malformed = await client.post("/api/v1/people/import", json={"rows": [{"family_name": "X", "shoe": 9}]})
        assert malformed.status_code == 422
        assert malformed.headers["content-type"].startswith("application/problem+json")
        empty = await client.post("/api/v1/people/import", json={"rows": []})
        assert empty.status_code == 422

    reader = Actor(kind=ActorKind.CLIENT, id=881, name="reader", scopes=frozenset({"people:read"}))
    async with client_as(app, reader) as client:
        assert (await client.post("/api/v1/people/import", json={"rows": ROWS[:1]})).status_code == 403
