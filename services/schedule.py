"""Arrival changes: every date anchored on arrival or takeover follows, departments are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from koereplan.definition import Definition
from koereplan.planner import step_due
from koereplan.progress import FINISHED
from models.bookings import book_day, release_arrival
from models.tables import AuditEntry, Step
from services.casefile import CaseError, load_case, require_active
from services.notify import tell_arrival, tell_due_moved
from services.steps import already_applied, case_dates, visitation_dates


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
    """Set a new arrival date; unfinished steps' due dates are recomputed, done ones kept."""
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
    case.arrival_planned = False
    if not case.takeover_given:
        case.takeover_date = arrival
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
    dates = case_dates(case)
    visits = visitation_dates(cf.steps)
    moved: list[tuple[Step, date | None]] = []
    for step in cf.steps:
        if step.status in FINISHED or not definition.has_step(step.key):
            continue
        spec = definition.step(step.key)
        if spec.due.anchor not in ("arrival", "takeover"):
            continue
        new_due = step_due(spec, dates, visits.get(step.person_id))
        if new_due != step.due:
            moved.append((step, step.due))
            db.add(
                AuditEntry(
                    case_id=case.id or 0,
                    step_id=step.id,
                    who=by,
                    action="dated",
                    old=step.due.isoformat() if step.due else None,
                    new=new_due.isoformat() if new_due else None,
                )
            )
            step.due = new_due
            step.reminder_level, step.last_reminded_on = 0, None  # remind anew for the new date
            db.add(step)
    cause = f"arrival:{arrival.isoformat()}"
    tell_due_moved(db, cf, definition, moved, reason="Ny ankomstdato", cause=cause)
    moving = next((s for s in cf.steps if "asylcenter" in s.notify), None)
    if moving is not None:
        tell_arrival(db, cf, definition, None)
    return Rescheduled(ref, old, arrival, moved)
