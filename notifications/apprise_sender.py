"""Deliver rendered messages through Apprise, failing loudly and without leaking secrets.

Each address of a department is one delivery with its own result, so a retry goes only
where the last attempt failed; every delivery carries the message's idempotency key.
"""

from __future__ import annotations

import hashlib
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

from notifications.idempotency import stamped
from notifications.logcapture import capture_apprise_log
from notifications.messages import RenderedMessage
from notifications.routing import Routing

log = logging.getLogger(__name__)

ASYLUM_MAIL_ENV = "KOEREPLAN_ASYLUM_MAIL_URL"
DEFAULT_TIMEOUT_S = 10.0  # to connect (and, for SMTP, to each answer)
DEFAULT_READ_TIMEOUT_S = 30.0  # for a webhook to answer: slow receivers are not failures
ASYLUM_MAIL_REF = "asylcenter-mail:"  # + the centre's address: sent through the SMTP setting
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


@dataclass(frozen=True)
class Address:
    """One place a department's messages go; `id` is recorded per delivery, without secrets."""

    department: str
    id: str
    url: str = field(repr=False)  # may hold a password or token: never logged or stored
    safe: str = ""
    problem: str | None = None  # why this address cannot be used (told when delivering)


class Sender(Protocol):
    """What the product needs from a notification channel: addresses, and one delivery each."""

    def addresses(self, department: str, refs: Sequence[str] = ()) -> list[Address]: ...

    def deliver(
        self, address: Address, message: RenderedMessage, key: str | None = None
    ) -> None: ...


def send(
    sender: Sender,
    department: str,
    message: RenderedMessage,
    refs: Sequence[str] = (),
    key: str | None = None,
) -> None:
    """Deliver to every address of `department`; raise DeliveryError unless all accepted it."""
    delivered: list[str] = []
    failed: list[str] = []
    reasons: list[str] = []
    for address in sender.addresses(department, refs):
        try:
            sender.deliver(address, message, key)
        except DeliveryError as error:
            failed.append(address.safe)
            reasons.append(error.reason)
        else:
            delivered.append(address.safe)
    if failed:
        raise DeliveryError(department, "; ".join(reasons), failed, delivered)


def address_id(url: str) -> str:
    """A stable id for a URL: a hash, so the outbox records deliveries without the secret."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def asylum_centre_ref(email: str) -> str:
    """What the outbox stores for a mail to an asylum centre: the address, not the SMTP URL."""
    if not _EMAIL.match(email):
        raise ValueError("the asylum centre's e-mail address is not valid")
    return ASYLUM_MAIL_REF + email


@dataclass
class AppriseSender:
    """Sends one message per address of a department (its routed URLs plus the case's ones).

    Webhooks get `read_timeout_s` to answer unless their URL sets `rto=`: a slow receiver
    that answers after Apprise's 4 s default would otherwise get the message again.
    """

    routing: Routing
    timeout_s: float = DEFAULT_TIMEOUT_S
    asylum_mail_url: str | None = None
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S
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
        self,
        department: str,
        message: RenderedMessage,
        extra_urls: Sequence[str] = (),
        key: str | None = None,
    ) -> None:
        """Deliver to every address of `department`; raise DeliveryError unless all accepted."""
        send(self, department, message, extra_urls, key)

    def addresses(self, department: str, refs: Sequence[str] = ()) -> list[Address]:
        """The department's routed URLs, then the case's references resolved (asylum mail)."""
        found = [self._address(department, url) for url in self.routing.urls_for(department)]
        found += [self._resolved(department, ref) for ref in refs]
        if not found:
            raise DeliveryError(department, "no address: the routing file has no URL for it")
        return list({address.id: address for address in found}.values())

    def deliver(self, address: Address, message: RenderedMessage, key: str | None = None) -> None:
        """One delivery to one address, carrying `key`; DeliveryError with a redacted reason."""
        service = None if address.problem else Apprise.instantiate(address.url, asset=self.asset)
        if service is None:
            problem = address.problem or "Apprise cannot use this URL"
            raise DeliveryError(address.department, f"{address.safe}: {problem}", [address.safe])
        reason = self._deliver(service, address.url, message, key)
        if reason is not None:
            raise DeliveryError(address.department, f"{address.safe}: {reason}", [address.safe])

    def _address(self, department: str, url: str) -> Address:
        service = Apprise.instantiate(url, asset=self.asset)
        safe = _short(service.url(privacy=True)) if service is not None else cwe312_url(url)
        return Address(department, address_id(url), url, safe)

    def _resolved(self, department: str, ref: str) -> Address:
        """An outbox reference as a URL; a full URL (an old row, a test) is taken as it is."""
        if not ref.startswith(ASYLUM_MAIL_REF):
            return self._address(department, ref)
        email = ref.removeprefix(ASYLUM_MAIL_REF)
        try:
            url = asylum_centre_url(self.asylum_mail_url or "", email)
        except ValueError as error:
            return Address(department, address_id(ref), "", f"mailto:{email}", str(error))
        return self._address(department, url)

    def _deliver(
        self, service: NotifyBase, url: str, message: RenderedMessage, key: str | None = None
    ) -> str | None:
        """One attempt through one service; None on success, else a redacted reason."""
        service.socket_connect_timeout = min(service.socket_connect_timeout, self.timeout_s)
        if "rto" not in dict(parse_qsl(urlsplit(url).query)):
            service.socket_read_timeout = self.read_timeout_s
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
        with capture_apprise_log() as apprise_log, stamped(service, key):
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
    key: str | None = None


@dataclass
class FakeSender:
    """Records messages instead of sending them; departments in `failing` raise DeliveryError.

    A department's own address is its key; references (`extra_urls`) are addresses too.
    """

    sent: list[SentMessage] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    known: set[str] | None = None

    def send(
        self,
        department: str,
        message: RenderedMessage,
        extra_urls: Sequence[str] = (),
        key: str | None = None,
    ) -> None:
        """Remember the message, or fail as the real sender would."""
        send(self, department, message, extra_urls, key)

    def addresses(self, department: str, refs: Sequence[str] = ()) -> list[Address]:
        """The references when given (the asylum centre), else the department itself."""
        if self.known is not None and department not in self.known and not refs:
            raise DeliveryError(department, "no address: the routing file has no URL for it")
        return [Address(department, ref, ref, ref) for ref in refs or [department]]

    def deliver(self, address: Address, message: RenderedMessage, key: str | None = None) -> None:
        """Record one delivery, or fail for a department or address listed in `failing`."""
        if {address.department, address.id} & self.failing:
            raise DeliveryError(address.department, "simulated failure", [address.safe])
        refs = () if address.id == address.department else (address.url,)
        self.sent.append(SentMessage(address.department, message, refs, key))

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
