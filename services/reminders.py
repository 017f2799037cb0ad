"""The deadline monitor: reminders and escalations as outbox digests, in one transaction.

One run reads only the candidate steps (`planned`/`open`, due on or before the horizon) as
plain rows through the (status, due) index, decides each with `koereplan.reminders.decide`,
keeps those of active cases, raises their reminder levels with a few set-based UPDATEs,
writes one audit entry per step changed (INSERT ... SELECT, so it costs little and the log
stays per step like every other change) and at most one `reminder` and one `escalation`
outbox row per department; the coordinators' escalation digest lists every escalated step.
The rows' keys hold the date and the ids of the steps they carry, so a run repeated on the
same day writes and changes nothing, while a later run that finds new steps still writes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Engine,
    Integer,
    String,
    any_,
    bindparam,
    cast,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.engine import Row
from sqlmodel import Session

from koereplan.danish import danish_date
from koereplan.definition import Definition
from koereplan.household import Person, person_labels
from koereplan.reminders import WATCHED, Action, Decision, Window, decide, runs_on, window
from models.columns import UTCDateTime, utcnow
from models.db import session
from models.status import AuditAction, CaseStatus
from models.tables import AuditEntry, Case, Member, Step
from notifications.apprise_sender import Sender
from notifications.messages import (
    EscalationContext,
    MessageType,
    ReminderContext,
    StepLine,
    flow_run_url,
)
from services.dispatch import DispatchReport, dispatch
from services.outbox import enqueue, idempotency_key
from services.runtime import get_runtime

WHO = "deadline-monitor"
COORDINATORS = "koordinator"
ASYLUM_CENTRE = "asylcenter"  # told by mail per case, never a responsible department
CHUNK = 5000  # ids per IN list: SQLite >= 3.32 binds up to 32,766, PostgreSQL 65,535
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
    hits = _hits(db, _decide_all(run, rows))
    if not hits:
        return report
    _audit_and_raise(db, run, hits)
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
    """Watched steps due on or before the horizon: plain rows from the (status, due) index.

    Cases are not joined here: SQLite would then walk every active case's steps instead of
    the index. Steps of cases that are no longer active are dropped in `_hits`.
    """
    s = STEPS.c
    query = select(
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
    ).where(s.status.in_(sorted(WATCHED)), s.due <= run.horizon)
    return db.execute(query).all()


def _decide_all(run: Window, rows: Iterable[Row[Any]]) -> list[tuple[Row[Any], Decision]]:
    """The candidate rows that earn a message today, with their decisions."""
    decided = []
    for row in rows:
        decision = decide(
            run,
            status=row.status,
            due=row.due,
            level=row.reminder_level,
            last_reminded_on=row.last_reminded_on,
        )
        if decision.action is not Action.NONE:
            decided.append((row, decision))
    return decided


def _hits(db: Session, decided: Sequence[tuple[Row[Any], Decision]]) -> list[_Hit]:
    """Message lines for the decided steps of active cases, in case and due-date order."""
    cases = _active_cases(db, {row.case_id for row, _ in decided})
    labels = member_labels(
        db, {row.case_id for row, _ in decided if row.person_id and row.case_id in cases}
    )
    hits = [
        _Hit(
            step_id=row.id,
            case_id=row.case_id,
            responsible=row.responsible,
            action=decision.action,
            old_level=row.reminder_level,
            new_level=decision.level,
            line=StepLine(
                case_ref=cases[row.case_id][0],
                title=row.title,
                due=row.due,
                legal=bool(row.legal),
                person_label=labels.get((row.case_id, row.person_id)) if row.person_id else None,
                flow_run_url=cases[row.case_id][1],
            ),
            position=row.position,
        )
        for row, decision in decided
        if row.case_id in cases
    ]
    hits.sort(key=lambda hit: (hit.line.case_ref, hit.line.due, hit.position))
    return hits


def _active_cases(db: Session, case_ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """Case id -> (reference, Prefect UI link) for the active ones among `case_ids`."""
    c = CASES.c
    found: dict[int, tuple[str, str | None]] = {}
    for chunk in _chunks(case_ids):
        query = select(c.id, c.ref, c.flow_run_id).where(
            _among(db, c.id, chunk), c.status == CaseStatus.ACTIVE.value
        )
        for case in db.execute(query).all():
            link = flow_run_url(case.flow_run_id) if case.flow_run_id else None
            found[case.id] = (case.ref, link)
    return found


def member_labels(db: Session, case_ids: set[int]) -> dict[tuple[int, str], str]:
    """(case id, person id) -> `barn 2`, from roles and positions only: names are never read."""
    m = MEMBERS.c
    people: dict[int, list[Person]] = defaultdict(list)
    for chunk in _chunks(case_ids):
        query = (
            select(m.case_id, m.person_id, m.role)
            .where(_among(db, m.case_id, chunk))
            .order_by(m.case_id, m.position)
        )
        for member in db.execute(query).all():
            # Labels depend on role and order only; the age is not read here.
            people[member.case_id].append(Person(member.person_id, member.role, age=0))
    return {
        (case_id, person_id): label
        for case_id, persons in people.items()
        for person_id, label in person_labels(persons).items()
    }


def _chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    """Ids in sorted slices small enough for any database's bound-parameter limit."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _among(db: Session, column: Any, ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids`; one array parameter on PostgreSQL, where thousands of binds are slow."""
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def _by_change(hits: Iterable[_Hit]) -> dict[tuple[Action, int, int], list[int]]:
    """Step ids grouped by (action, old level, new level): one statement per group."""
    groups: dict[tuple[Action, int, int], list[int]] = defaultdict(list)
    for hit in hits:
        groups[(hit.action, hit.old_level, hit.new_level)].append(hit.step_id)
    return groups


def _raise_levels(db: Session, run: Window, hits: Sequence[_Hit]) -> None:
    """New reminder levels, a few set-based UPDATEs; the old level guards against a lost race."""
    s = STEPS.c
    for (_, old, new), ids in _by_change(hits).items():
        for chunk in _chunks(ids):
            db.execute(
                update(STEPS)
                .where(_among(db, s.id, chunk), s.reminder_level == old)
                .values(reminder_level=new, last_reminded_on=run.today),
                execution_options={"synchronize_session": False},
            )


def _audit_and_raise(db: Session, run: Window, hits: Sequence[_Hit]) -> None:
    """Raise the levels, then record each change in the audit log."""
    _raise_levels(db, run, hits)
    _audit(db, run, hits)


def _audit(db: Session, run: Window, hits: Sequence[_Hit]) -> None:
    """One audit entry per step changed, written by INSERT ... SELECT from the steps."""
    s = STEPS.c
    at = literal(utcnow(), UTCDateTime())
    columns = ["case_id", "step_id", "at", "who", "action", "old", "new", "detail"]
    for (action, old, new), ids in _by_change(hits).items():
        verb = AuditAction.REMINDED if action is Action.REMINDER else AuditAction.ESCALATED
        for chunk in _chunks(ids):
            rows = select(
                s.case_id,
                s.id,
                at,
                literal(WHO),
                literal(verb.value),
                literal(str(old)),
                literal(str(new)),
                literal("frist ") + cast(s.due, String),
            ).where(
                _among(db, s.id, chunk),
                s.reminder_level == new,
                s.last_reminded_on == run.today,
            )
            db.execute(insert(AUDIT).from_select(columns, rows))


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
