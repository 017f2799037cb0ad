"""Intake: a notice's bytes become a case with its planned steps, exactly once.

The same `notice_id` with the same content again changes nothing; with other content it is
a conflict and the first case stands. Everything happens in the caller's transaction.
"""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from koereplan.amendment import Amendment
from koereplan.arrival import earliest_arrival
from koereplan.danish import CASE_STATUS_DA
from koereplan.definition import Definition
from koereplan.inbound import Inbound, parse_inbound
from koereplan.notice import Notice
from koereplan.notice_problems import NoticeRejected
from koereplan.planner import plan_case
from koereplan.problems import Problem
from koereplan.status import CaseStatus, NoticeOutcome, StepStatus
from koereplan.withdrawal import Withdrawal
from koereplan.workdays import is_working_day
from models.bookings import NoArrivalDayError, book_arrival, book_day
from models.columns import utcnow
from models.counters import next_case_ref
from models.db import session
from models.tables import AuditEntry, Case, Member, NoticeRecord, Step
from services.amend import receive_amendment
from services.casefile import load_case
from services.documents import announce
from services.ending import withdraw_case
from services.received import Received, content_hash, record, reject
from services.tell import tell_case_created
from settings import Settings

__all__ = ["Received", "content_hash", "receive_file", "receive_notice"]

ACCEPTED, DUPLICATE = NoticeOutcome.ACCEPTED.value, NoticeOutcome.DUPLICATE.value
CONFLICT, REJECTED = NoticeOutcome.CONFLICT.value, NoticeOutcome.REJECTED.value
WITHDRAWN = NoticeOutcome.WITHDRAWN.value


def receive_file(
    engine: Engine, definition: Definition, settings: Settings, *, file_name: str, raw: bytes
) -> Received:
    """Receive one file in its own transaction; a lost race on the same notice is retried."""
    for attempt in range(3):
        try:
            with session(engine) as db:
                return receive_notice(db, definition, settings, file_name=file_name, raw=raw)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def refuse_file(
    engine: Engine,
    definition: Definition,
    *,
    file_name: str,
    raw: bytes,
    problem: Problem,
    identity: str | None = None,
) -> Received:
    """Record a file intake could not take and tell the coordinators in one transaction.

    `identity` names an entry that was never read (a link, a folder): it is recorded and told
    once, however many intakes find it again because it could not be moved away.
    """
    with session(engine) as db:
        if identity is not None:
            told = db.exec(
                select(NoticeRecord.id).where(
                    NoticeRecord.sha256 == identity, NoticeRecord.outcome == REJECTED
                )
            ).first()
            if told is not None:
                return Received(file_name, REJECTED, problems=(problem,))
        sha = identity or hashlib.sha256(raw).hexdigest()
        return reject(db, definition, file_name, raw, sha, (problem,), None, REJECTED)


def receive_notice(
    db: Session,
    definition: Definition,
    settings: Settings,
    *,
    file_name: str,
    raw: bytes,
    today: date | None = None,
) -> Received:
    """Validate, then create the case or recognise it again; rejected files are recorded."""
    sha = hashlib.sha256(raw).hexdigest()
    try:
        notice = parse_inbound(raw, municipality_code=settings.municipality_code, today=today)
    except NoticeRejected as rejected:
        return reject(db, definition, file_name, raw, sha, rejected.problems, None, REJECTED)
    if isinstance(notice, Amendment):
        return receive_amendment(
            db, definition, settings, notice, file_name=file_name, raw=raw, today=today
        )
    content = content_hash(raw)
    known = _known(db, definition, notice, file_name, raw, sha, content)
    if known is not None:
        return known
    if isinstance(notice, Withdrawal):
        return _receive_withdrawal(db, definition, notice, file_name, raw, sha, content)
    joins: Case | None = None
    if notice.reference_notice_id:
        joins = db.exec(select(Case).where(Case.notice_id == notice.reference_notice_id)).first()
        if joins is None:
            problem = Problem(
                "reference_notice_id",
                f"der findes ingen sag for beskeden {notice.reference_notice_id}",
            )
            return reject(
                db, definition, file_name, raw, sha, (problem,), notice.notice_id, REJECTED
            )
    # A concurrent intake of the same notice makes this flush fail on the unique notice_id:
    # the caller rolls back and receives the file again, which then finds the case.
    case = _create_case(db, definition, settings, notice, content, joins)
    announce(db, case, notice.notice_id, notice.documents)
    db.add(record(file_name, raw, sha, notice.notice_id, ACCEPTED, case_id=case.id))
    db.flush()
    return Received(file_name, ACCEPTED, case.ref, notice.notice_id)


def _receive_withdrawal(
    db: Session,
    definition: Definition,
    notice: Withdrawal,
    file_name: str,
    raw: bytes,
    sha: str,
    content: str,
) -> Received:
    """Withdraw the active case the notice names; any other case: quarantined, nothing changed."""
    earlier = _known_change(db, definition, notice, file_name, raw, sha, content)
    if earlier is not None:
        return earlier
    case = db.exec(select(Case).where(Case.notice_id == notice.reference_notice_id)).first()
    problem = None
    if case is None:
        problem = f"der findes ingen sag for beskeden {notice.reference_notice_id}"
    elif case.status != CaseStatus.ACTIVE:
        word = CASE_STATUS_DA.get(case.status, case.status)
        problem = f"sag {case.ref} er {word} og kan ikke tilbagekaldes"
    if case is None or problem is not None:
        problems = (Problem("reference_notice_id", problem or ""),)
        return reject(db, definition, file_name, raw, sha, problems, notice.notice_id, REJECTED)
    ended = withdraw_case(db, definition, ref=case.ref, notice_reason=notice.reason)
    db.add(record(file_name, raw, sha, notice.notice_id, WITHDRAWN, case_id=case.id))
    db.flush()
    return Received(file_name, WITHDRAWN, case.ref, notice.notice_id, wake_run=ended.flow_run_id)


def _known_change(
    db: Session,
    definition: Definition,
    notice: Inbound,
    file_name: str,
    raw: bytes,
    sha: str,
    content: str,
) -> Received | None:
    """A change notice seen before: the same content is a duplicate, other content a conflict."""
    earlier = db.exec(
        select(NoticeRecord).where(
            NoticeRecord.notice_id == notice.notice_id,
            col(NoticeRecord.outcome).in_((ACCEPTED, WITHDRAWN)),
        )
    ).first()
    if earlier is None:
        return None
    case = db.get(Case, earlier.case_id) if earlier.case_id else None
    same = content_hash(earlier.raw) == content
    seen = (earlier.case_id, case.ref if case else None)
    return _seen_before(db, definition, notice.notice_id, file_name, raw, sha, same, *seen)


def _known(
    db: Session,
    definition: Definition,
    notice: Inbound,
    file_name: str,
    raw: bytes,
    sha: str,
    content: str,
) -> Received | None:
    """A resend (duplicate) or another notice under a known id (conflict), else None."""
    case = db.exec(select(Case).where(Case.notice_id == notice.notice_id)).first()
    if case is None:
        return None
    same = case.notice_sha256 == content
    seen = (case.id, case.ref)
    return _seen_before(db, definition, notice.notice_id, file_name, raw, sha, same, *seen)


def _seen_before(
    db: Session,
    definition: Definition,
    notice_id: str,
    file_name: str,
    raw: bytes,
    sha: str,
    same: bool,
    case_id: int | None,
    ref: str | None,
) -> Received:
    """A notice id received before: the same content is a duplicate, other content a conflict.

    The first notice stands either way; a conflict is refused and told to the coordinators.
    """
    if same:
        db.add(record(file_name, raw, sha, notice_id, DUPLICATE, case_id=case_id))
        return Received(file_name, DUPLICATE, ref, notice_id)
    problem = Problem(
        "notice_id",
        f"beskeden {notice_id} er allerede modtaget med et andet indhold "
        f"(sag {ref}); den første besked gælder",
    )
    return reject(db, definition, file_name, raw, sha, (problem,), notice_id, CONFLICT)


def _create_case(
    db: Session,
    definition: Definition,
    settings: Settings,
    notice: Notice,
    content: str,
    joins: Case | None,
) -> Case:
    """The case, its members and planned steps, and the first messages to departments."""
    overbooked = False
    if notice.expected_arrival is not None:
        arrival = notice.expected_arrival
        book_day(db, arrival)
    else:
        earliest = earliest_arrival(notice.notice_date)
        try:
            arrival = book_arrival(
                db,
                earliest=earliest,
                capacity=settings.arrivals_per_day,
                is_working_day=is_working_day,
            )
        except NoArrivalDayError:  # the case is still made; its arrival is flagged for a person
            arrival, overbooked = earliest, True
            book_day(db, arrival)
    plan = plan_case(notice, definition, arrival=arrival)
    centre = notice.asylum_centre
    case = Case(
        ref=next_case_ref(db, plan.dates.notice.year),
        notice_id=notice.notice_id,
        notice_sha256=content,
        kind=notice.kind,
        notice_date=plan.dates.notice,
        arrival_date=plan.dates.arrival,
        arrival_planned=notice.expected_arrival is None,
        decision_date=notice.decision,
        legal_basis=notice.legal_basis,
        arrival_overbooked=overbooked,
        takeover_date=plan.dates.takeover,
        takeover_given=notice.takeover_date is not None,
        takeover_basis=plan.dates.takeover_basis,
        asylum_centre_name=centre.name if centre else None,
        asylum_centre_email=centre.email if centre else None,
        interpreter_language=notice.interpreter_language,
        joins_case_id=joins.id if joins else None,
    )
    db.add(case)
    db.flush()
    assert case.id is not None
    # Plain dicts and one multi-row INSERT each: a family has some 70 steps, and building
    # validated model objects row by row was the largest part of receiving a notice.
    db.execute(
        insert(Member),
        [
            {
                "case_id": case.id,
                "position": position,
                "person_id": m.person_id,
                "role": m.role,
                "given_name": m.given_name,
                "family_name": m.family_name,
                "birth_date": m.birth_date,
                "cpr": m.cpr,
                "formal_education": m.formal_education,
                "special_needs": m.special_needs,
                "self_supporting": m.self_supporting,
            }
            for position, m in enumerate(notice.members)
        ],
    )
    now = utcnow()
    db.execute(
        insert(Step),
        [
            {
                "case_id": case.id,
                "position": position,
                "key": s.key,
                "person_id": s.person_id or "",
                "phase": s.phase,
                "title": s.title,
                "kind": s.kind,
                "responsible": s.responsible,
                "notify": list(s.notify),
                "legal": s.legal,
                "due": s.due,
                "status": s.status,
                "done_by": "køreplan" if s.status == StepStatus.DONE else None,
                "done_at": now if s.status == StepStatus.DONE else None,
                "opened_at": now if s.status == StepStatus.OPEN else None,
                "reminder_level": 0,
            }
            for position, s in enumerate(plan.steps)
        ],
    )
    db.add(AuditEntry(case_id=case.id, who="køreplan", action="created", new=case.ref))
    db.flush()
    cf = load_case(db, case.ref)
    tell_case_created(db, cf, definition)
    return case
