"""Ending a case before its steps are finished, and reopening a closed one.

One service behind a withdrawal notice, `koereplan close` and the Prefect UI form: the case
stops being active, every unfinished step becomes not applicable with the ending's reason,
the departments, the asylum centre and the coordinators are told through the outbox, and
the arrival booking is freed, all in the caller's transaction. The caller then wakes the
reception run, which sees the status and completes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from koereplan.definition import Definition
from koereplan.ending import WITHDRAWN_REASON, close_problems, closing_reason, lapsing, told_of
from koereplan.problems import Problem
from koereplan.status import AuditAction, CaseKind, CaseStatus, StepStatus
from models.bookings import book_day, release_arrival
from models.columns import utcnow
from models.tables import AuditEntry, Case, Step
from services.casefile import CaseError, CaseFile, load_case, require_active
from services.ending_messages import centre_awaits_move, tell_case_ended
from services.steps import advance, already_applied, audit_step
from services.tell import tell_arrival, tell_departments_about
from settings import get_settings

UST = "Udlændingestyrelsen"


@dataclass
class Ended:
    """What ending a case did, for the caller to report and to wake the run."""

    case_ref: str
    status: str
    flow_run_id: str | None
    status_reason: str | None = None
    lapsed: list[Step] = field(default_factory=list)
    joined_by: list[str] = field(default_factory=list)
    replayed: bool = False


@dataclass
class Reopened:
    """What reopening restored."""

    case_ref: str
    restored: list[Step]
    opened: list[Step]
    run_number: int


def end_case(
    db: Session,
    definition: Definition,
    *,
    ref: str,
    status: CaseStatus,
    reason: str,
    by: str,
    note: str | None = None,
    new_municipality: str | None = None,
    input_key: str | None = None,
) -> Ended:
    """Withdraw or close an active case: steps lapse, everyone concerned is told once."""
    if input_key and already_applied(db, input_key):
        return Ended(ref, status, None, replayed=True)
    cf = load_case(db, ref, for_update=True)
    require_active(cf)
    case = cf.case
    lapsed = lapsing(cf.steps)
    told = told_of(lapsed)
    centre_told = centre_awaits_move(db, case)
    for step in lapsed:
        audit_step(
            db, cf, step, by, AuditAction.NOT_APPLICABLE, step.status, StepStatus.NOT_APPLICABLE
        )
        step.ended_from = step.status
        step.status = StepStatus.NOT_APPLICABLE
        step.reason = reason
        step.done_at, step.done_by = utcnow(), by
    case.status = status
    case.status_reason = reason
    case.status_changed_at = utcnow()
    case.status_by = by
    case.status_note = (note or "").strip() or None
    case.new_municipality_code = new_municipality
    db.add(case)
    release_arrival(db, case.arrival_date)
    action = AuditAction.WITHDRAWN if status == CaseStatus.WITHDRAWN else AuditAction.CLOSED
    db.add(
        AuditEntry(
            case_id=case.id or 0,
            who=by,
            action=action,
            old=CaseStatus.ACTIVE,
            new=status,
            detail=reason,
            input_key=input_key,
        )
    )
    joined_by = _joined_by(db, case)
    tell_case_ended(db, cf, definition, told, joined_by=joined_by, centre_told=centre_told)
    db.flush()
    return Ended(ref, status, case.flow_run_id, reason, lapsed, [c.ref for c in joined_by])


def withdraw_case(
    db: Session, definition: Definition, *, ref: str, notice_reason: str | None
) -> Ended:
    """A withdrawal notice from Udlændingestyrelsen; its free-text reason is stored only."""
    return end_case(
        db,
        definition,
        ref=ref,
        status=CaseStatus.WITHDRAWN,
        reason=WITHDRAWN_REASON,
        by=UST,
        note=notice_reason,
    )


def close_case(
    db: Session,
    definition: Definition,
    *,
    ref: str,
    grund: str,
    by: str,
    kommune: str | None = None,
    note: str | None = None,
    input_key: str | None = None,
) -> Ended:
    """A coordinator closes a case with one of the spec's reasons."""
    problems = close_problems(
        grund, kommune=kommune, note=note, own_municipality=get_settings().municipality_code
    )
    if not by.strip():
        problems.append(Problem("af", "mangler: angiv dine initialer"))
    if problems:
        raise CaseError("; ".join(str(p) for p in problems))
    return end_case(
        db,
        definition,
        ref=ref,
        status=CaseStatus.CLOSED,
        reason=closing_reason(grund),
        by=by.strip(),
        note=note,
        new_municipality=(kommune or "").strip().lstrip("0") or None,
        input_key=input_key,
    )


def reopen_case(db: Session, definition: Definition, *, ref: str, by: str) -> Reopened:
    """A closed case is active again: the steps its closing ended open with their old dates."""
    if not by.strip():
        raise CaseError("Angiv hvem der genåbner sagen (initialer).")
    cf = load_case(db, ref, for_update=True)
    case = cf.case
    if case.status != CaseStatus.CLOSED:
        raise CaseError(_not_reopenable(cf))
    restored = [step for step in cf.steps if step.ended_from]
    for step in restored:
        old = step.ended_from or StepStatus.PLANNED
        audit_step(db, cf, step, by, AuditAction.OPENED, step.status, old, "sagen genåbnet")
        step.status, step.ended_from = old, None
        step.reason, step.done_at, step.done_by = None, None, None
    case.status = CaseStatus.ACTIVE
    case.status_reason = case.status_note = case.new_municipality_code = None
    case.status_changed_at, case.status_by = utcnow(), by.strip()
    case.reception_number += 1
    case.flow_run_id = None  # intake starts the case's next reception run
    db.add(case)
    book_day(db, case.arrival_date)
    db.add(
        AuditEntry(
            case_id=case.id or 0,
            who=by.strip(),
            action=AuditAction.REOPENED,
            old=CaseStatus.CLOSED,
            new=CaseStatus.ACTIVE,
        )
    )
    opened = advance(db, cf, definition)
    open_again = [s for s in cf.steps if s.status == StepStatus.OPEN]
    cause = f"reopened:{case.reception_number}"
    tell_departments_about(db, cf, definition, open_again, cause=cause)
    if centre_awaits_move(db, case):
        moving = next((s for s in open_again if definition.asylum_centre in s.notify), None)
        tell_arrival(db, cf, definition, moving, again=cause)
    db.flush()
    return Reopened(ref, restored, opened, case.reception_number)


def _joined_by(db: Session, case: Case) -> list[Case]:
    """Active family reunification cases that join this one: flagged, never ended with it."""
    query = select(Case).where(
        Case.joins_case_id == case.id,
        Case.kind == CaseKind.FAMILIESAMMENFOERING,
        Case.status == CaseStatus.ACTIVE,
    )
    return list(db.exec(query).all())


def _not_reopenable(cf: CaseFile) -> str:
    case = cf.case
    if case.status == CaseStatus.WITHDRAWN:
        return (
            f"Sag {case.ref} er tilbagekaldt af Udlændingestyrelsen og kan ikke genåbnes; "
            "en ny besked fra Udlændingestyrelsen opretter en ny sag."
        )
    return f"Sag {case.ref} er ikke lukket og kan ikke genåbnes."
