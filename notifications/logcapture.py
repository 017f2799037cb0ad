"""Apprise explains failures only in its log: collect them per thread to build safe reasons."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


class _ThreadCapture(logging.Handler):
    """Keeps warnings from the current thread's Apprise calls; other threads are untouched."""

    def emit(self, record: logging.LogRecord) -> None:
        buffer: list[str] | None = getattr(_local, "buffer", None)
        if buffer is not None:
            buffer.append(record.getMessage())


_handler = _ThreadCapture(level=logging.WARNING)
_installed = threading.Lock()


@contextmanager
def capture_apprise_log() -> Iterator[list[str]]:
    """Collect this thread's Apprise warnings and errors (messages only) while the block runs."""
    with _installed:
        logger = logging.getLogger("apprise")
        if _handler not in logger.handlers:
            logger.addHandler(_handler)
    previous = getattr(_local, "buffer", None)
    buffer: list[str] = []
    _local.buffer = buffer
    try:
        yield buffer
    finally:
        _local.buffer = previous
