"""Working days: Monday to Friday, minus Danish public holidays and the closing days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# The municipality's own closing days (grundlovsdag, juleaftensdag, nytårsaftensdag).
CLOSING_DAYS: tuple[tuple[int, int], ...] = ((6, 5), (12, 24), (12, 31))


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year, categories=("public",)))


def is_public_holiday(day: date) -> bool:
    """True on a Danish public holiday (the law's dates skip these, not the closing days)."""
    return day in _public_holidays(day.year)


def is_working_day(day: date) -> bool:
    """True on a weekday that is neither a Danish public holiday nor a closing day."""
    if day.weekday() >= 5:
        return False
    if (day.month, day.day) in CLOSING_DAYS:
        return False
    return not is_public_holiday(day)


def add_working_days(day: date, count: int) -> date:
    """`count` working days after `day` (before it when negative); `day` itself never counts."""
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_day_on_or_after(day: date) -> date:
    """`day` if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_day_on_or_before(day: date) -> date:
    """`day` if it is a working day, else the one before."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def local_date(moment: datetime | None = None) -> date:
    """The municipality's date at `moment` (now when None): what a case worker calls today."""
    return (moment or datetime.now(COPENHAGEN)).astimezone(COPENHAGEN).date()
