"""Arrival planning: spread households over days so each gets a proper reception."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from koereplan.workdays import add_working_days, is_working_day

ARRIVAL_LEAD_WD = 10
MAX_ARRIVAL_YEARS = 2  # an arrival further out is a typo (year 9999), not a plan
OVERBOOKED_NOTE = "ankomstkalenderen er fuld: ankomsten er lagt over kapacitet; vælg en ny dato"


def latest_arrival(notice_date: date) -> date:
    """The last arrival date a notice or a coordinator may set: two years after the notice."""
    try:
        return notice_date.replace(year=notice_date.year + MAX_ARRIVAL_YEARS)
    except ValueError:  # 29 February
        return notice_date.replace(year=notice_date.year + MAX_ARRIVAL_YEARS, day=28)


def arrival_change_problem(
    arrival: date, *, notice_date: date, today: date, allow_past: bool = False
) -> str | None:
    """Why a coordinator may not move the arrival to `arrival`; None when it is fine."""
    if arrival < notice_date:
        return (
            f"Ankomstdatoen {arrival.isoformat()} ligger før beskedens dato "
            f"{notice_date.isoformat()}."
        )
    if arrival > latest_arrival(notice_date):
        return (
            f"Ankomstdatoen {arrival.isoformat()} ligger mere end {MAX_ARRIVAL_YEARS} år efter "
            f"beskedens dato {notice_date.isoformat()}."
        )
    if arrival < today and not allow_past:
        return (
            f"Ankomstdatoen {arrival.isoformat()} ligger i fortiden (i dag er {today.isoformat()})."
        )
    return None


def earliest_arrival(notice_date: date) -> date:
    """The first day a household can arrive: notice + 10 working days."""
    return add_working_days(notice_date, ARRIVAL_LEAD_WD)


def plan_arrival(notice_date: date, bookings: Mapping[date, int], arrivals_per_day: int) -> date:
    """The first working day on/after notice +10 wd with fewer than `arrivals_per_day` arrivals."""
    day = earliest_arrival(notice_date)
    while not is_working_day(day) or bookings.get(day, 0) >= arrivals_per_day:
        day += timedelta(days=1)
    return day
