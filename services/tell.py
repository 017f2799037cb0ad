"""Which department is told what: outbox rows built from a case, never with personal data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from koereplan.arrival import OVERBOOKED_NOTE
from koereplan.definition import Definition
from koereplan.file_names import shown_file_name
from koereplan.problems import Problem
from koereplan.status import StepKind, StepStatus
from koereplan.takeover import describe_takeover
from koereplan.workdays import local_date
from models.tables import Step
from notifications.contexts import (
    CaseCompletedContext,
    CaseCreatedContext,
    CaseSummary,
    DocumentProblemContext,
    DueChange,
    DueMovedContext,
    MovingNoticeContext,
    NewStepsContext,
    NoticeRejectedContext,
    StepLine,
    StepsLapsedContext,
)
from notifications.links import flow_run_url
from notifications.messages import MessageType
from notifications.wording import household_summary
from services.casefile import CaseFile
from services.outbox import Outgoing, enqueue, enqueue_all, idempotency_key


def case_summary(cf: CaseFile) -> CaseSummary:
    """The case as departments may see it: reference, dates, age bands."""
    case = cf.case
    return CaseSummary(
        ref=case.ref,
        kind=case.kind,
        arrival=case.arrival_date,
        takeover=case.takeover_date,
        takeover_text=describe_takeover(case.takeover_date, case.takeover_basis),
        household=household_summary([p.age for p in cf.household.people], case.kind),
        interpreter_language=case.interpreter_language,
        flow_run_url=flow_run_url(case.flow_run_id),
        arrival_note=OVERBOOKED_NOTE if case.arrival_overbooked else None,
    )


def step_line(cf: CaseFile, step: Step) -> StepLine:
    """One step as a line in a message; members are labels like `barn 2`."""
    return StepLine(
        case_ref=cf.case.ref,
        title=step.title,
        due=step.due,
        legal=step.legal,
        person_label=cf.label(step.person_id),
        flow_run_url=flow_run_url(cf.case.flow_run_id),
    )


def recipients(definition: Definition, steps: Iterable[Step]) -> dict[str, list[Step]]:
    """Department -> its steps: the responsible department and every department notified.

    The asylum centre is left out: it gets its own moving notice, by mail to the case's centre.
    """
    grouped: dict[str, list[Step]] = defaultdict(list)
    for step in steps:
        for department in dict.fromkeys([step.responsible, *step.notify]):
            if department != definition.asylum_centre:
                grouped[department].append(step)
    return dict(grouped)


def delivered_by(step: Step, department: str) -> bool:
    """A `notice` step is delivered by the messages to the departments it notifies."""
    return step.kind == StepKind.NOTICE and department in step.notify


def tell_case_created(db: Session, cf: CaseFile, definition: Definition) -> None:
    """One message per department involved from the start, listing its open steps."""
    actionable = [s for s in cf.steps if s.status in (StepStatus.OPEN, StepStatus.DONE)]
    summary = case_summary(cf)
    told = recipients(definition, actionable)
    if cf.case.arrival_overbooked:
        told.setdefault(
            definition.coordinators, []
        )  # the calendar was full: a person must pick a date
    enqueue_all(
        db,
        [
            Outgoing(
                department=department,
                message_type=MessageType.CASE_CREATED,
                context=CaseCreatedContext(
                    _name(definition, department),
                    summary,
                    [step_line(cf, s) for s in steps if s.status == StepStatus.OPEN],
                ),
                key=idempotency_key(cf.case.ref, "case_created", department),
                case_id=cf.case.id,
                step_ids=[s.id for s in steps if delivered_by(s, department) and s.id],
            )
            for department, steps in told.items()
        ],
    )
    _moving_notice_if_opened(db, cf, definition, actionable)


def tell_departments_about(
    db: Session, cf: CaseFile, definition: Definition, opened: Sequence[Step], *, cause: str
) -> None:
    """A digest per department of the steps that just opened for it."""
    _digests(db, cf, definition, opened, MessageType.NEW_STEPS, NewStepsContext, cause)
    _moving_notice_if_opened(db, cf, definition, opened)


def tell_arrival(
    db: Session,
    cf: CaseFile,
    definition: Definition,
    step: Step | None,
    *,
    again: str | None = None,
) -> None:
    """The moving notice to the case's asylum centre, with the (new) arrival date.

    `again` names a cause (a reopening) for which the same date is sent once more.
    """
    from notifications.apprise_sender import asylum_centre_ref  # Apprise: only when one is sent

    case = cf.case
    centre = definition.asylum_centre
    if not case.asylum_centre_email or centre is None:
        return
    context = MovingNoticeContext(
        case_ref=case.ref,
        centre_name=case.asylum_centre_name or "asylcentret",
        arrival=case.arrival_date,
        household_size=len(cf.members),
        household=household_summary([p.age for p in cf.household.people], case.kind),
        interpreter_language=case.interpreter_language,
        municipality=definition.municipality_name,
    )
    enqueue(
        db,
        department=centre,
        message_type=MessageType.MOVING_NOTICE,
        context=context,
        key=idempotency_key(
            case.ref, "moving_notice", case.arrival_date.isoformat(), *([again] if again else [])
        ),
        case_id=case.id,
        extra_urls=[asylum_centre_ref(case.asylum_centre_email)],
        step_ids=[step.id] if step is not None and step.id else [],
    )


def tell_due_moved(
    db: Session,
    cf: CaseFile,
    definition: Definition,
    moved: Sequence[tuple[Step, date | None]],
    *,
    reason: str,
    cause: str,
) -> None:
    """A digest per department of its steps whose due dates moved (old and new date)."""
    old_due = {id(step): old for step, old in moved}
    for department, steps in recipients(definition, [step for step, _ in moved]).items():
        changes = [DueChange(step_line(cf, s), old_due[id(s)]) for s in steps]
        enqueue(
            db,
            department=department,
            message_type=MessageType.DUE_MOVED,
            context=DueMovedContext(_name(definition, department), changes, reason),
            key=idempotency_key(cf.case.ref, "due_moved", department, cause),
            case_id=cf.case.id,
        )


def tell_steps_lapsed(
    db: Session,
    cf: CaseFile,
    definition: Definition,
    told: Sequence[Step],
    *,
    reason: str,
    cause: str,
) -> None:
    """One message per department that had been told of steps which no longer apply."""

    def context(department_name: str, lines: list[StepLine]) -> StepsLapsedContext:
        return StepsLapsedContext(department_name, lines, reason)

    _digests(db, cf, definition, told, MessageType.STEPS_LAPSED, context, cause)


def tell_document_problem(
    db: Session,
    definition: Definition,
    case_ref: str | None,
    file_name: str,
    problem: str,
    case_id: int | None,
    cause: str = "",
) -> None:
    """The coordinators learn a case number and a file name, nothing of the document."""
    enqueue(
        db,
        department=definition.coordinators,
        message_type=MessageType.DOCUMENT_PROBLEM,
        context=DocumentProblemContext(
            department_name=definition.coordinators,
            file_name=file_name,
            problem=problem,
            case_ref=case_ref,
        ),
        key=idempotency_key("document", case_ref, file_name, problem, cause),
        case_id=case_id,
    )


def tell_case_completed(db: Session, cf: CaseFile, definition: Definition) -> None:
    """The coordinators learn that every step of a case is finished."""
    done = sum(s.status == StepStatus.DONE for s in cf.steps)
    enqueue(
        db,
        department=definition.coordinators,
        message_type=MessageType.CASE_COMPLETED,
        context=CaseCompletedContext(
            department_name=_name(definition, definition.coordinators),
            case=case_summary(cf),
            completed_on=local_date(),
            steps_done=done,
            steps_not_applicable=len(cf.steps) - done,
        ),
        key=idempotency_key(cf.case.ref, "case_completed"),
        case_id=cf.case.id,
    )


def tell_notice_rejected(
    db: Session,
    definition: Definition,
    *,
    record_id: int,
    file_name: str,
    problems: Sequence[Problem],
    notice_id: str | None,
) -> None:
    """One message to the coordinators per rejected file, with the reasons in plain words."""
    enqueue(
        db,
        department=definition.coordinators,
        message_type=MessageType.NOTICE_REJECTED,
        context=NoticeRejectedContext(
            file_name=shown_file_name(file_name),
            reasons=[str(p) for p in problems],
            notice_ref=notice_id,
        ),
        key=idempotency_key("notice_rejected", record_id),
    )


def _digests(
    db: Session,
    cf: CaseFile,
    definition: Definition,
    steps: Sequence[Step],
    message_type: MessageType,
    context: Callable[[str, list[StepLine]], Any],
    cause: str,
) -> None:
    """One message per department about its steps; `notice` steps are delivered by it."""
    for department, mine in recipients(definition, steps).items():
        enqueue(
            db,
            department=department,
            message_type=message_type,
            context=context(_name(definition, department), [step_line(cf, s) for s in mine]),
            key=idempotency_key(cf.case.ref, message_type.value, department, cause),
            case_id=cf.case.id,
            step_ids=[s.id for s in mine if delivered_by(s, department) and s.id],
        )


def _moving_notice_if_opened(
    db: Session, cf: CaseFile, definition: Definition, steps: Iterable[Step]
) -> None:
    for step in steps:
        if step.status == StepStatus.OPEN and definition.asylum_centre in step.notify:
            tell_arrival(db, cf, definition, step)


def _name(definition: Definition, department: str) -> str:
    dept = definition.departments.get(department)
    return dept.name if dept else department
