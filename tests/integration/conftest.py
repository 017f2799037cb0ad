"""Real receivers for delivery tests: an SMTP server and an HTTP endpoint, both on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from notifications.sinks import free_port


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
