"""What may be taken from the inbox, and how a refused entry is explained (pure rules).

Only regular `*.json` files are notices. A name ending in `.part` is still being written
(the sender's convention: write `name.json.part`, then rename). Links, folders, pipes and
devices are never opened: they are refused with a reason a coordinator can act on.
"""

from __future__ import annotations

import os
import stat
import unicodedata

from koereplan.problems import Problem

NOTICE_SUFFIX = ".json"
PARTIAL_SUFFIX = ".part"
MAX_NAME_BYTES = 255  # one path component on Linux file systems
FILE = "fil"


def is_notice_name(name: str) -> bool:
    """A notice is a `*.json` file; every other file in the inbox is a document."""
    return name.lower().endswith(NOTICE_SUFFIX)


def is_partial(name: str) -> bool:
    """A file the sender is still writing (it renames it when done)."""
    return name.endswith(PARTIAL_SUFFIX)


def is_settled(mtime: float, now: float, settle_seconds: float) -> bool:
    """Untouched for `settle_seconds`; a time far in the future (a skewed clock) also counts."""
    age = now - mtime
    return age >= settle_seconds or age < -60


def readable_name(name: str) -> str:
    """A file name as text a database and a message can hold: bad bytes and controls become �."""
    text = os.fsencode(name).decode("utf-8", errors="replace")
    return "".join("\ufffd" if unicodedata.category(ch) == "Cc" else ch for ch in text)


def fitted_name(name: str, suffix: str = "") -> str:
    """`name + suffix`, the name shortened (never the suffix) so the whole fits one path part."""
    room = MAX_NAME_BYTES - len(os.fsencode(suffix))
    raw = os.fsencode(name)
    if len(raw) <= room:
        return name + suffix
    return os.fsdecode(raw[:room]) + suffix


def entry_problem(mode: int, links: int = 1) -> Problem | None:
    """Why an inbox entry with this `lstat` mode is refused; None for a plain regular file."""
    if stat.S_ISLNK(mode):
        return Problem(FILE, "er et symbolsk link; kun almindelige filer modtages")
    if stat.S_ISDIR(mode):
        return Problem(FILE, "er en mappe; læg beskeder direkte i indbakken")
    if stat.S_ISFIFO(mode):
        return Problem(FILE, "er en navngiven pipe (FIFO); kun almindelige filer modtages")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return Problem(FILE, "er en enhedsfil; kun almindelige filer modtages")
    if stat.S_ISSOCK(mode):
        return Problem(FILE, "er en socket; kun almindelige filer modtages")
    if not stat.S_ISREG(mode):
        return Problem(FILE, "er ikke en almindelig fil")
    if links > 1:
        return Problem(FILE, "har flere navne (hård link); læg en almindelig kopi i indbakken")
    return None


def own_name_problem(own: tuple[str, ...]) -> Problem:
    """A file that sits where the inbox keeps its own folders."""
    return Problem(
        FILE, f"har samme navn som en af indbakkens egne mapper ({', '.join(own)}); flyttet væk"
    )


def internal_problem(error: BaseException) -> Problem:
    """An unexpected error, told without personal data: its class and a reduced reason only."""
    kind = type(error).__name__
    if isinstance(error, OSError) and error.strerror:
        return Problem(FILE, f"intern fejl: {kind} ({error.strerror})")
    if isinstance(error, UnicodeError) and getattr(error, "reason", None):
        return Problem(FILE, f"intern fejl: {kind} ({error.reason})")  # type: ignore[attr-defined]
    return Problem(FILE, f"intern fejl: {kind}")
