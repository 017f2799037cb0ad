"""Local receivers on 127.0.0.1: a real SMTP server and a real HTTP endpoint.

The demo, the benchmarks and `koereplan sinks` route departments here; tests read back what
arrived. Given a MessageFolder, each message is also written there as it arrives.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from devtools.kept import MessageFolder
from koereplan.definition import Definition


def free_port() -> int:
    """A port nobody listens on right now (aiosmtpd cannot bind port 0 itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MailSink:
    """What the SMTP server received: parsed messages (decoded headers) and envelopes."""

    port: int
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        """An Apprise mailto base URL pointing here (add `to=`)."""
        return f"mailto://127.0.0.1:{self.port}?from=koereplan@aalborg.example"


class _Recorder:
    """aiosmtpd handler that parses each message and keeps the envelope."""

    def __init__(self, sink: MailSink, keep: MessageFolder | None = None) -> None:
        self.sink = sink
        self.keep = keep

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.sink.messages.append(message)
        self.sink.recipients.append(list(envelope.rcpt_tos))
        self.sink.senders.append(str(envelope.mail_from))
        if self.keep is not None:
            self.keep.mail(message, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@contextmanager
def mail_sink(port: int | None = None, keep: MessageFolder | None = None) -> Iterator[MailSink]:
    """A real SMTP server on `port` (a free one by default), stopped on exit."""
    sink = MailSink(port=port or free_port())
    controller = Controller(_Recorder(sink, keep), hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class WebhookSink:
    """What the HTTP endpoint received; `status` makes it answer an error, `delay_s` slowly."""

    url: str
    requests: list[Any] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    status: int = 200
    delay_s: float = 0.0  # recorded at once, answered after this long: a slow receiver

    @property
    def port(self) -> int:
        """The port the endpoint listens on."""
        return int(self.url.rsplit(":", 1)[1])

    def json_url(self, path: str = "/hooks/test") -> str:
        """An Apprise json:// URL pointing here."""
        return f"json://127.0.0.1:{self.port}{path}"


@contextmanager
def webhook_sink(port: int = 0, keep: MessageFolder | None = None) -> Iterator[WebhookSink]:
    """A real HTTP server on `port` (a free one by default) recording the JSON bodies of POSTs."""
    holder: dict[str, WebhookSink] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            sink = holder["sink"]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            try:
                parsed: Any = json.loads(body)
            except ValueError:
                parsed = body.decode(errors="replace")
            with lock:
                sink.requests.append(parsed)
                sink.paths.append(self.path)
                sink.headers.append(dict(self.headers.items()))
            if keep is not None:
                keep.webhook(self.path, parsed)
            time.sleep(sink.delay_s)
            self.send_response(sink.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep output quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    holder["sink"] = WebhookSink(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["sink"]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def routing_to(sink: WebhookSink, definition: Definition) -> str:
    """An Apprise YAML routing file sending every department to the sink (`/hooks/<key>`)."""
    return routing_to_port(sink.port, definition)


def routing_to_port(port: int, definition: Definition) -> str:
    """The routing file for a webhook receiver on 127.0.0.1:port, one path per department.

    Departments whose address comes from the case (the asylum centre) get no route.
    """
    lines = ["version: 1", "urls:"]
    for key, department in definition.departments.items():
        if department.from_case:
            continue
        lines += [f"  - json://127.0.0.1:{port}/hooks/{key}:", f"      - tag: {key}"]
    return "\n".join(lines) + "\n"
