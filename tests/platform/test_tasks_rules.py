"""Working days in England and Wales, against GOV.UK's published bank holidays."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caselink.platform.tasks.rules import (
    CalendarRangeError,
    TaskStatus,
    add_working_days,
    can_move,
    england_and_wales,
    is_overdue,
    is_working_day,
    statutory_deadline,
    working_days_between,
)


@pytest.mark.parametrize(
    "holiday",
    [
        date(2020, 5, 8),  # VE Day: the early May bank holiday moved from Monday 4 May
        date(2022, 6, 2),  # spring bank holiday moved for the Platinum Jubilee
        date(2022, 6, 3),  # Platinum Jubilee
        date(2022, 9, 19),  # State Funeral of Queen Elizabeth II
        date(2023, 5, 8),  # Coronation of King Charles III
        date(2023, 5, 1),  # the usual early May holiday that year as well
        date(2019, 4, 19),  # Good Friday
        date(2019, 4, 22),  # Easter Monday
        date(2024, 3, 29),
        date(2024, 4, 1),
        date(2021, 12, 27),  # Christmas on a Saturday: substitute Monday...
        date(2021, 12, 28),  # ...and Boxing Day's substitute Tuesday
        date(2022, 12, 27),  # Christmas on a Sunday: substitute Tuesday
        date(2022, 1, 3),  # New Year's Day on a Saturday
        date(2026, 8, 31),
        date(2030, 12, 26),
    ],
)
def test_known_bank_holidays_are_not_working_days(holiday: date) -> None:
    assert england_and_wales().is_bank_holiday(holiday)
    assert not is_working_day(holiday)


@pytest.mark.parametrize("ordinary", [date(2020, 5, 4), date(2022, 5, 30), date(2023, 5, 29) + timedelta(days=1)])
def test_days_a_holiday_moved_away_from_are_working_days(ordinary: date) -> None:
    assert is_working_day(ordinary)


def test_every_year_2018_to_2030_is_covered_with_its_special_days() -> None:
    per_year = Counter(d.year for d in england_and_wales().holidays)
    assert set(per_year) == set(range(2018, 2031))
    assert per_year[2022] == 10 and per_year[2023] == 9
    assert all(per_year[y] == 8 for y in per_year if y not in (2022, 2023))


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2024, 3, 1), 5, date(2024, 3, 8)),  # Friday + 5 = next Friday
        (date(2024, 3, 28), 1, date(2024, 4, 2)),  # over Good Friday and Easter Monday
        (date(2021, 12, 24), 1, date(2021, 12, 29)),  # over Christmas substitutes
        (date(2023, 5, 5), 1, date(2023, 5, 9)),  # over the Coronation
        (date(2022, 6, 1), 1, date(2022, 6, 6)),  # over the Jubilee
        (date(2024, 3, 9), 0, date(2024, 3, 11)),  # Saturday with 0 days: next working day
        (date(2024, 4, 2), -1, date(2024, 3, 28)),  # backwards over Easter
    ],
)
def test_add_working_days(start: date, days: int, expected: date) -> None:
    assert add_working_days(start, days) == expected


def test_working_days_between_counts_after_start_up_to_end() -> None:
    assert working_days_between(date(2024, 3, 28), date(2024, 4, 2)) == 1
    assert working_days_between(date(2024, 4, 2), date(2024, 3, 28)) == -1
    assert working_days_between(date(2022, 12, 23), date(2023, 1, 3)) == 4  # 28, 29, 30 Dec and 3 Jan (2 Jan a holiday)


@given(st.dates(min_value=date(2018, 1, 1), max_value=date(2029, 6, 30)), st.integers(min_value=0, max_value=120))
def test_between_undoes_add(start: date, days: int) -> None:
    end = add_working_days(start, days)
    assert is_working_day(end)
    if is_working_day(start) or days > 0:
        assert working_days_between(start, end) == days


def test_dates_outside_the_list_are_refused_not_guessed() -> None:
    with pytest.raises(CalendarRangeError, match="2018 to 2030"):
        add_working_days(date(2030, 12, 20), 30)
    with pytest.raises(ValueError, match="negative"):
        statutory_deadline(date(2024, 1, 1), -1)


def test_statuses_and_overdue() -> None:
    assert can_move(TaskStatus.OPEN, TaskStatus.COMPLETED)
    assert not can_move(TaskStatus.COMPLETED, TaskStatus.OPEN)
    assert is_overdue(date(2024, 1, 1), TaskStatus.OPEN, date(2024, 1, 2))
    assert not is_overdue(date(2024, 1, 1), TaskStatus.COMPLETED, date(2024, 1, 2))
    assert not is_overdue(None, TaskStatus.OPEN, date(2024, 1, 2))
