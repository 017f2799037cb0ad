"""When the weekly digest goes out: the first working day of each ISO week (Monday, or the
day after a Monday holiday), once per department and week."""

from __future__ import annotations

from datetime import date, timedelta

from koereplan.workdays import working_day_on_or_after

DAYS_AHEAD = 6  # "this week": today and the six days after it


def digest_day(day: date) -> date:
    """The working day the digest of `day`'s week is sent on."""
    monday = day - timedelta(days=day.weekday())
    return working_day_on_or_after(monday)


def is_digest_day(day: date) -> bool:
    """True on the first working day of the week (a Monday when it is a working day)."""
    return digest_day(day) == day


def week_of(day: date) -> str:
    """`2026-W48`: the ISO week, part of the digest's idempotency key."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_end(day: date) -> date:
    """The last day whose due dates the digest lists as this week's."""
    return day + timedelta(days=DAYS_AHEAD)
