"""Moving steps forward: coordinators mark them, dependants open, departments are told."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from koereplan.definition import Definition
from koereplan.notes import refusal
from koereplan.planner import CaseDates, step_due
from koereplan.progress import FINISHED, StepRef, dependencies_met, opening_status
from koereplan.status import (
    AuditAction,
    CaseStatus,
    OutboxStatus,
    StepKind,
    StepStatus,
    TakeoverBasis,
)
from koereplan.takeover import REGISTRATION_STEP, registration_problem
from koereplan.workdays import local_date
from models.columns import utcnow
from models.tables import AuditEntry, Case, OutboxMessage, Step
from services.casefile import CaseError, CaseFile, load_case, require_active
from services.tell import tell_case_completed, tell_departments_about

SYSTEM = "køreplan"
ACTIONS = (StepStatus.DONE.value, StepStatus.NOT_APPLICABLE.value)


@dataclass
class Change:
    """What one service call changed, for the caller to report."""

    case_ref: str
    marked: Step | None = None
    opened: list[Step] = field(default_factory=list)
    completed: bool = False
    replayed: bool = False
    was: str | None = None  # the step's status before: planned/waiting means it was marked early


def stored_dates(case: Case) -> CaseDates:
    """The stored anchors of a case."""
    return CaseDates(
        notice=case.notice_date,
        arrival=case.arrival_date,
        takeover=case.takeover_date,
        arrival_planned=case.arrival_planned,
        decision=case.decision_date or case.notice_date,
        takeover_basis=TakeoverBasis(case.takeover_basis or TakeoverBasis.STATUTORY),
    )


def visitation_dates(steps: list[Step]) -> dict[str, date]:
    """Per member: the day their `visitation` step was marked done."""
    return {
        s.person_id: local_date(s.done_at)
        for s in steps
        if s.key == "visitation" and s.status == StepStatus.DONE and s.done_at
    }


def advance(db: Session, cf: CaseFile, definition: Definition, *, who: str = SYSTEM) -> list[Step]:
    """Open what may open, date what now has an anchor, finish automatic steps; repeat."""
    dates = stored_dates(cf.case)
    opened: list[Step] = []
    changed = True
    while changed:
        changed = False
        refs = [StepRef(s.key, s.person_id or None, s.status) for s in cf.steps]
        visits = visitation_dates(cf.steps)
        no_visit = {
            s.person_id
            for s in cf.steps
            if s.key == "visitation" and s.status == StepStatus.NOT_APPLICABLE
        }
        for step in cf.steps:
            if step.status in FINISHED or not definition.has_step(step.key):
                continue
            spec = definition.step(step.key)
            if spec.due.anchor == "visitation" and step.person_id in no_visit:
                # No visitation, so no follow-ups counted from it: they cannot apply either.
                audit_step(
                    db,
                    cf,
                    step,
                    who,
                    AuditAction.NOT_APPLICABLE,
                    step.status,
                    StepStatus.NOT_APPLICABLE,
                )
                step.status, step.reason = (
                    StepStatus.NOT_APPLICABLE,
                    "Visitationen er ikke relevant",
                )
                step.done_at, step.done_by = utcnow(), who
                changed = True
                continue
            visitation = visits.get(step.person_id)
            anchor_known = dates.knows(spec.due.anchor, visitation)
            if step.due is None and anchor_known:
                step.due = step_due(spec, dates, visitation)
                audit_step(
                    db, cf, step, who, "dated", None, step.due.isoformat() if step.due else None
                )
            status = opening_status(
                kind=spec.kind,
                anchor_known=anchor_known,
                deps_met=dependencies_met(step.person_id or None, spec.after, refs),
                current=step.status,
            )
            if status == step.status:
                continue
            audit_step(
                db,
                cf,
                step,
                who,
                AuditAction.OPENED if status == StepStatus.OPEN else status,
                step.status,
                status,
            )
            step.status = status
            if status == StepStatus.OPEN:
                step.opened_at = utcnow()
                opened.append(step)
            elif status == StepStatus.DONE:
                step.done_at, step.done_by = utcnow(), who
            changed = True
    return opened


def already_applied(db: Session, input_key: str) -> bool:
    """True when a coordinator input with this key was applied before (a replay)."""
    query = select(AuditEntry.id).where(AuditEntry.input_key == input_key)
    return db.exec(query).first() is not None


def mark_step(
    db: Session,
    definition: Definition,
    *,
    ref: str,
    key: str,
    person_id: str | None,
    action: str,
    by: str,
    note: str | None = None,
    reason: str | None = None,
    input_key: str | None = None,
    registered: date | None = None,
) -> Change:
    """Mark one step done or not applicable, then open its dependants and tell departments.

    The one function behind the Prefect UI's form and `koereplan done/skip`. A replayed
    input (same `input_key`) changes nothing; anything not allowed raises CaseError.
    `registered` is the CPR registration date that `cpr_tilflyttet` needs: it becomes the
    takeover, and the steps that waited for it get their due dates and open.
    """
    if input_key and already_applied(db, input_key):
        return Change(case_ref=ref, replayed=True)
    if action not in ACTIONS:
        raise CaseError(f"Ukendt handling {action!r}: brug 'done' eller 'not_applicable'.")
    if action == StepStatus.NOT_APPLICABLE and not (reason or "").strip():
        raise CaseError("Angiv en begrundelse, når et trin ikke er relevant.")
    if not by.strip():
        raise CaseError("Angiv hvem der markerer trinnet (initialer).")
    refused = refusal({"noten": note, "begrundelsen": reason})
    if refused:
        raise CaseError(refused)
    cf = load_case(db, ref, for_update=True)
    require_active(cf)
    step = find_step(cf, key, person_id)
    if step.status in FINISHED:
        word = "udført" if step.status == StepStatus.DONE else "markeret ikke relevant"
        when = local_date(step.done_at).isoformat() if step.done_at else "tidligere"
        raise CaseError(
            f"Trinnet {key}{_for(cf, step)} i sag {ref} er allerede {word}"
            f" ({when}, {step.done_by})."
        )
    if step.key == REGISTRATION_STEP or registered is not None:
        _record_registration(db, cf, step, action, registered, by.strip())
    old = step.status
    step.status = action
    step.done_at, step.done_by = utcnow(), by.strip()
    step.note = (note or "").strip() or None
    step.reason = (reason or "").strip() or None
    audit_step(db, cf, step, by.strip(), action, old, action, step.reason or step.note, input_key)
    change = Change(case_ref=ref, marked=step, was=old)
    change.opened = advance(db, cf, definition)
    tell_departments_about(db, cf, definition, change.opened, cause=f"{action}:{step.id}")
    change.completed = complete_if_finished(db, cf, definition)
    return change


def _record_registration(
    db: Session, cf: CaseFile, step: Step, action: str, registered: date | None, by: str
) -> None:
    """The CPR registration date starts the integration responsibility (IL § 4 stk. 3)."""
    if step.key != REGISTRATION_STEP:
        raise CaseError(
            f"Registreringsdato i CPR hører kun til trinnet {REGISTRATION_STEP}, "
            f"ikke {step.key}. Intet er ændret."
        )
    if action != StepStatus.DONE:
        raise CaseError(
            f"Trinnet {REGISTRATION_STEP} kan ikke markeres ikke relevant: integrationsansvaret "
            "starter ved registreringen i CPR. Markér det udført med registreringsdatoen."
        )
    if registered is None:
        raise CaseError(
            "Registreringsdato i CPR mangler: angiv den dato, husstanden blev registreret "
            "som tilflyttet kommunen (--dato ÅÅÅÅ-MM-DD eller feltet 'Registreringsdato i CPR')."
        )
    case = cf.case
    problem = registration_problem(registered, case.decision_date or case.notice_date, local_date())
    if problem:
        raise CaseError(
            f"Registreringsdato i CPR {registered.isoformat()} {problem}. Intet er ændret."
        )
    case.takeover_date, case.takeover_basis = registered, TakeoverBasis.CPR_REGISTRATION
    db.add(case)
    db.add(
        AuditEntry(
            case_id=case.id or 0,
            step_id=step.id,
            who=by,
            action="takeover",
            new=registered.isoformat(),
            detail="fra CPR-registrering",
        )
    )


def redate(
    db: Session,
    cf: CaseFile,
    definition: Definition,
    *,
    anchors: frozenset[str],
    by: str,
) -> list[tuple[Step, date | None]]:
    """Give unfinished steps anchored at `anchors` their due dates from the case's dates now.

    Done steps never change. A step whose anchor became unknown waits with no due date.
    Returns each moved step with its old due date, for the departments' digest.
    """
    dates = stored_dates(cf.case)
    visits = visitation_dates(cf.steps)
    new_dues: list[tuple[Step, date | None]] = []
    for step in cf.steps:
        if step.status in FINISHED or not definition.has_step(step.key):
            continue
        spec = definition.step(step.key)
        if spec.due.anchor in anchors:
            new_dues.append((step, step_due(spec, dates, visits.get(step.person_id))))
    return move_dues(db, cf, new_dues, by=by)


def move_dues(
    db: Session, cf: CaseFile, new_dues: Sequence[tuple[Step, date | None]], *, by: str
) -> list[tuple[Step, date | None]]:
    """Give steps their new due dates, audited and reminded anew; (step, old due) when moved.

    A step whose anchor became unknown waits with no due date.
    """
    moved: list[tuple[Step, date | None]] = []
    for step, new_due in new_dues:
        if new_due == step.due:
            continue
        moved.append((step, step.due))
        old, new = step.due, new_due
        audit_step(
            db,
            cf,
            step,
            by,
            "dated",
            old.isoformat() if old else None,
            new.isoformat() if new else None,
        )
        step.due = new_due
        step.reminder_level, step.last_reminded_on = 0, None  # remind anew for the new date
        if new_due is None and step.status != StepStatus.WAITING:
            audit_step(db, cf, step, by, AuditAction.WAITING, step.status, StepStatus.WAITING)
            step.status = StepStatus.WAITING
    return moved


def complete_if_finished(db: Session, cf: CaseFile, definition: Definition) -> bool:
    """Close the case when every step is done or not applicable; tell the coordinators once."""
    if cf.case.status != CaseStatus.ACTIVE or any(s.status not in FINISHED for s in cf.steps):
        return False
    cf.case.status = CaseStatus.COMPLETED
    cf.case.completed_at = utcnow()
    db.add(cf.case)
    db.add(
        AuditEntry(
            case_id=cf.case.id or 0,
            who=SYSTEM,
            action=AuditAction.COMPLETED,
            new=CaseStatus.COMPLETED,
        )
    )
    tell_case_completed(db, cf, definition)
    return True


def find_step(cf: CaseFile, key: str, person_id: str | None) -> Step:
    """The one step a coordinator means, or CaseError saying what they could mean."""
    matches = [s for s in cf.steps if s.key == key]
    ref = cf.case.ref
    if not matches:
        keys = sorted({s.key for s in cf.steps if s.status not in FINISHED})
        raise CaseError(f"Sag {ref} har intet trin {key!r}. Åbne trin: {', '.join(keys)}.")
    if person_id:
        chosen = [s for s in matches if s.person_id == person_id]
        if not chosen:
            if matches[0].person_id == "":
                raise CaseError(f"Trinnet {key} gælder hele husstanden; udelad --person.")
            persons = ", ".join(s.person_id for s in matches)
            raise CaseError(f"Trinnet {key} gælder ikke person {person_id} (men: {persons}).")
        return chosen[0]
    if len(matches) > 1:
        persons = ", ".join(f"{s.person_id} ({cf.label(s.person_id)})" for s in matches)
        raise CaseError(f"Trinnet {key} findes for flere personer; angiv --person: {persons}.")
    return matches[0]


def _for(cf: CaseFile, step: Step) -> str:
    label = cf.label(step.person_id)
    return f" ({label})" if label else ""


def audit_step(
    db: Session,
    cf: CaseFile,
    step: Step,
    who: str,
    action: str,
    old: str | None,
    new: str | None,
    detail: str | None = None,
    input_key: str | None = None,
) -> None:
    """Save a step's change with its audit line."""
    db.add(step)
    db.add(
        AuditEntry(
            case_id=cf.case.id or 0,
            step_id=step.id,
            who=who,
            action=action,
            old=old,
            new=new,
            detail=detail,
            input_key=input_key,
        )
    )


def deliver_notice_steps(db: Session, definition: Definition, step_ids: list[int]) -> None:
    """`notice` steps are done once every message carrying them is sent; dependants open."""
    steps = db.exec(select(Step).where(col(Step.id).in_(step_ids))).all()
    for case_id in sorted({s.case_id for s in steps}):
        unsent = db.exec(
            select(OutboxMessage.step_ids).where(
                OutboxMessage.case_id == case_id, OutboxMessage.status != OutboxStatus.SENT
            )
        ).all()
        waiting = {step_id for ids in unsent for step_id in ids}
        case = db.get(Case, case_id)
        assert case is not None
        cf = load_case(db, case.ref)
        delivered = [
            s
            for s in cf.steps
            if s.id in step_ids
            and s.id not in waiting
            and s.kind == StepKind.NOTICE
            and s.status == StepStatus.OPEN
        ]
        if not delivered:
            continue
        for step in delivered:
            step.status, step.done_at, step.done_by = StepStatus.DONE, utcnow(), SYSTEM
            step.note = "leveret"
            audit_step(
                db,
                cf,
                step,
                SYSTEM,
                AuditAction.DONE,
                StepStatus.OPEN,
                StepStatus.DONE,
                "besked leveret",
            )
        opened = advance(db, cf, definition)
        tell_departments_about(db, cf, definition, opened, cause=f"delivered:{delivered[0].id}")
        complete_if_finished(db, cf, definition)
