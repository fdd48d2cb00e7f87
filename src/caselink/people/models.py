"""Tables of the person index: people, their names, identifiers, addresses and contact details.

Search reads ``person_names`` only: it holds every name a person is known by, the primary one
(``name_type = 'PRIMARY'``, a copy of the name on ``persons``) as well as aliases, so one
trigram index and one phonetic index cover them all. Writers fill the ``*_norm`` columns with
``caselink.people.rules.fold_name``; PostgreSQL derives the phonetic keys from them
(``dmetaphone`` from fuzzystrmatch), so every writer, bulk COPY included, gets the same keys.

Identifier lookups must say ``valid`` (``WHERE type = :t AND value = :v AND valid``): the unique
index covers valid values only, because legacy invalid values are kept but never matched.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class Sex(enum.StrEnum):
    MALE = "MALE"
    FEMALE = "FEMALE"
    NOT_KNOWN = "NOT_KNOWN"  # not recorded
    NOT_SPECIFIED = "NOT_SPECIFIED"  # recorded, but the person did not say or it is indeterminate


class NameType(enum.StrEnum):
    PRIMARY = "PRIMARY"  # the name on the person record (mirrors persons.given_name etc.)
    ALIAS = "ALIAS"  # a name the person has used or given
    BIRTH = "BIRTH"  # the name at birth, when different
    MAIDEN = "MAIDEN"  # family name before marriage
    PREVIOUS = "PREVIOUS"  # a former legal name (e.g. after deed poll)
    NICKNAME = "NICKNAME"  # a name the person is known by


class ContactKind(enum.StrEnum):
    MOBILE = "MOBILE"
    PHONE = "PHONE"
    EMAIL = "EMAIL"


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    given_name: Mapped[str] = mapped_column(String(100))
    middle_names: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    sex: Mapped[str] = mapped_column(String(16), default=Sex.NOT_KNOWN, server_default=Sex.NOT_KNOWN.value)
    gender_identity: Mapped[str | None] = mapped_column(String(32))
    nationality: Mapped[str | None] = mapped_column(String(64))
    # ONS 2021 census ethnic group code, e.g. "W1", "A1", "B2"; None when not recorded.
    ethnicity: Mapped[str | None] = mapped_column(String(8))
    language: Mapped[str | None] = mapped_column(String(64))
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Made by `caselink demo`; lets demo data be found, counted and replaced without touching real records.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Set when this record was merged into another; the survivor is followed, this one kept for unmerge.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        Index("ix_persons_merged_into_id", "merged_into_id", postgresql_where=text("merged_into_id IS NOT NULL")),
        Index("ix_persons_is_demo", "is_demo", postgresql_where=text("is_demo")),
    )


class PersonName(Base):
    __tablename__ = "person_names"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    name_type: Mapped[str] = mapped_column(String(16))
    given_name: Mapped[str] = mapped_column(String(100))
    middle_names: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(100))
    # fold_name() of the names above: lower case, no accents, punctuation folded.
    given_name_norm: Mapped[str] = mapped_column(Text)
    family_name_norm: Mapped[str] = mapped_column(Text)
    given_name_phonetic: Mapped[str | None] = mapped_column(
        Text, Computed("dmetaphone(given_name_norm)", persisted=True)
    )
    family_name_phonetic: Mapped[str | None] = mapped_column(
        Text, Computed("dmetaphone(family_name_norm)", persisted=True)
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index(
            "ix_person_names_family_name_norm_trgm",
            "family_name_norm",
            postgresql_using="gin",
            postgresql_ops={"family_name_norm": "gin_trgm_ops"},
        ),
        Index(
            "ix_person_names_given_name_norm_trgm",
            "given_name_norm",
            postgresql_using="gin",
            postgresql_ops={"given_name_norm": "gin_trgm_ops"},
        ),
        Index("ix_person_names_family_name_phonetic", "family_name_phonetic", "given_name_phonetic"),
        # Covering: search loads candidates' names from the index alone, in order (migration 0023).
        Index(
            "ix_person_names_person_id",
            "person_id",
            "id",
            postgresql_include=["given_name", "family_name", "name_type"],
        ),
        # Search fetches people by exact spellings found in person_name_terms (migrations 0006, 0013, 0023).
        Index(
            "ix_person_names_given_family_norm",
            "given_name_norm",
            "family_name_norm",
            postgresql_include=["person_id"],
        ),
        Index(
            "ix_person_names_family_given_norm",
            "family_name_norm",
            "given_name_norm",
            postgresql_include=["person_id"],
        ),
    )


class PersonNameTerm(Base):
    """One distinct folded spelling used as a family or given name (migration 0013 explains why).

    Filled by triggers on person_names from every writer; never written by the app.
    """

    __tablename__ = "person_name_terms"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # "family" or "given"
    term: Mapped[str] = mapped_column(Text, primary_key=True)
    phonetic: Mapped[str | None] = mapped_column(Text, Computed("dmetaphone(term)", persisted=True))

    __table_args__ = (
        Index("ix_person_name_terms_kind_phonetic", "kind", "phonetic"),
        Index(
            "ix_person_name_terms_family_trgm",
            "term",
            postgresql_using="gin",
            postgresql_ops={"term": "gin_trgm_ops"},
            postgresql_where=text("kind = 'family'"),
        ),
        Index(
            "ix_person_name_terms_given_trgm",
            "term",
            postgresql_using="gin",
            postgresql_ops={"term": "gin_trgm_ops"},
            postgresql_where=text("kind = 'given'"),
        ),
    )


class PersonIdentifier(Base):
    __tablename__ = "person_identifiers"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))  # caselink.people.rules.IdentifierType
    # Canonical form when valid; the tidied raw text when not (shown, never matched).
    value: Mapped[str] = mapped_column(Text)  # Text: a legacy invalid value may be any length
    raw_value: Mapped[str] = mapped_column(Text)
    valid: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(32))  # who recorded it: user, import, demo, a system's name
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        # Each valid PNC ID, CRO number, prison number, CRN, ASN and NINO belongs to one person.
        Index("uq_person_identifiers_type_value", "type", "value", unique=True, postgresql_where=text("valid")),
    )


class PersonAddress(Base):
    __tablename__ = "person_addresses"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    line3: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    county: Mapped[str | None] = mapped_column(String(100))
    # normalise_postcode() form, "CF10 1AA"; None for no fixed abode or an unknown postcode.
    postcode: Mapped[str | None] = mapped_column(String(8), index=True)
    no_fixed_abode: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    from_date: Mapped[date | None] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PersonContact(Base):
    __tablename__ = "person_contacts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ContactKind
    value: Mapped[str] = mapped_column(String(254))
    is_preferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
