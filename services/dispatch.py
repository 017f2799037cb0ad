"""The dispatcher: sends pending outbox rows at least once, one digest per department address.

A row is claimed with a conditional UPDATE (pending -> sending), so two dispatchers never
send it at the same time. Each address of a department is a delivery of its own, recorded
in the row's `delivered_to` as soon as it succeeds: a retry goes only where it failed.
Failures retry with backoff; after MAX_ATTEMPTS a row stays `failed`, visible in the case's
checklist and in `koereplan status`.

What remains is at least once, not exactly once: a dispatcher that dies after an address
accepted a message and before `delivered_to` records it sends that message again once the
claim is stale. The repeat carries the same idempotency key (webhook payload field and
header, mail Message-ID), because rows sent together keep their `delivery_key` and are
sent together again; receivers that remember keys drop it.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from koereplan.definition import Definition
from koereplan.status import OutboxStatus
from models.columns import utcnow
from models.db import session
from models.tables import Case, OutboxMessage
from services.steps import deliver_notice_steps

if TYPE_CHECKING:
    from notifications.apprise_sender import Sender
    from notifications.messages import RenderedMessage

# Apprise and Jinja2 (delivery and templates) are imported where a row is sent, not here: a
# reception run's process looks at its outbox every time and usually finds nothing to send.

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
        for rows in batches(claimed):
            _send_batch(engine, sender, definition, rows, report)
    return report


def batches(rows: list[OutboxMessage]) -> list[list[OutboxMessage]]:
    """Rows sent as one digest: one department and case address; earlier batches stay whole."""
    groups: dict[tuple[str, tuple[str, ...], str], list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        groups[(row.department, tuple(row.extra_urls), row.delivery_key or "")].append(row)
    return list(groups.values())


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
        (col(OutboxMessage.status) == OutboxStatus.PENDING)
        & (col(OutboxMessage.next_attempt_at) <= now),
        (col(OutboxMessage.status) == OutboxStatus.SENDING)
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
            .values(status=OutboxStatus.SENDING, claimed_by=token, claimed_at=now)
        )
    with session(engine) as db:
        rows = db.exec(
            select(OutboxMessage)
            .where(OutboxMessage.claimed_by == token, OutboxMessage.status == OutboxStatus.SENDING)
            .order_by(col(OutboxMessage.id))
        ).all()
        return list(rows)


def render_row(row: OutboxMessage, case: Case | None) -> RenderedMessage:
    """The row's message, with the case's Prefect UI link filled in when it is known now."""
    from notifications.codec import from_json
    from notifications.links import flow_run_url
    from notifications.messages import CONTEXT_TYPES, MessageType, render

    kind = MessageType(row.message_type)
    context: dict[str, Any] = row.context
    if case is not None and case.flow_run_id:
        context = _with_link(context, case.ref, flow_run_url(case.flow_run_id))
    return render(kind, from_json(CONTEXT_TYPES[kind], context))


def digest(messages: list[RenderedMessage]) -> RenderedMessage:
    """Several messages to one department as one: Apprise waits 5.5 s between mails."""
    from notifications.messages import RenderedMessage

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


def _send_batch(
    engine: Engine,
    sender: Sender,
    definition: Definition,
    rows: list[OutboxMessage],
    report: DispatchReport,
) -> None:
    """Deliver one batch to each address that has not had it yet, recording each success."""
    from notifications.apprise_sender import DeliveryError
    from notifications.idempotency import delivery_key

    department, refs = rows[0].department, rows[0].extra_urls
    with session(engine) as db:
        cases = {
            case.id: case
            for case in db.exec(
                select(Case).where(col(Case.id).in_({r.case_id for r in rows if r.case_id}))
            ).all()
        }
    try:
        addresses = sender.addresses(department, refs)
        whole = _digest_of(rows, cases)
    except DeliveryError as error:
        _failed(engine, rows, error.reason, report)
        return
    except Exception as error:  # a template or codec bug: keep the row, say what broke
        _failed(engine, rows, f"{type(error).__name__}: {error}", report)
        return
    _remember_batch(engine, rows)
    reasons: list[str] = []
    for address in addresses:
        todo = [row for row in rows if address.id not in row.delivered_to]
        if not todo:
            continue
        message = whole if len(todo) == len(rows) else _digest_of(todo, cases)
        try:
            sender.deliver(address, message, delivery_key(r.idempotency_key for r in todo))
        except DeliveryError as error:
            reasons.append(error.reason)
            continue
        report.messages += 1
        _record_delivery(engine, todo, address.id)
    wanted = {address.id for address in addresses}
    done = [row for row in rows if wanted <= set(row.delivered_to)]
    if len(done) < len(rows):
        _failed(engine, [row for row in rows if row not in done], "; ".join(reasons), report)
    if done:
        _mark_sent(engine, definition, done, report)


def _digest_of(rows: list[OutboxMessage], cases: dict[int | None, Case]) -> RenderedMessage:
    return digest([render_row(row, cases.get(row.case_id)) for row in rows])


def _remember_batch(engine: Engine, rows: list[OutboxMessage]) -> None:
    """Store the batch's key before the first send: after a crash it is sent together again."""
    from notifications.idempotency import delivery_key

    fresh = [row for row in rows if row.delivery_key is None]
    if not fresh:
        return
    key = delivery_key(row.idempotency_key for row in rows)
    with session(engine) as db:
        _update(db, fresh, delivery_key=key)
    for row in fresh:
        row.delivery_key = key


def _record_delivery(engine: Engine, rows: list[OutboxMessage], address: str) -> None:
    """Add one address to the rows' `delivered_to`, at once: a retry will skip it."""
    by_before: dict[tuple[str, ...], list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        by_before[tuple(row.delivered_to)].append(row)
    with session(engine) as db:
        for before, same in by_before.items():
            after = [*before, address]
            _update(db, same, delivered_to=after)
            for row in same:
                row.delivered_to = after


def _mark_sent(
    engine: Engine, definition: Definition, rows: list[OutboxMessage], report: DispatchReport
) -> None:
    with session(engine) as db:
        _update(
            db,
            rows,
            status=OutboxStatus.SENT.value,
            sent_at=utcnow(),
            attempts=col(OutboxMessage.attempts) + 1,
            last_error=None,
        )
        report.sent += len(rows)
        step_ids = [step_id for row in rows for step_id in row.step_ids]
        if step_ids:
            deliver_notice_steps(db, definition, step_ids)


def _update(db: Session, rows: list[OutboxMessage], **values: Any) -> None:
    """One UPDATE of the given rows (by id)."""
    db.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_([row.id for row in rows]))
        .values(**values)
    )


def _failed(engine: Engine, rows: list[OutboxMessage], reason: str, report: DispatchReport) -> None:
    report.errors.append(reason)
    with session(engine) as db:
        for row in rows:
            attempts = row.attempts + 1
            values: dict[str, Any] = {"attempts": attempts, "last_error": reason[:1000]}
            if attempts >= MAX_ATTEMPTS:
                values["status"] = OutboxStatus.FAILED
                report.failed += 1
            else:
                values["status"] = OutboxStatus.PENDING
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
