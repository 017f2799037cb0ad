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
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Row
from sqlmodel import Session

from koereplan.definition import Definition
from koereplan.reminders import Action, Decision, Window, decide, runs_on, window
from models.db import session
from notifications.apprise_sender import Sender
from notifications.contexts import EscalationContext, ReminderContext, StepLine
from notifications.messages import MessageType
from services.dispatch import DispatchReport, dispatch
from services.monitor_sql import (
    active_cases,
    audit_and_raise,
    candidates,
    member_labels,
    one_run_at_a_time,
)
from services.outbox import enqueue, idempotency_key
from services.runtime import Runtime


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
    one_run_at_a_time(db)
    rows = candidates(db, run)
    report.candidates = len(rows)
    hits = _hits(db, _decide_all(run, rows))
    if not hits:
        return report
    audit_and_raise(db, run, _by_change(hits))
    names = {key: dept.name for key, dept in definition.departments.items()}
    reminders = [hit for hit in hits if hit.action is Action.REMINDER]
    escalations = [hit for hit in hits if hit.action is Action.ESCALATION]
    report.reminded, report.escalated = len(reminders), len(escalations)
    for department, digest in _reminder_digests(definition, reminders).items():
        lines = [hit.line for hit in digest]
        context = ReminderContext(names.get(department, department), lines, today)
        if _enqueue(db, MessageType.REMINDER, department, context, digest):
            report.reminder_messages += 1
            report.departments.append(department)
    for department, digest in _escalation_digests(definition, escalations).items():
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


def monitor_as_configured(runtime: Runtime, *, today: date, force: bool = False) -> MonitorReport:
    """One monitor run with the configured reminder window and escalation interval."""
    return monitor(
        runtime.engine,
        runtime.definition,
        today=today,
        within_wd=runtime.settings.remind_within_wd,
        every_wd=runtime.settings.escalate_every_wd,
        force=force,
    )


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
    cases = active_cases(db, {row.case_id for row, _ in decided})
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


def _by_change(hits: Iterable[_Hit]) -> dict[tuple[Action, int, int], list[int]]:
    """Step ids grouped by (action, old level, new level): one statement per group."""
    groups: dict[tuple[Action, int, int], list[int]] = defaultdict(list)
    for hit in hits:
        groups[(hit.action, hit.old_level, hit.new_level)].append(hit.step_id)
    return groups


def _reminder_digests(definition: Definition, hits: Iterable[_Hit]) -> dict[str, list[_Hit]]:
    """Reminders go to the department responsible for the step (never the asylum centre)."""
    digests: dict[str, list[_Hit]] = defaultdict(list)
    for hit in hits:
        if hit.responsible != definition.asylum_centre:
            digests[hit.responsible].append(hit)
    return dict(digests)


def _escalation_digests(definition: Definition, hits: Sequence[_Hit]) -> dict[str, list[_Hit]]:
    """Escalations go to the responsible department; the coordinators see every one."""
    coordinators = definition.coordinators
    digests: dict[str, list[_Hit]] = defaultdict(list)
    for hit in hits:
        if hit.responsible not in (definition.asylum_centre, coordinators):
            digests[hit.responsible].append(hit)
    if hits:
        digests[coordinators] = list(hits)
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
