"""Standing-data tables, loaded by `caselink reference load` from the npm package."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class Offence(Base):
    """A CJS offence code (e.g. TH68001, theft from the person)."""

    __tablename__ = "reference_offences"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(4), index=True)  # CE, CI, CS, CM, CB, CR ...
    home_office_class: Mapped[str | None] = mapped_column(String(16))
    recordable_on_pnc: Mapped[bool] = mapped_column(Boolean, default=False)
    notifiable_to_home_office: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index(
            "ix_reference_offences_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
        ),
        Index("ix_reference_offences_code_prefix", "code", postgresql_ops={"code": "text_pattern_ops"}),
    )


class OffenceWord(Base):
    """Every word used in offence titles, with how many titles use it: the finder's spelling list.

    A misspelt word ("persn") is matched to its nearest word here by trigram similarity, which is
    fast on single words where it is slow on whole titles. Rebuilt by each standing-data load.
    """

    __tablename__ = "reference_offence_words"

    word: Mapped[str] = mapped_column(String(64), primary_key=True)
    offences: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index(
            "ix_reference_offence_words_word_trgm",
            "word",
            postgresql_using="gin",
            postgresql_ops={"word": "gin_trgm_ops"},
        ),
    )


class ReferenceCode(Base):
    """One entry of a small standing-data list (court type, hearing type, plea, verdict, remand
    status, result code, offence category, force). ``attributes`` keeps the source row whole."""

    __tablename__ = "reference_codes"

    list_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    attributes: Mapped[dict[str, object]] = mapped_column(JSONB, default=dict)


class ReferenceDataLoad(Base):
    """Which standing-data package version is loaded, and what it held."""

    __tablename__ = "reference_data_loads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    package: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(32))
    counts: Mapped[dict[str, int]] = mapped_column(JSONB)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
