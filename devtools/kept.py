"""What the local receivers got, kept as files a person can open: one file per message.

`koereplan sinks` and the demo write here, so the messages of a local run can be read
afterwards (`data/beskeder/`, `data/demo/beskeder/`): mails as text with their headers,
webhook calls as the JSON Apprise sent.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

_UNSAFE = re.compile(r"[^a-z0-9æøå-]+")


def _slug(text: str) -> str:
    return _UNSAFE.sub("-", text.lower()).strip("-")[:60] or "ukendt"


def plain_text(message: Message) -> str:
    """The mail's plain-text part (what a text-only reader sees), else its first text part."""
    if isinstance(message, EmailMessage):
        body = message.get_body(preferencelist=("plain", "html"))
        if body is not None:
            return str(body.get_content())  # type: ignore[attr-defined]
    payload = message.get_payload(decode=True)
    return payload.decode(errors="replace") if isinstance(payload, bytes) else str(payload)


class MessageFolder:
    """Numbered files in one folder; safe to call from the receivers' threads."""

    def __init__(self, folder: Path, announce: Callable[[str], None] | None = None) -> None:
        self.folder = folder
        self.announce = announce
        self._lock = threading.Lock()
        folder.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[:4]) for p in folder.glob("[0-9][0-9][0-9][0-9]-*")]
        self._count = max(numbers, default=0)  # after a restart: on from the highest number

    def _write(self, name: str, text: str, line: str) -> Path:
        with self._lock:
            self._count += 1
            path = self.folder / f"{self._count:04d}-{name}"
            path.write_text(text, encoding="utf-8")
        if self.announce:
            self.announce(f"{path.name}: {line}")
        return path

    def mail(self, message: Message, recipients: list[str]) -> Path:
        """A received mail as `NNNN-mail-<recipient>.txt`: headers, then the plain text."""
        to = ", ".join(recipients)
        subject = str(message.get("Subject", ""))
        head = f"Til: {to}\nFra: {message.get('From', '')}\nEmne: {subject}\n\n"
        name = f"mail-{_slug(recipients[0].split('@')[0] if recipients else 'ukendt')}.txt"
        return self._write(name, head + plain_text(message), f"mail til {to}: {subject}")

    def webhook(self, path: str, body: Any) -> Path:
        """A received webhook call as `NNNN-webhook-<last path part>.json`."""
        name = f"webhook-{_slug(path.rstrip('/').rsplit('/', 1)[-1])}.json"
        title = body.get("title", "") if isinstance(body, dict) else ""
        text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
        return self._write(name, text, f"webhook {path}: {title}")
