"""Tables for agencies' units and teams."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from caselink.db.base import Base


class OrganisationUnit(Base):
    """A unit of an agency: a police force or unit, a court, a CPS area, a prison, a probation
    region or delivery unit. Courts and police units come from the CJS standing data (their OU
    code); CPS areas, prisons and probation units are Caselink's own list."""

    __tablename__ = "organisation_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation_units.id"), index=True)
    # Region of England and Wales, for area-level scoping and reports (e.g. "London").
    region: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="caselink")  # standing_data | caselink
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index(
            "ix_organisation_units_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        # The unit list's filter and order (agency, kind, name).
        Index("ix_organisation_units_listing", "agency", "kind", "name"),
    )


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisation_units.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("unit_id", "code", name="uq_teams_unit_code"),)
