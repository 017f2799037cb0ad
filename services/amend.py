"""Amendments: a stored case planned again from the merged notice, in one transaction.

Steps are compared by (key, person_id): new ones are added and their departments told,
unfinished ones that no longer apply lapse (departments told), moved due dates are handled
as after a rescheduled arrival. Finished steps never change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from koereplan.amendment import (
    Amendment,
    arrival_after,
    changed_fields,
    merge,
    role_changes,
)
from koereplan.danish import CASE_STATUS_DA
from koereplan.definition import Definition
from koereplan.notice import Notice, validate_notice
from koereplan.notice_problems import NoticeRejected
from koereplan.planner import CaseDates, PlannedStep, plan_case, plan_dates
from koereplan.problems import Problem
from koereplan.replanning import LAPSED_REASON, compare_steps, merged_order, step_key
from koereplan.status import AuditAction, CaseStatus, NoticeOutcome, StepStatus
from models.columns import utcnow
from models.tables import AuditEntry, Case, Member, NoticeRecord, OutboxMessage, Step
from notifications.messages import MessageType
from services.casefile import CaseFile, load_case
from services.documents import announce
from services.received import Received, content_hash, record, reject
from services.schedule import move_arrival
from services.steps import (
    advance,
    audit_step,
    complete_if_finished,
    move_dues,
    stored_dates,
    visitation_dates,
)
from services.tell import (
    tell_arrival,
    tell_departments_about,
    tell_due_moved,
    tell_steps_lapsed,
)
from settings import Settings

AMENDED = NoticeOutcome.AMENDED.value
SENDER = "Udlændingestyrelsen"
MOVED_REASON = "Ændring fra Udlændingestyrelsen"
TAKEOVER_FIELDS = frozenset({"decision_date", "legal_basis", "takeover_date"})
_DECIDED = (NoticeOutcome.ACCEPTED.value, AMENDED)


def receive_amendment(
    db: Session,
    definition: Definition,
    settings: Settings,
    amendment: Amendment,
    *,
    file_name: str,
    raw: bytes,
    today: date | None = None,
) -> Received:
    """Apply one amendment once; a resend changes nothing, anything doubtful is quarantined."""
    sha = hashlib.sha256(raw).hexdigest()
    notice_id = amendment.notice_id
    known = _known(db, definition, amendment, file_name, raw, sha)
    if known is not None:
        return known
    case = _target(db, amendment)
    if isinstance(case, Problem):
        return reject(
            db, definition, file_name, raw, sha, [case], notice_id, NoticeOutcome.REJECTED
        )
    stale = _stale(case, amendment)
    if stale is not None:
        return reject(
            db, definition, file_name, raw, sha, [stale], notice_id, NoticeOutcome.REJECTED
        )
    cf = load_case(db, case.ref)
    stored = stored_notice(db, case)
    merged_data = merge(stored, json.loads(raw.decode("utf-8-sig")))
    problems: list[Problem] = []
    try:
        merged = validate_notice(
            merged_data, municipality_code=settings.municipality_code, today=today
        )
    except NoticeRejected as rejected:
        problems.extend(rejected.problems)
    problems.extend(role_changes({m.person_id: m.role for m in cf.members}, merged_data))
    if problems:
        return reject(
            db, definition, file_name, raw, sha, problems, notice_id, NoticeOutcome.REJECTED
        )
    apply_amendment(db, definition, cf, merged, changed_fields(stored, merged_data), amendment)
    db.add(record(file_name, raw, sha, notice_id, AMENDED, case_id=case.id))
    db.flush()
    return Received(file_name, AMENDED, case.ref, notice_id)


def stored_notice(db: Session, case: Case) -> dict[str, Any]:
    """The notice as it stands: the one that opened the case, with each amendment merged in."""
    rows = db.exec(
        select(NoticeRecord)
        .where(NoticeRecord.case_id == case.id, col(NoticeRecord.outcome).in_(_DECIDED))
        .order_by(col(NoticeRecord.id))
    ).all()
    data: dict[str, Any] = {}
    for row in rows:
        decoded = json.loads(row.raw.decode("utf-8-sig"))
        data = decoded if row.outcome == NoticeOutcome.ACCEPTED else merge(data, decoded)
    return data


def apply_amendment(
    db: Session,
    definition: Definition,
    cf: CaseFile,
    merged: Notice,
    changed: list[str],
    amendment: Amendment,
) -> None:
    """Plan the case again from the merged notice and apply the difference to it."""
    case = cf.case
    cause = f"aendring:{amendment.notice_id}"
    db.add(
        AuditEntry(
            case_id=case.id or 0,
            who=SENDER,
            action=AuditAction.AMENDED,
            new=amendment.notice_id,
            detail="ændrede felter: " + (", ".join(changed) or "ingen"),
            input_key=cause,  # unique: a concurrent second apply fails here and is retried
        )
    )
    db.flush()
    had_moving_notice = _moving_notice_sent(db, case.id or 0)
    arrival, arrival_moved = arrival_after(case.arrival_date, changed, merged.expected_arrival)
    if arrival_moved:
        move_arrival(db, case, arrival)
    dates = _dates(case, merged, arrival, changed)
    plan = plan_case(merged, definition, dates=dates, visitations=visitation_dates(cf.steps))
    _update_case(case, merged, dates, changed, amendment)
    db.add(case)
    _update_members(db, cf, merged)
    cf = load_case(db, case.ref)
    changes = compare_steps(cf.steps, plan.steps)
    _lapse(db, cf, definition, changes.lapsed, cause)
    moved = move_dues(db, cf, changes.moved, by=SENDER)
    tell_due_moved(db, cf, definition, moved, reason=MOVED_REASON, cause=cause)
    _add_steps(db, cf, changes.added, [step_key(p) for p in plan.steps])
    cf = load_case(db, case.ref)
    opened = advance(db, cf, definition)
    tell_departments_about(db, cf, definition, opened, cause=cause)
    if "documents" in changed:
        announce(db, case, amendment.notice_id, merged.documents)
    centre_changed = "asylum_centre" in changed
    if had_moving_notice and (arrival_moved or centre_changed):
        tell_arrival(db, cf, definition, None, again=cause)
    complete_if_finished(db, cf, definition)


def _known(
    db: Session, definition: Definition, amendment: Amendment, file_name: str, raw: bytes, sha: str
) -> Received | None:
    """A resend of an applied amendment (duplicate) or its id used before (conflict)."""
    notice_id = amendment.notice_id
    opened = db.exec(select(Case).where(Case.notice_id == notice_id)).first()
    if opened is not None:
        problem = Problem(
            "notice_id",
            f"beskeden {notice_id} er allerede modtaget og oprettede sag {opened.ref}; "
            "en ændring skal have sit eget notice_id",
        )
        return reject(
            db, definition, file_name, raw, sha, [problem], notice_id, NoticeOutcome.CONFLICT
        )
    earlier = db.exec(
        select(NoticeRecord).where(
            NoticeRecord.notice_id == notice_id, NoticeRecord.outcome == AMENDED
        )
    ).first()
    if earlier is None:
        return None
    case = db.get(Case, earlier.case_id)
    ref = case.ref if case else None
    if content_hash(earlier.raw) == content_hash(raw):
        db.add(
            record(file_name, raw, sha, notice_id, NoticeOutcome.DUPLICATE, case_id=earlier.case_id)
        )
        return Received(file_name, NoticeOutcome.DUPLICATE, ref, notice_id)
    problem = Problem(
        "notice_id",
        f"ændringen {notice_id} er allerede anvendt med et andet indhold (sag {ref}); "
        "den første ændring gælder",
    )
    return reject(db, definition, file_name, raw, sha, [problem], notice_id, NoticeOutcome.CONFLICT)


def _target(db: Session, amendment: Amendment) -> Case | Problem:
    """The active case the amendment names, or the problem with its reference_notice_id."""
    reference = amendment.reference_notice_id
    case = db.exec(select(Case).where(Case.notice_id == reference).with_for_update()).first()
    if case is None:
        amended = db.exec(
            select(NoticeRecord.id).where(
                NoticeRecord.notice_id == reference, NoticeRecord.outcome == AMENDED
            )
        ).first()
        message = (
            f"henviser til ændringen {reference}; angiv id'et på den besked, der oprettede sagen"
            if amended is not None
            else f"der findes ingen sag for beskeden {reference}"
        )
        return Problem("reference_notice_id", message)
    if case.status != CaseStatus.ACTIVE:
        word = CASE_STATUS_DA.get(case.status, case.status)
        return Problem(
            "reference_notice_id",
            f"sag {case.ref} (besked {reference}) er {word} og kan ikke ændres",
        )
    return case


def _stale(case: Case, amendment: Amendment) -> Problem | None:
    """An amendment issued before the last one applied would undo newer facts."""
    last = case.amendment_issued_at
    if last is None or amendment.issued_at >= last:
        return None
    return Problem(
        "issued_at",
        f"forældet ændring: udstedt {amendment.issued_at.isoformat()}, før den seneste "
        f"anvendte ændring i sag {case.ref} (udstedt {last.isoformat()})",
    )


def _dates(case: Case, merged: Notice, arrival: date, changed: list[str]) -> CaseDates:
    """The anchors after the amendment: a takeover recorded on the case stays unless the
    amendment changes what it rests on (decision, legal basis, takeover date)."""
    dates = plan_dates(merged, arrival=arrival)
    if TAKEOVER_FIELDS & set(changed):
        return dates
    stored = stored_dates(case)
    return replace(dates, takeover=stored.takeover, takeover_basis=stored.takeover_basis)


def _update_case(
    case: Case, merged: Notice, dates: CaseDates, changed: list[str], amendment: Amendment
) -> None:
    centre = merged.asylum_centre
    if TAKEOVER_FIELDS & set(changed):
        case.decision_date, case.legal_basis = merged.decision, merged.legal_basis
        case.takeover_given = merged.takeover_date is not None
    case.takeover_date, case.takeover_basis = dates.takeover, dates.takeover_basis
    case.asylum_centre_name = centre.name if centre else None
    case.asylum_centre_email = centre.email if centre else None
    case.interpreter_language = merged.interpreter_language
    case.amended_at = utcnow()
    case.amendment_issued_at = amendment.issued_at


def _update_members(db: Session, cf: CaseFile, merged: Notice) -> None:
    """The household as it is now: members matched by person_id, the departed removed."""
    by_id = {m.person_id: m for m in cf.members}
    staying = {m.person_id for m in merged.members}
    for member in cf.members:
        if member.person_id not in staying:
            db.delete(member)
    db.flush()
    for position, m in enumerate(merged.members):
        row = by_id.get(m.person_id) or Member(
            case_id=cf.case.id or 0,
            position=position,
            person_id=m.person_id,
            role=m.role,
            given_name=m.given_name,
            family_name=m.family_name,
            birth_date=m.birth_date,
        )
        row.position, row.role = position, m.role
        row.given_name, row.family_name, row.birth_date = m.given_name, m.family_name, m.birth_date
        row.cpr = m.cpr
        row.formal_education, row.special_needs = m.formal_education, m.special_needs
        row.self_supporting = m.self_supporting
        db.add(row)
    db.flush()


def _lapse(
    db: Session, cf: CaseFile, definition: Definition, lapsed: Sequence[Step], cause: str
) -> None:
    """Unfinished steps that no longer apply; departments told of an open one are told."""
    told = [s for s in lapsed if s.status == StepStatus.OPEN]
    now = utcnow()
    for step in lapsed:
        old = step.status
        step.status, step.reason = StepStatus.NOT_APPLICABLE, LAPSED_REASON
        step.done_at, step.done_by = now, SENDER
        audit_step(
            db, cf, step, SENDER, AuditAction.NOT_APPLICABLE, old, step.status, LAPSED_REASON
        )
    tell_steps_lapsed(db, cf, definition, told, reason=LAPSED_REASON, cause=cause)


def _add_steps(
    db: Session,
    cf: CaseFile,
    added: Sequence[PlannedStep],
    plan_order: list[tuple[str, str]],
) -> None:
    """New steps as planned (advance opens them); every step renumbered in køreplan order."""
    order = merged_order([step_key(s) for s in cf.steps], plan_order)
    position = {key: index for index, key in enumerate(order)}
    for step in cf.steps:
        if step.position != position[step_key(step)]:
            step.position = position[step_key(step)]
            db.add(step)
    for p in added:
        db.add(
            Step(
                case_id=cf.case.id or 0,
                position=position[step_key(p)],
                key=p.key,
                person_id=p.person_id or "",
                phase=p.phase,
                title=p.title,
                kind=p.kind,
                responsible=p.responsible,
                notify=list(p.notify),
                legal=p.legal,
                due=p.due,
                status=StepStatus.PLANNED,
            )
        )
    db.flush()


def _moving_notice_sent(db: Session, case_id: int) -> bool:
    """Whether the asylum centre has been (or is being) sent a moving notice for the case."""
    query = select(OutboxMessage.id).where(
        OutboxMessage.case_id == case_id,
        OutboxMessage.message_type == MessageType.MOVING_NOTICE.value,
    )
    return db.exec(query).first() is not None
