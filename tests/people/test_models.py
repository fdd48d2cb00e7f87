"""The person index tables in PostgreSQL: round trip, generated phonetic keys, identifier uniqueness."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from caselink.people.models import (
    NameType,
    Person,
    PersonAddress,
    PersonContact,
    PersonIdentifier,
    PersonName,
    Sex,
)
from caselink.people.rules import IdentifierType, fold_name, normalise_postcode, parse


def _identifier(person: Person, kind: IdentifierType, raw: str, source: str = "user") -> PersonIdentifier:
    parsed = parse(kind, raw)
    return PersonIdentifier(
        person_id=person.id, type=kind.value, value=parsed.canonical, raw_value=raw, valid=parsed.valid, source=source
    )


async def _person(db: AsyncSession, given: str = "Siobhán", family: str = "O'Brien-Smith") -> Person:
    person = Person(given_name=given, family_name=family, date_of_birth=date(1990, 2, 3), sex=Sex.FEMALE)
    db.add(person)
    await db.flush()
    db.add(
        PersonName(
            person_id=person.id,
            name_type=NameType.PRIMARY,
            given_name=given,
            family_name=family,
            given_name_norm=fold_name(given),
            family_name_norm=fold_name(family),
        )
    )
    await db.flush()
    return person


async def test_person_round_trip_with_names_identifiers_addresses_contacts(db: AsyncSession) -> None:
    person = await _person(db)
    db.add_all(
        [
            _identifier(person, IdentifierType.PNC, "02/73319Z"),
            _identifier(person, IdentifierType.NINO, "ab 12 34 56 c"),
            PersonAddress(
                person_id=person.id,
                line1="1 High Street",
                town="Cardiff",
                postcode=normalise_postcode("cf101aa"),
                from_date=date(2020, 1, 1),
            ),
            PersonContact(person_id=person.id, kind="MOBILE", value="07700 900123", is_preferred=True),
        ]
    )
    await db.flush()

    loaded = await db.get(Person, person.id)
    assert loaded is not None
    assert (loaded.given_name, loaded.family_name, loaded.is_demo, loaded.merged_into_id) == (
        "Siobhán",
        "O'Brien-Smith",
        False,
        None,
    )
    identifiers = (
        await db.execute(
            select(PersonIdentifier.type, PersonIdentifier.value, PersonIdentifier.raw_value).where(
                PersonIdentifier.person_id == person.id
            )
        )
    ).all()
    assert set(identifiers) == {("PNC", "2002/0073319Z", "02/73319Z"), ("NINO", "AB123456C", "ab 12 34 56 c")}
    postcode = await db.scalar(select(PersonAddress.postcode).where(PersonAddress.person_id == person.id))
    assert postcode == "CF10 1AA"


async def test_phonetic_keys_are_derived_by_the_database(db: AsyncSession) -> None:
    person = await _person(db, "Stephen", "Smith")
    row = (
        await db.execute(
            select(PersonName.given_name_phonetic, PersonName.family_name_phonetic).where(
                PersonName.person_id == person.id
            )
        )
    ).one()
    smyth = await db.scalar(text("SELECT dmetaphone('smyth')"))
    steven = await db.scalar(text("SELECT dmetaphone('steven')"))
    assert row == (steven, smyth)  # misspellings share the key: what search relies on


async def test_a_valid_identifier_belongs_to_one_person(db: AsyncSession) -> None:
    first = await _person(db)
    second = await _person(db, "Other", "Person")
    db.add(_identifier(first, IdentifierType.PNC, "2002/0073319Z"))
    await db.flush()
    db.add(_identifier(second, IdentifierType.PNC, "02/73319Z"))
    with pytest.raises(IntegrityError):
        await db.flush()
    await db.rollback()


async def test_invalid_legacy_values_may_repeat(db: AsyncSession) -> None:
    first = await _person(db)
    second = await _person(db, "Other", "Person")
    db.add_all(
        [
            _identifier(first, IdentifierType.PNC, "2002/0073319A", source="import"),
            _identifier(second, IdentifierType.PNC, "2002/0073319A", source="import"),
        ]
    )
    await db.flush()
    rows = (
        await db.execute(
            select(PersonIdentifier.valid, PersonIdentifier.value).where(
                PersonIdentifier.person_id.in_([first.id, second.id])
            )
        )
    ).all()
    assert rows == [(False, "2002/0073319A"), (False, "2002/0073319A")]


async def test_deleting_a_person_removes_their_details(db: AsyncSession) -> None:
    person = await _person(db)
    db.add(_identifier(person, IdentifierType.CRN, "X123456"))
    await db.flush()
    await db.execute(text("DELETE FROM persons WHERE id = :id"), {"id": person.id})
    remaining = await db.scalar(select(PersonName.id).where(PersonName.person_id == person.id))
    assert remaining is None
