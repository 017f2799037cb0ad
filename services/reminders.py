"""The deadline monitor: reminders and escalations as outbox digests, in one transaction.

One run reads only the candidate steps (`planned`/`open`, due on or before the horizon, in
active cases) as plain rows, decides each with `koereplan.reminders.decide`, raises the
steps' reminder levels, writes one audit entry per step changed and at most one `reminder`
and one `escalation` outbox row per department. The rows' keys hold the date and the ids of
the steps they carry, so a run repeated on the same day writes and changes nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select, text, update
from sqlalchemy.engine import Row
from sqlmodel import Session

from koereplan.danish import danish_date
from koereplan.definition import Definition
from koereplan.household import Person, person_labels
from koereplan.reminders import Action, Window, decide, runs_on, window
from models.columns import utcnow
from models.db import session
from models.status import AuditAction, CaseStatus, MessageType
from models.tables import AuditEntry, Case, Member, Step
from notifications.apprise_sender import Sender
from notifications.messages import EscalationContext, ReminderContext, StepLine, flow_run_url
from services.dispatch import DispatchReport, dispatch
from services.outbox import enqueue, idempotency_key
from services.runtime import get_runtime

WHO = "deadline-monitor"
COORDINATORS = "koordinator"
ASYLUM_CENTRE = "asylcenter"  # told by mail per case, never a responsible department
MONITOR_LOCK = 0x4B52_0001  # PostgreSQL advisory lock: one monitor run at a time

STEPS = Step.__table__  # type: ignore[attr-defined]
CASES = Case.__table__  # type: ignore[attr-defined]
MEMBERS = Member.__table__  # type: ignore[attr-defined]
AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]


@dataclass
class MonitorReport:
    """What one monitor run found and wrote; counts only, so it may be logged and returned."""

    today: date
    horizon: date | None = None
    skipped: bool = False
    candidates: int = 0
    reminded: int = 0  # steps that got a reminder
    escalated: int = 0  # steps that got an escalation
    reminder_messages: int = 0  # outbox rows written
    escalation_messages: int = 0
    departments: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The numbers, for a flow's return value and the CLI."""
        return {
            key: value for key, value in asdict(self).items() if isinstance(value, int | bool)
        } | {"skipped": int(self.skipped)}


@dataclass(frozen=True)
class _Hit:
    """One step that earns a message today."""

    step_id: int
    case_id: int
    responsible: str
    action: Action
    old_level: int
    new_level: int
    line: StepLine
    position: int


def run_monitor(
    db: Session,
    definition: Definition,
    *,
    today: date,
    within_wd: int,
    every_wd: int,
    force: bool = False,
) -> MonitorReport:
    """Decide, record and enqueue today's reminders and escalations; the caller commits."""
    if not force and not runs_on(today):
        return MonitorReport(today=today, skipped=True)
    run = window(today, within_wd, every_wd)
    report = MonitorReport(today=today, horizon=run.horizon)
    _one_run_at_a_time(db)
    rows = _candidates(db, run)
    report.candidates = len(rows)
    labels = _labels(db, run, rows)
    hits = _decide_all(run, rows, labels)
    if not hits:
        return report
    _raise_levels(db, run, hits)
    _audit(db, hits)
    names = {key: dept.name for key, dept in definition.departments.items()}
    reminders = [hit for hit in hits if hit.action is Action.REMINDER]
    escalations = [hit for hit in hits if hit.action is Action.ESCALATION]
    report.reminded, report.escalated = len(reminders), len(escalations)
    for department, digest in _reminder_digests(reminders).items():
        lines = [hit.line for hit in digest]
        context = ReminderContext(names.get(department, department), lines, today)
        if _enqueue(db, MessageType.REMINDER, department, context, digest):
            report.reminder_messages += 1
            report.departments.append(department)
    for department, digest in _escalation_digests(escalations).items():
        lines = [hit.line for hit in digest]
        context = EscalationContext(names.get(department, department), lines, today)
        if _enqueue(db, MessageType.ESCALATION, department, context, digest):
            report.escalation_messages += 1
            report.departments.append(department)
    report.departments = sorted(set(report.departments))
    return report


def monitor(
    engine: Engine,
    definition: Definition,
    *,
    today: date,
    within_wd: int,
    every_wd: int,
    force: bool = False,
) -> MonitorReport:
    """One monitor run in its own transaction: everything is committed, or nothing."""
    with session(engine) as db:
        return run_monitor(
            db, definition, today=today, within_wd=within_wd, every_wd=every_wd, force=force
        )


def remind(
    engine: Engine,
    definition: Definition,
    sender: Sender,
    *,
    today: date,
    within_wd: int,
    every_wd: int,
    force: bool = False,
) -> tuple[MonitorReport, DispatchReport]:
    """Run the monitor, then send what the outbox holds (these digests and anything older)."""
    report = monitor(
        engine, definition, today=today, within_wd=within_wd, every_wd=every_wd, force=force
    )
    return report, dispatch(engine, sender, definition)


def cli_remind(today: date, *, force: bool = False) -> str:
    """`koereplan remind --today DATE`: catch up after downtime; returns a Danish summary."""
    runtime = get_runtime()
    report, sent = remind(
        runtime.engine,
        runtime.definition,
        runtime.sender,
        today=today,
        within_wd=runtime.settings.remind_within_wd,
        every_wd=runtime.settings.escalate_every_wd,
        force=force,
    )
    return summary_da(report, sent)


def summary_da(report: MonitorReport, sent: DispatchReport | None = None) -> str:
    """One paragraph a coordinator understands: what was found, written and sent."""
    day = danish_date(report.today)
    if report.skipped:
        return f"{day} er ikke en arbejdsdag: ingen påmindelser eller rykkere (brug --force)."
    lines = [
        f"Fristovervågning {day} (påmindelse ved frist til og med {danish_date(report.horizon)}):",
        f"- {report.reminded} {_n(report.reminded, 'opgave', 'opgaver')} fik en påmindelse "
        f"({report.reminder_messages} {_n(report.reminder_messages, 'besked', 'beskeder')})",
        f"- {report.escalated} {_n(report.escalated, 'opgave', 'opgaver')} med overskredet frist "
        f"blev rykket ({report.escalation_messages} "
        f"{_n(report.escalation_messages, 'besked', 'beskeder')})",
    ]
    if sent is not None:
        lines.append(
            f"- Sendt: {sent.messages} {_n(sent.messages, 'samlet besked', 'samlede beskeder')}"
        )
        if sent.retried or sent.failed:
            lines.append(
                f"- Ikke sendt: {sent.retried} prøves igen senere, {sent.failed} opgivet "
                "(se `koereplan status`)"
            )
    return "\n".join(lines)


def _n(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _one_run_at_a_time(db: Session) -> None:
    """Take the write lock first, so a concurrent run waits and then finds nothing new."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MONITOR_LOCK})
    else:  # a write statement makes SQLite take its (database-wide) write lock now
        db.execute(update(STEPS).where(text("0 = 1")).values(reminder_level=STEPS.c.reminder_level))


def _candidates(db: Session, run: Window) -> Sequence[Row[Any]]:
    """Watched steps due on or before the horizon, in active cases: plain rows, no ORM."""
    s, c = STEPS.c, CASES.c
    query = (
        select(
            s.id,
            s.case_id,
            s.position,
            s.title,
            s.due,
            s.legal,
            s.responsible,
            s.person_id,
            s.status,
            s.reminder_level,
            s.last_reminded_on,
            c.ref,
            c.flow_run_id,
        )
        .join(CASES, c.id == s.case_id)
        .where(
            s.status.in_(("planned", "open")),
            s.due <= run.horizon,
            c.status == CaseStatus.ACTIVE.value,
        )
    )
    return db.execute(query).all()


def _labels(db: Session, run: Window, rows: Sequence[Row[Any]]) -> dict[tuple[int, str], str]:
    """(case id, person id) -> `barn 2`, from roles and positions only: names are never read."""
    if not any(row.person_id for row in rows):
        return {}
    s, m = STEPS.c, MEMBERS.c
    cases_with_member_steps = (
        select(s.case_id)
        .join(CASES, CASES.c.id == s.case_id)
        .where(
            s.status.in_(("planned", "open")),
            s.due <= run.horizon,
            s.person_id != "",
            CASES.c.status == CaseStatus.ACTIVE.value,
        )
        .distinct()
    )
    members = db.execute(
        select(m.case_id, m.person_id, m.role)
        .where(m.case_id.in_(cases_with_member_steps))
        .order_by(m.case_id, m.position)
    ).all()
    people: dict[int, list[Person]] = defaultdict(list)
    for member in members:
        # Labels depend on role and order only; the age is not read here.
        people[member.case_id].append(Person(member.person_id, member.role, age=0))
    return {
        (case_id, person_id): label
        for case_id, persons in people.items()
        for person_id, label in person_labels(persons).items()
    }


def _decide_all(
    run: Window, rows: Iterable[Row[Any]], labels: dict[tuple[int, str], str]
) -> list[_Hit]:
    """The steps that earn a message, in case and due-date order."""
    hits: list[_Hit] = []
    for row in rows:
        decision = decide(
            run,
            status=row.status,
            due=row.due,
            level=row.reminder_level,
            last_reminded_on=row.last_reminded_on,
        )
        if decision.action is Action.NONE:
            continue
        line = StepLine(
            case_ref=row.ref,
            title=row.title,
            due=row.due,
            legal=bool(row.legal),
            person_label=labels.get((row.case_id, row.person_id)) if row.person_id else None,
            flow_run_url=flow_run_url(row.flow_run_id),
        )
        hits.append(
            _Hit(
                step_id=row.id,
                case_id=row.case_id,
                responsible=row.responsible,
                action=decision.action,
                old_level=row.reminder_level,
                new_level=decision.level,
                line=line,
                position=row.position,
            )
        )
    hits.sort(key=lambda hit: (hit.line.case_ref, hit.line.due, hit.position))
    return hits


def _raise_levels(db: Session, run: Window, hits: Sequence[_Hit]) -> None:
    """New reminder levels in one executemany; the old level guards against a lost race."""
    statement = (
        update(STEPS)
        .where(STEPS.c.id == bindparam("b_id"), STEPS.c.reminder_level == bindparam("b_old"))
        .values(reminder_level=bindparam("b_new"), last_reminded_on=run.today)
    )
    db.execute(
        statement,
        [{"b_id": h.step_id, "b_old": h.old_level, "b_new": h.new_level} for h in hits],
        execution_options={"synchronize_session": False},
    )


def _audit(db: Session, hits: Sequence[_Hit]) -> None:
    """One audit entry per step, like every other change to a step, in one executemany."""
    at = utcnow()
    db.execute(
        insert(AUDIT),
        [
            {
                "case_id": hit.case_id,
                "step_id": hit.step_id,
                "at": at,
                "who": WHO,
                "action": AuditAction.REMINDED
                if hit.action is Action.REMINDER
                else AuditAction.ESCALATED,
                "old": str(hit.old_level),
                "new": str(hit.new_level),
                "detail": f"frist {hit.line.due.isoformat() if hit.line.due else '-'}",
            }
            for hit in hits
        ],
    )


def _reminder_digests(hits: Iterable[_Hit]) -> dict[str, list[_Hit]]:
    """Reminders go to the department responsible for the step."""
    digests: dict[str, list[_Hit]] = defaultdict(list)
    for hit in hits:
        if hit.responsible != ASYLUM_CENTRE:
            digests[hit.responsible].append(hit)
    return dict(digests)


def _escalation_digests(hits: Sequence[_Hit]) -> dict[str, list[_Hit]]:
    """Escalations go to the responsible department; the coordinators see every one."""
    digests: dict[str, list[_Hit]] = defaultdict(list)
    for hit in hits:
        if hit.responsible not in (ASYLUM_CENTRE, COORDINATORS):
            digests[hit.responsible].append(hit)
    if hits:
        digests[COORDINATORS] = list(hits)
    return dict(digests)


def _enqueue(
    db: Session,
    message_type: MessageType,
    department: str,
    context: ReminderContext | EscalationContext,
    digest: Sequence[_Hit],
) -> bool:
    """One digest row; its key names the day and the steps, so a replay adds nothing."""
    ids = ",".join(str(hit.step_id) for hit in sorted(digest, key=lambda hit: hit.step_id))
    fingerprint = hashlib.sha256(ids.encode()).hexdigest()[:16]
    key = idempotency_key(message_type, context.today.isoformat(), department, fingerprint)
    return enqueue(db, department=department, message_type=message_type, context=context, key=key)
