"""Tables of duplicate finding: batch linkage runs and the candidate pairs they (or imports) found.

A pair is stored once, lower person id first, whatever run or import found it again: a later run
refreshes the score of an undecided pair and never reopens a decided one. The decision is what
the merge service (a later change of issue 4) acts on: ``to_merge`` pairs were linked
automatically above the high threshold, ``same_person`` pairs were confirmed by a person.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class PairBand(enum.StrEnum):
    AUTO_LINK = "auto_link"  # above the high threshold: the same person without a human look
    REVIEW = "review"  # the uncertain band: a data quality officer decides


class PairDecision(enum.StrEnum):
    TO_MERGE = "to_merge"  # linked automatically; waiting for the merge service
    SAME_PERSON = "same_person"  # confirmed by a person; waiting for the merge service
    DIFFERENT_PEOPLE = "different_people"  # confirmed by a person: never propose again
    MERGED = "merged"  # the merge service has merged them


class PairSource(enum.StrEnum):
    DEDUPE = "dedupe"
    IMPORT = "import"


class LinkageRun(Base):
    __tablename__ = "person_linkage_runs"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[str] = mapped_column(String(200))
    people: Mapped[int] = mapped_column(Integer, default=0)
    pairs_scored: Mapped[int] = mapped_column(BigInteger, default=0)
    auto_links: Mapped[int] = mapped_column(Integer, default=0)
    review_pairs: Mapped[int] = mapped_column(Integer, default=0)
    clusters: Mapped[int] = mapped_column(Integer, default=0)
    # Thresholds, whether the model was trained, its parameters and the time of each step.
    model: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class LinkPair(Base):
    __tablename__ = "person_link_pairs"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_a_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    person_b_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # PairSource
    run_id: Mapped[int | None] = mapped_column(ForeignKey("person_linkage_runs.id"))
    match_probability: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(16))  # PairBand
    cluster_id: Mapped[int | None] = mapped_column(BigInteger)  # lowest person id of the run's cluster
    reasons: Mapped[list[str]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    decision: Mapped[str | None] = mapped_column(String(20))  # PairDecision
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    task_id: Mapped[int | None] = mapped_column(BigInteger)  # the review task (tasks.id)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("person_a_id < person_b_id", name="ordered"),
        CheckConstraint("band IN ('auto_link', 'review')", name="band"),
        Index("uq_person_link_pairs_pair", "person_a_id", "person_b_id", unique=True),
        # The review queue and the merge service's to-do list.
        Index("ix_person_link_pairs_open", "band", "decision", "id"),
    )
