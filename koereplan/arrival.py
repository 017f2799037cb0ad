"""Arrival planning: spread households over days so each gets a proper reception."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from koereplan.workdays import add_working_days, is_working_day

ARRIVAL_LEAD_WD = 10


def earliest_arrival(notice_date: date) -> date:
    """The first day a household can arrive: notice + 10 working days."""
    return add_working_days(notice_date, ARRIVAL_LEAD_WD)


def plan_arrival(notice_date: date, bookings: Mapping[date, int], arrivals_per_day: int) -> date:
    """The first working day on/after notice +10 wd with fewer than `arrivals_per_day` arrivals."""
    day = earliest_arrival(notice_date)
    while not is_working_day(day) or bookings.get(day, 0) >= arrivals_per_day:
        day += timedelta(days=1)
    return day
