"""The dispatcher: sends pending outbox rows, each exactly once, one digest per department.

A row is claimed with a conditional UPDATE (pending -> sending), so two dispatchers never
send it twice. Failures retry with backoff; after MAX_ATTEMPTS a row stays `failed`, visible
in the case's checklist and in `koereplan status`.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from koereplan.definition import Definition
from models.columns import utcnow
from models.db import session
from models.tables import Case, OutboxMessage
from notifications.apprise_sender import DeliveryError, Sender
from notifications.codec import from_json
from notifications.messages import CONTEXT_TYPES, MessageType, RenderedMessage, flow_run_url, render
from services.steps import deliver_notice_steps

MAX_ATTEMPTS = 8
BACKOFF_S = (30, 60, 300, 900, 1800, 3600, 3600, 3600)
STALE_CLAIM = timedelta(minutes=10)  # a dispatcher killed mid-send left the row `sending`
MAX_ROUNDS = 10_000  # rounds end when nothing is due: sent rows leave, failed ones wait


@dataclass
class DispatchReport:
    """What one dispatcher run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    messages: int = 0  # deliveries made (a digest counts once)
    errors: list[str] = field(default_factory=list)


def worker_name() -> str:
    """Who claims rows, for the outbox's `claimed_by` column."""
    return f"{socket.gethostname()}:{os.getpid()}"


def dispatch(
    engine: Engine,
    sender: Sender,
    definition: Definition,
    *,
    case_id: int | None = None,
    now: datetime | None = None,
    limit: int = 500,
) -> DispatchReport:
    """Send everything due, one digest per department and address per round of `limit` rows.

    Rounds repeat until nothing is due, so a burst of notices is told in one run, and
    messages that a delivery causes (a `notice` step done opens the next) go out too.
    """
    report = DispatchReport()
    for _ in range(MAX_ROUNDS):
        claimed = claim(engine, worker=worker_name(), case_id=case_id, now=now, limit=limit)
        if not claimed:
            break
        groups: dict[tuple[str, tuple[str, ...]], list[OutboxMessage]] = defaultdict(list)
        for row in claimed:
            groups[(row.department, tuple(row.extra_urls))].append(row)
        for (department, extra_urls), rows in groups.items():
            _send_group(engine, sender, definition, department, extra_urls, rows, report)
    return report


def claim(
    engine: Engine,
    *,
    worker: str,
    case_id: int | None = None,
    now: datetime | None = None,
    limit: int = 500,
) -> list[OutboxMessage]:
    """Take due rows: one conditional UPDATE; only rows it changed carry our token."""
    now = now or utcnow()
    due = or_(
        (col(OutboxMessage.status) == "pending") & (col(OutboxMessage.next_attempt_at) <= now),
        (col(OutboxMessage.status) == "sending")
        & (col(OutboxMessage.claimed_at) < now - STALE_CLAIM),
    )
    with session(engine) as db:
        query = select(OutboxMessage.id).where(due).order_by(col(OutboxMessage.id)).limit(limit)
        if case_id is not None:
            query = query.where(OutboxMessage.case_id == case_id)
        candidates = list(db.exec(query).all())
    if not candidates:
        return []
    token = f"{worker}:{uuid.uuid4().hex[:8]}"
    with session(engine) as db:
        db.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(candidates), due)
            .values(status="sending", claimed_by=token, claimed_at=now)
        )
    with session(engine) as db:
        rows = db.exec(
            select(OutboxMessage)
            .where(OutboxMessage.claimed_by == token, OutboxMessage.status == "sending")
            .order_by(col(OutboxMessage.id))
        ).all()
        return list(rows)


def render_row(row: OutboxMessage, case: Case | None) -> RenderedMessage:
    """The row's message, with the case's Prefect UI link filled in when it is known now."""
    kind = MessageType(row.message_type)
    context: dict[str, Any] = row.context
    if case is not None and case.flow_run_id:
        context = _with_link(context, case.ref, flow_run_url(case.flow_run_id))
    return render(kind, from_json(CONTEXT_TYPES[kind], context))


def digest(messages: list[RenderedMessage]) -> RenderedMessage:
    """Several messages to one department as one: Apprise waits 5.5 s between mails."""
    if len(messages) == 1:
        return messages[0]
    subject = f"Køreplan: {len(messages)} nye beskeder – " + "; ".join(m.subject for m in messages)
    if len(subject) > 180:
        subject = subject[:177] + "…"
    rule_text = "\n" + "-" * 60 + "\n\n"
    return RenderedMessage(
        subject=subject,
        text=rule_text.join(m.text for m in messages),
        html="\n<hr>\n".join(m.html for m in messages),
    )


def _send_group(
    engine: Engine,
    sender: Sender,
    definition: Definition,
    department: str,
    extra_urls: tuple[str, ...],
    rows: list[OutboxMessage],
    report: DispatchReport,
) -> None:
    with session(engine) as db:
        cases = {
            case.id: case
            for case in db.exec(
                select(Case).where(col(Case.id).in_({r.case_id for r in rows if r.case_id}))
            ).all()
        }
    try:
        message = digest([render_row(row, cases.get(row.case_id)) for row in rows])
        sender.send(department, message, extra_urls)
    except DeliveryError as error:
        _failed(engine, rows, error.reason, report)
        return
    except Exception as error:  # a template or codec bug: keep the row, say what broke
        _failed(engine, rows, f"{type(error).__name__}: {error}", report)
        return
    report.messages += 1
    with session(engine) as db:
        sent_at = utcnow()
        db.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_([row.id for row in rows]))
            .values(
                status="sent",
                sent_at=sent_at,
                attempts=col(OutboxMessage.attempts) + 1,
                last_error=None,
            )
        )
        report.sent += len(rows)
        step_ids = [step_id for row in rows for step_id in row.step_ids]
        if step_ids:
            deliver_notice_steps(db, definition, step_ids)


def _failed(engine: Engine, rows: list[OutboxMessage], reason: str, report: DispatchReport) -> None:
    report.errors.append(reason)
    with session(engine) as db:
        for row in rows:
            attempts = row.attempts + 1
            values: dict[str, Any] = {"attempts": attempts, "last_error": reason[:1000]}
            if attempts >= MAX_ATTEMPTS:
                values["status"] = "failed"
                report.failed += 1
            else:
                values["status"] = "pending"
                values["next_attempt_at"] = utcnow() + timedelta(seconds=BACKOFF_S[attempts - 1])
                report.retried += 1
            db.execute(
                update(OutboxMessage).where(col(OutboxMessage.id) == row.id).values(**values)
            )


def _with_link(value: Any, ref: str, url: str | None) -> Any:
    """Fill `flow_run_url` wherever the context speaks of this case and had no link yet."""
    if isinstance(value, list):
        return [_with_link(item, ref, url) for item in value]
    if not isinstance(value, dict):
        return value
    filled = {key: _with_link(item, ref, url) for key, item in value.items()}
    mine = filled.get("case_ref", filled.get("ref")) == ref
    if "flow_run_url" in filled and not filled["flow_run_url"] and mine:
        filled["flow_run_url"] = url
    return filled


def pending_counts(db: Session, case_id: int) -> dict[str, int]:
    """Outbox rows of a case by status, for the checklist artifact and `status`."""
    counts: dict[str, int] = defaultdict(int)
    for status in db.exec(
        select(OutboxMessage.status).where(OutboxMessage.case_id == case_id)
    ).all():
        counts[status] += 1
    return dict(counts)
