"""Pure rules for work queues: working days in England and Wales, task statuses and priorities.

Statutory deadlines are counted in working days: Monday to Friday, except England and Wales bank
holidays (``data/bank_holidays_england_wales.json``, GOV.UK's list including the one-off days such
as the 2022 State Funeral). A date outside the years the file covers is refused rather than
guessed, so a deadline is never silently wrong.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources


class TaskStatus(enum.StrEnum):
    OPEN = "open"  # waiting for its owner
    IN_PROGRESS = "in_progress"  # its owner has started it
    COMPLETED = "completed"  # done, with an outcome
    CANCELLED = "cancelled"  # no longer needed (e.g. the case was discontinued)


ACTIVE_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)

_NEXT_STATUSES: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED, TaskStatus.CANCELLED}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.OPEN, TaskStatus.COMPLETED, TaskStatus.CANCELLED}),
    TaskStatus.COMPLETED: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}


def can_move(current: TaskStatus, target: TaskStatus) -> bool:
    return target in _NEXT_STATUSES[current]


class Priority(enum.IntEnum):
    """Lower sorts first in every queue."""

    URGENT = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


class SubjectType(enum.StrEnum):
    PERSON = "person"
    CASE = "case"


class OwnerType(enum.StrEnum):
    STAFF = "staff"  # one member of staff (accounts' staff id)
    TEAM = "team"  # a team (organisations' teams.id)
    UNIT = "unit"  # a unit of an agency (organisation_units.id)


def is_overdue(due: date | None, status: TaskStatus, today: date) -> bool:
    return due is not None and status in ACTIVE_STATUSES and due < today


# -- working days --------------------------------------------------------------------------------


class CalendarRangeError(ValueError):
    """A date falls outside the years the bank holiday list covers."""


@dataclass(frozen=True)
class BankHolidayCalendar:
    holidays: dict[date, str]
    first_year: int
    last_year: int

    def _check(self, day: date) -> None:
        if not self.first_year <= day.year <= self.last_year:
            raise CalendarRangeError(
                f"Caselink has England and Wales bank holidays for {self.first_year} to {self.last_year} only, "
                f"so it cannot count working days in {day.year}. Add that year to "
                "caselink/platform/tasks/data/bank_holidays_england_wales.json."
            )

    def is_bank_holiday(self, day: date) -> bool:
        self._check(day)
        return day in self.holidays

    def is_working_day(self, day: date) -> bool:
        self._check(day)
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (before it when negative). ``start`` itself
        is not counted: 5 working days from Friday 1 March 2024 is Friday 8 March. With 0, a start on
        a weekend or holiday moves forward to the next working day."""
        step = 1 if days >= 0 else -1
        remaining = abs(days)
        current = start
        if remaining == 0:
            while not self.is_working_day(current):
                current += timedelta(days=1)
            return current
        while remaining:
            current += timedelta(days=step)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier),
        so that ``add_working_days(start, working_days_between(start, end)) == end`` on working days."""
        if end == start:
            return 0
        if end < start:
            return -self.working_days_between(end, start)
        self._check(start)
        self._check(end)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if current.weekday() < 5 and current not in self.holidays:
                count += 1
        return count


@lru_cache(maxsize=1)
def england_and_wales() -> BankHolidayCalendar:
    raw = resources.files("caselink.platform.tasks").joinpath("data/bank_holidays_england_wales.json").read_text()
    doc = json.loads(raw)
    holidays = {date.fromisoformat(e["date"]): e["title"] for e in doc["events"]}
    return BankHolidayCalendar(holidays=holidays, first_year=int(doc["first_year"]), last_year=int(doc["last_year"]))


def add_working_days(start: date, days: int) -> date:
    return england_and_wales().add_working_days(start, days)


def working_days_between(start: date, end: date) -> int:
    return england_and_wales().working_days_between(start, end)


def is_working_day(day: date) -> bool:
    return england_and_wales().is_working_day(day)


def statutory_deadline(start: date, working_days: int) -> date:
    """A deadline of N working days from an event (e.g. a decision within 5 working days of receipt)."""
    if working_days < 0:
        raise ValueError("A statutory period cannot be negative.")
    return add_working_days(start, working_days)
