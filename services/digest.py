"""The weekly digest: on the week's first working day, one outbox message per department.

A department with nothing open gets nothing. The message's key is the ISO week and the
department, so a second monitor run the same week (or the same day) writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from koereplan.definition import Definition
from koereplan.digest import is_digest_day, week_end, week_of
from koereplan.overview import QueueItem
from models.db import session
from notifications.contexts import StepLine, WeeklyDigestContext
from notifications.links import artifact_url, flow_run_url
from notifications.messages import MessageType
from notifications.overview_markdown import department_key
from services.outbox import enqueue, idempotency_key
from services.overview import queues

DIGEST_LINES = 50  # per section; the rest is "… og N flere" and the artifact has them all


@dataclass
class DigestReport:
    """Which departments got a digest written this run."""

    today: date
    skipped: bool = False
    departments: list[str] = field(default_factory=list)


def write_weekly_digests(
    db: Session, definition: Definition, *, today: date, force: bool = False
) -> DigestReport:
    """Enqueue this week's digests when today is the week's first working day (or `force`)."""
    if not force and not is_digest_day(today):
        return DigestReport(today=today, skipped=True)
    report = DigestReport(today=today)
    until = week_end(today)
    for department, queue in queues(db, definition, today=today, due_until=until).items():
        overdue = [item for item in queue.items if item.due < today]
        soon = [item for item in queue.items if today <= item.due <= until]
        context = WeeklyDigestContext(
            department_name=queue.name,
            today=today,
            week_end=until,
            open_total=queue.total,
            overdue_total=queue.overdue,
            overdue=[_line(item) for item in overdue[:DIGEST_LINES]],
            due_this_week=[_line(item) for item in soon[:DIGEST_LINES]],
            due_this_week_total=len(soon),
            queue_url=artifact_url(department_key(department)),
        )
        key = idempotency_key(MessageType.WEEKLY_DIGEST, week_of(today), department)
        if enqueue(
            db,
            department=department,
            message_type=MessageType.WEEKLY_DIGEST,
            context=context,
            key=key,
        ):
            report.departments.append(department)
    return report


def weekly_digests(
    engine: Engine, definition: Definition, *, today: date, force: bool = False
) -> DigestReport:
    """The digests in their own transaction."""
    with session(engine) as db:
        return write_weekly_digests(db, definition, today=today, force=force)


def _line(item: QueueItem) -> StepLine:
    """A queue line as a digest line, with the link to its case's run."""
    return StepLine(
        case_ref=item.case_ref,
        title=item.title,
        due=item.due,
        legal=item.legal,
        person_label=None if item.member == "husstand" else item.member,
        flow_run_url=flow_run_url(item.flow_run_id),
    )
