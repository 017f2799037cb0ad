"""One key per message, carried where receivers look for it: payload field, header, Message-ID.

Delivery is at least once: a dispatcher killed after a send and before it records the
send will send again, with the same key, so a receiver that remembers keys drops the repeat.
Webhooks (json://) get the key as the payload field `idempotency_key` and the header
`Idempotency-Key`; mails get it as their `Message-ID`. Apprise adds custom mail headers
before it writes its own random Message-ID, so a custom header would give a mail two; the
Message-ID is set instead through Apprise's own `make_msgid`, for the current call only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import apprise.plugins.email.base as apprise_email
from apprise.plugins.base import NotifyBase
from apprise.plugins.custom_json import NotifyJSON

PAYLOAD_FIELD = "idempotency_key"
HEADER = "Idempotency-Key"
MESSAGE_ID_DOMAIN = "koereplan"

_message_id: ContextVar[str | None] = ContextVar("koereplan_message_id", default=None)
_apprise_make_msgid = apprise_email.make_msgid


def delivery_key(row_keys: Iterable[str]) -> str:
    """The key of one delivery: the same outbox rows sent together always give the same key."""
    digest = hashlib.sha256("\n".join(sorted(row_keys)).encode()).hexdigest()
    return f"kr-{digest[:32]}"


def message_id(key: str) -> str:
    """The mail's Message-ID for a delivery key: `<kr-…@koereplan>`."""
    return f"<{key}@{MESSAGE_ID_DOMAIN}>"


def _make_msgid(*args: Any, **kwargs: Any) -> str:
    """Apprise's Message-ID, unless a delivery key is being sent in this context."""
    key = _message_id.get()
    return message_id(key) if key else _apprise_make_msgid(*args, **kwargs)


apprise_email.make_msgid = _make_msgid  # type: ignore[attr-defined]


@contextmanager
def stamped(service: NotifyBase, key: str | None) -> Iterator[None]:
    """Give `service` the key for one notify() call (webhook payload and header, Message-ID)."""
    if key is None:
        yield
        return
    if isinstance(service, NotifyJSON):
        service.payload_extras[PAYLOAD_FIELD] = key
        service.headers[HEADER] = key
    token = _message_id.set(key)
    try:
        yield
    finally:
        _message_id.reset(token)
