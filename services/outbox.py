"""Writing notifications: a row in the outbox, in the same transaction as the change."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models.tables import OutboxMessage
from notifications.codec import to_json


def idempotency_key(*parts: object) -> str:
    """A stable key for one message: the same cause never makes two rows."""
    text = "|".join(str(part) for part in parts)
    if len(text) <= 200:
        return text
    return text[:120] + "#" + hashlib.sha256(text.encode()).hexdigest()


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
    values = {
        "department": department,
        "message_type": message_type,
        "case_id": case_id,
        "idempotency_key": key,
        "context": to_json(context),
        "extra_urls": list(extra_urls),
        "step_ids": list(step_ids),
    }
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table).values(**values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    return bool(db.execute(statement).rowcount)  # type: ignore[attr-defined]
