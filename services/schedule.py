"""Arrival changes: dates anchored on arrival follow, departments are told; takeover never moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from koereplan.definition import Definition
from models.bookings import book_day, release_arrival
from models.tables import AuditEntry, Step
from services.casefile import CaseError, load_case, require_active
from services.notify import tell_arrival, tell_due_moved
from services.steps import already_applied, redate


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
) -> Rescheduled:
    """Set a new arrival date; unfinished arrival-anchored due dates follow, done ones stay."""
    cf = load_case(db, ref, for_update=True)
    case = cf.case
    old = case.arrival_date
    if input_key and already_applied(db, input_key):
        return Rescheduled(ref, old, old, [], replayed=True)
    require_active(cf)
    if arrival < case.notice_date:
        raise CaseError(
            f"Ankomstdatoen {arrival.isoformat()} ligger før beskedens dato "
            f"{case.notice_date.isoformat()}."
        )
    if arrival == old:
        raise CaseError(f"Sag {ref} har allerede ankomstdato {arrival.isoformat()}.")
    release_arrival(db, old)
    book_day(db, arrival)
    case.arrival_date = arrival
    case.arrival_planned = False  # the takeover is the law's (IL § 4), never the arrival's
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
    moving = next((s for s in cf.steps if "asylcenter" in s.notify), None)
    if moving is not None:
        tell_arrival(db, cf, definition, None)
    return Rescheduled(ref, old, arrival, moved)
