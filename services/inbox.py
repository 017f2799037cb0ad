"""The notice drop: files are claimed by an atomic rename, then filed as processed or quarantined.

Nothing is deleted. Two intakes over one folder never take the same file: the rename into
`.behandles/` succeeds for one of them only.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from koereplan.definition import Definition
from koereplan.notice import MAX_NOTICE_BYTES
from koereplan.settings import Settings
from services.intake import Received, receive_file

CLAIMED = ".behandles"
PROCESSED = "processed"
QUARANTINE = "quarantine"
STALE_CLAIM_S = 600  # an intake that died mid-file left it claimed: give it back


def pending_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox, oldest name first (hidden and partial files are skipped)."""
    if not inbox.is_dir():
        return []
    _return_stale_claims(inbox)
    return sorted(
        p
        for p in inbox.iterdir()
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".part")
    )


def claim(path: Path) -> Path | None:
    """Move a file into the claimed folder; None when another intake took it first."""
    folder = path.parent / CLAIMED
    folder.mkdir(exist_ok=True)
    # The claim time is in the name: a file's own mtime can be days old.
    target = folder / f"{int(time.time())}-{uuid.uuid4().hex[:8]}--{path.name}"
    try:
        os.rename(path, target)
    except FileNotFoundError:
        return None
    return target


def original_name(claimed: Path) -> str:
    """The file's name as it was dropped."""
    return claimed.name.split("--", 1)[1] if "--" in claimed.name else claimed.name


def read_claimed(claimed: Path) -> bytes:
    """At most one byte more than a notice may have: enough to reject a huge file unread."""
    with claimed.open("rb") as handle:
        return handle.read(MAX_NOTICE_BYTES + 1)


def receive_claimed(
    engine: Engine, definition: Definition, settings: Settings, folder: Path, claimed: Path
) -> Received:
    """Receive one claimed file, then file it away: the database first, then the file."""
    result = receive_file(
        engine, definition, settings, file_name=original_name(claimed), raw=read_claimed(claimed)
    )
    file_away(folder, claimed, result)
    return result


def file_away(inbox: Path, claimed: Path, result: Received) -> Path:
    """Processed or quarantine (with `<name>.error.json`); never overwrites an earlier file."""
    folder = inbox / (QUARANTINE if result.quarantined else PROCESSED)
    folder.mkdir(exist_ok=True)
    target = _free_name(folder / original_name(claimed))
    os.rename(claimed, target)
    if result.quarantined:
        error = {
            "fil": original_name(claimed),
            "udfald": result.outcome,
            "notice_id": result.notice_id,
            "modtaget": datetime.now(UTC).isoformat(timespec="seconds"),
            "problemer": [{"felt": p.where, "problem": p.message} for p in result.problems],
        }
        error_file = target.with_name(target.name + ".error.json")
        error_file.write_text(json.dumps(error, ensure_ascii=False, indent=2) + "\n")
    return target


def _free_name(path: Path) -> Path:
    candidate, n = path, 0
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}.{n}{path.suffix}")
    return candidate


def _return_stale_claims(inbox: Path) -> None:
    folder = inbox / CLAIMED
    if not folder.is_dir():
        return
    cutoff = time.time() - STALE_CLAIM_S
    for claimed in folder.iterdir():
        stamp = claimed.name.split("-", 1)[0]
        if stamp.isdigit() and int(stamp) < cutoff:
            try:
                os.rename(claimed, _free_name(inbox / original_name(claimed)))
            except FileNotFoundError:
                continue
