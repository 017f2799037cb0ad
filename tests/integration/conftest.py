"""Real receivers for delivery tests: an SMTP server and an HTTP endpoint, both on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    """A port nobody listens on right now (aiosmtpd cannot bind port 0 itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpServer:
    """What the SMTP server received: parsed messages (decoded headers) and envelope recipients."""

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

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        self.server.messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        self.server.recipients.append(list(envelope.rcpt_tos))
        self.server.senders.append(str(envelope.mail_from))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on a free local port, stopped after the test."""
    server = SmtpServer(port=free_port())
    controller = Controller(_Recorder(server), hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@dataclass
class HttpReceiver:
    """What the HTTP endpoint received; set `status` to make it answer with an error."""

    url: str
    requests: list[Any] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    status: int = 200

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def json_url(self, path: str = "/hooks/test") -> str:
        """An Apprise json:// URL pointing here."""
        return f"json://127.0.0.1:{self.port}{path}"


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    """A real HTTP server that records JSON bodies of POST requests."""
    holder: dict[str, HttpReceiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver = holder["receiver"]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            try:
                receiver.requests.append(json.loads(body))
            except ValueError:
                receiver.requests.append(body.decode(errors="replace"))
            receiver.paths.append(self.path)
            receiver.headers.append(dict(self.headers.items()))
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["receiver"] = HttpReceiver(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["receiver"]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def unused_port() -> int:
    """A local port with nothing listening: a mail server that is down."""
    return free_port()


@pytest.fixture
def silent_smtp_port() -> Iterator[int]:
    """A port that accepts TCP connections but never says a word: a hung mail server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])
