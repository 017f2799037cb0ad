"""Arrival changes: dates anchored on arrival follow, departments are told; takeover never moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from koereplan.arrival import arrival_change_problem
from koereplan.definition import Definition
from koereplan.workdays import local_date
from models.bookings import book_day, release_arrival
from models.tables import AuditEntry, Case, Step
from services.casefile import CaseError, load_case, require_active
from services.steps import already_applied, redate
from services.tell import tell_arrival, tell_due_moved


class PastArrival(CaseError):
    """A new arrival date before today: allowed only when the caller says so explicitly."""


def move_arrival(db: Session, case: Case, arrival: date) -> None:
    """The booking follows the arrival; the takeover is the law's (IL § 4), never the arrival's."""
    release_arrival(db, case.arrival_date)
    book_day(db, arrival)
    case.arrival_date = arrival
    case.arrival_planned = False
    db.add(case)


@dataclass
class Rescheduled:
    """What a new arrival date moved."""

    case_ref: str
    old_arrival: date
    new_arrival: date
    moved: list[tuple[Step, date | None]]
    replayed: bool = False


def reschedule(
    db: Session,
    definition: Definition,
    *,
    ref: str,
    arrival: date,
    by: str,
    input_key: str | None = None,
    allow_past: bool = False,
) -> Rescheduled:
    """Set a new arrival date; unfinished arrival-anchored due dates follow, done ones stay.

    A date before today is refused unless `allow_past` (the household came, it was not
    recorded); dates before the notice or more than two years after it never are.
    """
    cf = load_case(db, ref, for_update=True)
    case = cf.case
    old = case.arrival_date
    if input_key and already_applied(db, input_key):
        return Rescheduled(ref, old, old, [], replayed=True)
    require_active(cf)
    today = local_date()
    problem = arrival_change_problem(
        arrival, notice_date=case.notice_date, today=today, allow_past=allow_past
    )
    if problem is not None:
        raise (PastArrival if case.notice_date <= arrival < today else CaseError)(problem)
    if arrival == old:
        raise CaseError(f"Sag {ref} har allerede ankomstdato {arrival.isoformat()}.")
    release_arrival(db, old)
    book_day(db, arrival)
    case.arrival_date = arrival
    case.arrival_planned = False  # the takeover is the law's (IL § 4), never the arrival's
    case.arrival_overbooked = False  # a person chose this date
    db.add(case)
    db.add(
        AuditEntry(
            case_id=case.id or 0,
            who=by,
            action="rescheduled",
            old=old.isoformat(),
            new=arrival.isoformat(),
            detail="ankomstdato",
            input_key=input_key,
        )
    )
    moved = redate(db, cf, definition, anchors=frozenset({"arrival"}), by=by)
    cause = f"arrival:{arrival.isoformat()}"
    tell_due_moved(db, cf, definition, moved, reason="Ny ankomstdato", cause=cause)
    moving = next((s for s in cf.steps if definition.asylum_centre in s.notify), None)
    if moving is not None:
        tell_arrival(db, cf, definition, None)
    return Rescheduled(ref, old, arrival, moved)
