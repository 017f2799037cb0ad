"""Gap-free, per-year case references ("KR-2026-0001") that stay unique under concurrency."""

from typing import cast

from sqlalchemy import Table, update
from sqlmodel import Session

from models._upsert import insert_missing
from models.tables import CaseCounter

_counters = cast(Table, CaseCounter.__table__)  # type: ignore[attr-defined]


def format_case_ref(year: int, number: int) -> str:
    """Spell a case reference the way coordinators read it."""
    return f"KR-{year}-{number:04d}"


def next_case_ref(db: Session, year: int) -> str:
    """Take the next case number for `year` in the caller's transaction (row-locked until commit).

    The increment is one UPDATE ... RETURNING, so two transactions can never read the same
    value: PostgreSQL serialises them on the row lock, SQLite on its single writer lock.
    A rolled-back transaction gives its number back.
    """
    insert_missing(db, _counters, {"year": year, "last": 0})
    statement = (
        update(_counters)
        .where(_counters.c.year == year)
        .values(last=_counters.c.last + 1)
        .returning(_counters.c.last)
    )
    number = db.execute(statement).scalar_one()
    return format_case_ref(year, number)
