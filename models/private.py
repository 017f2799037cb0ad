"""Files and folders that hold personal data are readable by the service's user only."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create a folder (and missing parents) as 0700; folders that exist are left as they are."""
    for folder in reversed([path, *path.parents]):
        if not folder.exists():
            with suppress(FileExistsError):  # another process made it meanwhile
                folder.mkdir(mode=PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Create an empty 0600 file unless it exists, so SQLite (and its -wal) inherit the mode."""
    private_dir(path.parent)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
    return path


def write_private_text(path: Path, text: str) -> None:
    """Write a new text file as 0600 (an error report beside a quarantined notice)."""
    descriptor = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, PRIVATE_FILE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
