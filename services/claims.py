"""Claims on inbox files: who holds a file, and giving it back when that intake is gone.

A claim is a folder `.behandles/<time>-<pid>-<random>/` holding the file under its own name
and `.ejer` (pid, host, boot id, process start). An atomic rename into it decides which of two
intakes takes a file. When the owner process no longer runs on this machine (killed, or the
machine rebooted), the next intake gives the files back at once; a claim from another host
(and one whose owner still runs but is stuck) is given back after STALE_CLAIM_S, as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from koereplan.inbox_rules import fitted_name
from models.private import private_dir

CLAIMED = ".behandles"
OWNER = ".ejer"
STALE_CLAIM_S = 600  # an intake on another host that died mid-file left it claimed
UNOWNED_GRACE_S = 60  # a claim folder without an owner file: its intake died creating it
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@dataclass(frozen=True)
class ClaimInfo:
    """One claim folder as `koereplan status` shows it."""

    files: int
    pid: int | None
    host: str
    since: float
    gone: bool


def claim(path: Path) -> Path | None:
    """Move a file into a new claim folder; None when another intake took it first."""
    box = path.parent / CLAIMED / f"{int(time.time())}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    private_dir(box)  # unique name: a new folder, 0700 like every folder of the inbox
    (box / OWNER).write_text(json.dumps(_me()))
    try:
        os.rename(path, box / path.name)
    except FileNotFoundError:
        shutil.rmtree(box, ignore_errors=True)
        return None
    return box / path.name


def release(claimed: Path) -> None:
    """Remove an emptied claim folder (its file was filed away)."""
    box = claimed.parent
    if box.parent.name == CLAIMED:
        with contextlib.suppress(FileNotFoundError):
            (box / OWNER).unlink()
        with contextlib.suppress(OSError):
            box.rmdir()


def give_back(inbox: Path, claimed: Path) -> None:
    """Put a claimed file back in the inbox untouched (never over another file)."""
    os.rename(claimed, free_name(inbox / claimed.name))
    release(claimed)


def return_abandoned(inbox: Path, now: float | None = None) -> int:
    """Give back every file whose intake is gone; how many files went back."""
    returned = 0
    for box, info in _claims(inbox, now or time.time()):
        if not info.gone:
            continue
        for item in _files(box):
            with contextlib.suppress(FileNotFoundError):
                give_back(inbox, item)
                returned += 1
        if box.is_dir():
            release(box / OWNER)
    return returned


def claims(inbox: Path) -> list[ClaimInfo]:
    """The claims in an inbox that hold files, oldest first."""
    return [info for _, info in _claims(inbox, time.time()) if info.files]


def free_name(path: Path) -> Path:
    """`path`, or `name.1.ext`, `name.2.ext` … when taken; always a name the file system allows."""
    candidate, n = path.with_name(fitted_name(path.name)), 0
    while os.path.lexists(candidate):
        n += 1
        candidate = path.with_name(fitted_name(path.stem, f".{n}{path.suffix}"))
    return candidate


def _claims(inbox: Path, now: float) -> list[tuple[Path, ClaimInfo]]:
    folder = inbox / CLAIMED
    if not folder.is_dir() or folder.is_symlink():
        return []
    found = []
    for box in sorted(folder.iterdir()):
        stamp = box.name.split("-", 1)[0]
        since = float(stamp) if stamp.isdigit() else box.lstat().st_mtime
        if box.is_dir() and not box.is_symlink():
            owner = _owner(box)
            gone = _owner_gone(owner, since, now)
            info = ClaimInfo(
                len(_files(box)), owner.get("pid"), owner.get("host", "?"), since, gone
            )
        else:  # a claim from before claim folders: the file itself, its time in the name
            info = ClaimInfo(1, None, "?", since, now - since > STALE_CLAIM_S)
        found.append((box, info))
    return found


def _files(box: Path) -> list[Path]:
    if not box.is_dir() or box.is_symlink():
        return [box]
    return [item for item in box.iterdir() if item.name != OWNER]


def _owner(box: Path) -> dict[str, Any]:
    try:
        data = json.loads((box / OWNER).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _owner_gone(owner: dict[str, Any], since: float, now: float) -> bool:
    """Gone: not running here any more; unknown owners and other hosts only after a wait."""
    if not owner:
        return now - since > UNOWNED_GRACE_S
    me = _me()
    if owner.get("host") != me["host"]:
        return now - since > STALE_CLAIM_S
    if owner.get("boot") != me["boot"] or now - since > STALE_CLAIM_S:
        return True  # rebooted; or a live intake stuck on it (as before claims had owners)
    try:
        process = psutil.Process(int(owner.get("pid", 0)))
        if process.status() == psutil.STATUS_ZOMBIE:
            return True
        return process.create_time() > float(owner.get("started", 0)) + 1  # pid reused
    except psutil.AccessDenied:
        return False  # it runs, under another user
    except (psutil.NoSuchProcess, ValueError):
        return True


def _me() -> dict[str, Any]:
    """This process, as a claim records its owner."""
    try:
        boot = BOOT_ID.read_text().strip()
    except OSError:
        boot = ""
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "boot": boot,
        "started": psutil.Process().create_time(),
    }
