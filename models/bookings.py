"""Arrival-day capacity: spread planned arrivals so no day takes more households than allowed."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import cast

from sqlalchemy import Table, select, update
from sqlmodel import Session

from models._upsert import insert_missing
from models.tables import ArrivalBooking

_bookings = cast(Table, ArrivalBooking.__table__)  # type: ignore[attr-defined]

# Give up rather than loop forever when no working day has room (e.g. a broken calendar).
MAX_DAYS_AHEAD = 366 * 2


class NoArrivalDayError(RuntimeError):
    """No working day within MAX_DAYS_AHEAD has capacity left."""


def _take_place(db: Session, day: date, capacity: int) -> bool:
    """Add one household to `day` if it is below capacity; the WHERE makes it race-free."""
    insert_missing(db, _bookings, {"day": day, "households": 0})
    result = db.execute(
        update(_bookings)
        .where(_bookings.c.day == day, _bookings.c.households < capacity)
        .values(households=_bookings.c.households + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def book_arrival(
    db: Session,
    *,
    earliest: date,
    capacity: int,
    is_working_day: Callable[[date], bool],
) -> date:
    """Book the first working day on or after `earliest` with room, in the caller's transaction."""
    if capacity < 1:
        raise ValueError(f"capacity must be at least 1, got {capacity}")
    last = earliest + timedelta(days=MAX_DAYS_AHEAD - 1)
    full = set(
        db.execute(
            select(_bookings.c.day).where(
                _bookings.c.day >= earliest,
                _bookings.c.day <= last,
                _bookings.c.households >= capacity,
            )
        ).scalars()
    )
    # Days known full are skipped without a query; the conditional UPDATE still decides
    # a race for the last place on a day.
    for offset in range(MAX_DAYS_AHEAD):
        day = earliest + timedelta(days=offset)
        if day not in full and is_working_day(day) and _take_place(db, day, capacity):
            return day
    raise NoArrivalDayError(f"no working day with room within {MAX_DAYS_AHEAD} days of {earliest}")


def book_day(db: Session, day: date) -> None:
    """Count a household on a fixed day (a notice with expected_arrival), ignoring capacity."""
    insert_missing(db, _bookings, {"day": day, "households": 0})
    db.execute(
        update(_bookings)
        .where(_bookings.c.day == day)
        .values(households=_bookings.c.households + 1)
    )


def release_arrival(db: Session, day: date) -> bool:
    """Give back one place on `day` (an arrival moved or cancelled); False if none was booked."""
    result = db.execute(
        update(_bookings)
        .where(_bookings.c.day == day, _bookings.c.households > 0)
        .values(households=_bookings.c.households - 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def bookings(db: Session, start: date, end: date) -> dict[date, int]:
    """Households booked per day from `start` to `end` inclusive; days with none are left out."""
    rows = db.execute(
        select(_bookings.c.day, _bookings.c.households)
        .where(_bookings.c.day >= start, _bookings.c.day <= end, _bookings.c.households > 0)
        .order_by(_bookings.c.day)
    )
    return {row.day: row.households for row in rows}
