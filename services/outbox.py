"""Writing notifications: rows in the outbox, in the same transaction as the change."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models.tables import OutboxMessage
from notifications.codec import to_json


@dataclass(frozen=True)
class Outgoing:
    """One message to write; `key` makes writing it twice a no-op."""

    department: str
    message_type: str
    context: Any
    key: str
    case_id: int | None = None
    extra_urls: Sequence[str] = ()
    step_ids: Sequence[int] = field(default_factory=tuple)


def idempotency_key(*parts: object) -> str:
    """A stable key for one message: the same cause never makes two rows."""
    text = "|".join(str(part) for part in parts)
    if len(text) <= 200:
        return text
    return text[:120] + "#" + hashlib.sha256(text.encode()).hexdigest()


def enqueue_all(db: Session, messages: Sequence[Outgoing]) -> int:
    """Add the messages in one statement, skipping keys already written; how many were added."""
    if not messages:
        return 0
    rows = [
        {
            "department": m.department,
            "message_type": str(m.message_type),
            "case_id": m.case_id,
            "idempotency_key": m.key,
            "context": to_json(m.context),
            "extra_urls": list(m.extra_urls),
            "step_ids": list(m.step_ids),
        }
        for m in messages
    ]
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)  # rowcount of a multi-row insert is not reliable on psycopg
    )
    return len(db.execute(statement).all())


def enqueue(
    db: Session,
    *,
    department: str,
    message_type: str,
    context: Any,
    key: str,
    case_id: int | None = None,
    extra_urls: Sequence[str] = (),
    step_ids: Sequence[int] = (),
) -> bool:
    """Add one message unless a message with the same key exists; True when added."""
    message = Outgoing(department, message_type, context, key, case_id, extra_urls, step_ids)
    return enqueue_all(db, [message]) == 1
