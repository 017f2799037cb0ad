"""Documents beside a notice, decided in plain Python: file it, wait, quarantine or report.

A document is matched to an announcement by file name and sha256. One that no notice names
waits for its notice for a while, then goes to quarantine; an announced one that does not
come, or comes with another checksum, is reported to the coordinators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

FILE, WAIT, QUARANTINE, MISMATCH = "file", "wait", "quarantine", "mismatch"
NO_NOTICE = "dokument uden besked"
OTHER_CHECKSUM = "dokumentet har en anden sha256 end beskeden angiver"


@dataclass(frozen=True)
class Announced:
    """A document a notice announced and that has not arrived yet."""

    case_ref: str
    filename: str
    sha256: str


def decide(
    filename: str,
    sha256: str,
    arrived: datetime,
    now: datetime,
    announced: Sequence[Announced],
    wait: timedelta,
) -> tuple[str, Announced | None]:
    """What to do with one document in the inbox, and the announcement it answers."""
    named = [a for a in announced if a.filename == filename]
    match = next((a for a in named if a.sha256 == sha256), None)
    if match is not None:
        return FILE, match
    if named:
        return MISMATCH, named[0]
    if now - arrived >= wait:
        return QUARANTINE, None
    return WAIT, None


def missing_reported(announced_at: datetime, now: datetime, after: timedelta) -> bool:
    """An announced document still missing this long is reported to the coordinators."""
    return now - announced_at >= after
