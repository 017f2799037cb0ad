"""Deliver rendered messages through Apprise, failing loudly and without leaking secrets."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from apprise import Apprise, AppriseAsset, NotifyFormat, PersistentStoreMode
from apprise.plugins.base import NotifyBase
from apprise.utils.cwe312 import cwe312_url

from notifications.logcapture import capture_apprise_log
from notifications.messages import RenderedMessage
from notifications.routing import Routing

log = logging.getLogger(__name__)

ASYLUM_MAIL_ENV = "KOEREPLAN_ASYLUM_MAIL_URL"
DEFAULT_TIMEOUT_S = 10.0
_EMAIL = re.compile(r"^[^@\s/?&#:]+@[^@\s/?&#:]+\.[^@\s/?&#:]+$")


class DeliveryError(RuntimeError):
    """A message did not reach every address; the reason is safe to log and store."""

    def __init__(
        self,
        department: str,
        reason: str,
        failed: Sequence[str] = (),
        delivered: Sequence[str] = (),
    ) -> None:
        self.department = department
        self.reason = reason
        self.failed = tuple(failed)
        self.delivered = tuple(delivered)
        super().__init__(f"{department}: {reason}")


class Sender(Protocol):
    """What the product needs from a notification channel."""

    def send(
        self, department: str, message: RenderedMessage, extra_urls: Sequence[str] = ()
    ) -> None: ...


@dataclass
class AppriseSender:
    """Sends one message per department to each of its routed URLs (plus any extra URLs)."""

    routing: Routing
    timeout_s: float = DEFAULT_TIMEOUT_S
    asset: AppriseAsset = field(
        default_factory=lambda: AppriseAsset(
            storage_mode=PersistentStoreMode.MEMORY, secure_logging=True
        )
    )

    def __post_init__(self) -> None:
        """Apprise's DEBUG lines carry whole URLs with their secrets: never below INFO."""
        apprise_log = logging.getLogger("apprise")
        if apprise_log.getEffectiveLevel() < logging.INFO:
            apprise_log.setLevel(logging.INFO)

    def send(
        self, department: str, message: RenderedMessage, extra_urls: Sequence[str] = ()
    ) -> None:
        """Deliver to every URL of `department`; raise DeliveryError unless all accepted it."""
        urls = list(dict.fromkeys([*self.routing.urls_for(department), *extra_urls]))
        if not urls:
            raise DeliveryError(department, "no address: the routing file has no URL for it")
        delivered: list[str] = []
        failed: list[str] = []
        reasons: list[str] = []
        for url in urls:
            service = Apprise.instantiate(url, asset=self.asset)
            if service is None:
                failed.append(cwe312_url(url))
                reasons.append(f"{cwe312_url(url)}: Apprise cannot use this URL")
                continue
            safe = _short(service.url(privacy=True))
            reason = self._deliver(service, url, message)
            if reason is None:
                delivered.append(safe)
            else:
                failed.append(safe)
                reasons.append(f"{safe}: {reason}")
        if failed:
            raise DeliveryError(department, "; ".join(reasons), failed, delivered)

    def _deliver(self, service: NotifyBase, url: str, message: RenderedMessage) -> str | None:
        """One attempt through one service; None on success, else a redacted reason."""
        service.socket_connect_timeout = min(service.socket_connect_timeout, self.timeout_s)
        service.socket_read_timeout = min(service.socket_read_timeout, self.timeout_s)
        safe = _short(service.url(privacy=True))
        if service.notify_format == NotifyFormat.HTML:
            body, body_format = message.html, NotifyFormat.HTML
        elif service.notify_format == NotifyFormat.MARKDOWN:
            body, body_format = message.text, NotifyFormat.MARKDOWN
        else:
            body, body_format = message.text, NotifyFormat.TEXT
        apobj = Apprise(asset=self.asset)
        apobj.add(service)
        started = time.perf_counter()
        with capture_apprise_log() as apprise_log:
            try:
                ok = apobj.notify(title=message.subject, body=body, body_format=body_format)
            except Exception as exc:  # a plugin bug must not escape as a secret-bearing trace
                ok = False
                apprise_log.append(type(exc).__name__)
        elapsed = time.perf_counter() - started
        if ok:
            log.info("sent %r to %s in %.2f s", message.subject, safe, elapsed)
            return None
        reason = _redact(
            "; ".join(apprise_log[-2:]) or "Apprise reported a failure",
            url,
            service.url(privacy=True),
        )
        log.warning("not sent to %s after %.2f s: %s", safe, elapsed, reason)
        return reason


@dataclass(frozen=True)
class SentMessage:
    """What a FakeSender was asked to deliver."""

    department: str
    message: RenderedMessage
    extra_urls: tuple[str, ...] = ()


@dataclass
class FakeSender:
    """Records messages instead of sending them; departments in `failing` raise DeliveryError."""

    sent: list[SentMessage] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    known: set[str] | None = None

    def send(
        self, department: str, message: RenderedMessage, extra_urls: Sequence[str] = ()
    ) -> None:
        """Remember the message, or fail as the real sender would."""
        if department in self.failing:
            raise DeliveryError(department, "simulated failure")
        if self.known is not None and department not in self.known and not extra_urls:
            raise DeliveryError(department, "no address: the routing file has no URL for it")
        self.sent.append(SentMessage(department, message, tuple(extra_urls)))

    def to(self, department: str) -> list[RenderedMessage]:
        """Messages sent to one department, oldest first."""
        return [s.message for s in self.sent if s.department == department]


def asylum_centre_url(smtp_base_url: str, email: str) -> str:
    """A mailto URL to the case's asylum centre through the configured SMTP transport."""
    if not _EMAIL.match(email):
        raise ValueError("the asylum centre's e-mail address is not valid")
    parts = urlsplit(smtp_base_url)
    if parts.scheme not in {"mailto", "mailtos"}:
        raise ValueError(f"{ASYLUM_MAIL_ENV} must be a mailto:// or mailtos:// URL")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "to"]
    query.append(("to", email))
    url = urlunsplit(parts._replace(query=urlencode(query, safe="@:,")))
    if Apprise.instantiate(url) is None:
        raise ValueError(f"{ASYLUM_MAIL_ENV} is not a URL Apprise can use: {cwe312_url(url)}")
    return url


def _short(safe_url: str) -> str:
    """A privacy URL without its query options: enough to tell addresses apart in a reason."""
    return unquote(safe_url.split("?", 1)[0])


def _redact(text: str, url: str, safe_url: str) -> str:
    """Remove every piece of the full URL that the privacy form hides (passwords, tokens)."""
    hidden = {
        piece for piece in re.split(r"[/:@?&=,]+", url) if len(piece) >= 4 and piece not in safe_url
    }
    for piece in sorted(hidden, key=len, reverse=True):
        text = text.replace(piece, "****")
    return text
