"""The notice drop: files are claimed by an atomic rename, then filed as processed or quarantined.

Nothing is deleted, and one odd entry never stops the inbox: links, folders, pipes and devices
are quarantined unread with a reason, any unexpected error while receiving a file quarantines
that file (`intern fejl: …`), and the coordinators are told once each time. Only settled,
regular `*.json` files are notices; other regular files (documents) are left where they are.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from koereplan.definition import Definition
from koereplan.inbox_rules import (
    entry_problem,
    fitted_name,
    internal_problem,
    is_notice_name,
    is_partial,
    is_settled,
    own_name_problem,
    readable_name,
)
from koereplan.notice_json import MAX_NOTICE_BYTES
from koereplan.problems import Problem
from models.private import private_dir, write_private_text
from services import claims
from services.claims import CLAIMED, claim, free_name, give_back, release
from services.intake import Received, receive_file, refuse_file
from settings import Settings

PROCESSED = "processed"
QUARANTINE = "quarantine"
OWN_FOLDERS = (CLAIMED, PROCESSED, QUARANTINE)
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
ASIDE = ".blokeret-"  # a squatter on an own folder's name, moved aside to be quarantined
DATABASE_DOWN = (OperationalError, InterfaceError)  # not the file's fault: it goes back

__all__ = ["CLAIMED", "claim", "pending_files", "receive_claimed", "take_inbox"]


class RefusedEntry(Exception):
    """An inbox entry that is not a regular file, found when it is opened."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class Scan:
    """What one look at the inbox found."""

    notices: list[Path] = field(default_factory=list)
    documents: list[Path] = field(default_factory=list)  # settled regular files, not `*.json`
    refused: list[tuple[Path, Problem]] = field(default_factory=list)
    waiting: int = 0  # notices still being written (not settled)


@dataclass
class Taken:
    """The files one intake claimed, the entries it refused, and how many wait for next time."""

    claimed: list[Path]
    refused: list[Received]
    waiting: int


def scan(inbox: Path, settle_seconds: float = 0, now: float | None = None) -> Scan:
    """Notices to take (oldest name first), entries to refuse, and how many are not settled."""
    found = Scan()
    now = time.time() if now is None else now
    with os.scandir(inbox) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # taken by another intake while we looked
            if entry.name.startswith(".") or (
                entry.name in OWN_FOLDERS and stat.S_ISDIR(info.st_mode)
            ):
                continue
            path, problem = Path(entry.path), entry_problem(info.st_mode, info.st_nlink)
            notice = is_notice_name(entry.name)
            if problem is not None and (notice or not stat.S_ISREG(info.st_mode)):
                found.refused.append((path, problem))
            elif is_partial(entry.name) or problem is not None:
                continue  # being written; or a document with a second name, for documents to judge
            elif not is_settled(info.st_mtime, now, settle_seconds):
                found.waiting += int(notice)
            else:
                (found.notices if notice else found.documents).append(path)
    return found


def pending_files(inbox: Path, settle_seconds: float = 0) -> list[Path]:
    """Notices waiting in the inbox, after taking back files of intakes that are gone."""
    if not inbox.is_dir():
        return []
    claims.return_abandoned(inbox)
    return scan(inbox, settle_seconds).notices


def take_inbox(engine: Engine, definition: Definition, settings: Settings, inbox: Path) -> Taken:
    """Claim every settled notice; refuse (quarantine and tell) every entry that is no file."""
    if not inbox.is_dir():
        return Taken([], [], 0)
    odd = _squatters(inbox)
    claims.return_abandoned(inbox)
    found = scan(inbox, settings.inbox_settle_seconds)
    refused = (
        _refuse_entry(engine, definition, inbox, path, problem)
        for path, problem in odd + found.refused
    )
    taken = (claim(path) for path in found.notices)
    return Taken(
        [path for path in taken if path is not None],
        [result for result in refused if result is not None],
        found.waiting,
    )


def read_notice_bytes(path: Path) -> bytes:
    """At most one byte more than a notice may have, from a regular file, never through a link."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        problem = entry_problem(stat.S_IFLNK)
    else:
        problem = entry_problem(os.fstat(fd).st_mode)
        if problem is not None:
            os.close(fd)
        else:
            with os.fdopen(fd, "rb") as handle:
                return handle.read(MAX_NOTICE_BYTES + 1)
    assert problem is not None
    raise RefusedEntry(problem)


def receive_claimed(
    engine: Engine, definition: Definition, settings: Settings, folder: Path, claimed: Path
) -> Received:
    """Receive one claimed file, then file it away: the database first, then the file.

    Whatever goes wrong is this file's problem only: it is quarantined with a reason and the
    coordinators are told. When even that cannot be recorded (the database does not answer),
    the file goes back to the inbox untouched and the error is raised.
    """
    try:
        result = _receive(engine, definition, settings, claimed)
    except BaseException:
        give_back(folder, claimed)
        raise
    file_away(folder, claimed, result)
    return result


def _receive(engine: Engine, definition: Definition, settings: Settings, claimed: Path) -> Received:
    name = readable_name(claimed.name)
    raw = b""
    try:
        raw = read_notice_bytes(claimed)
        return receive_file(engine, definition, settings, file_name=name, raw=raw)
    except RefusedEntry as refused:
        return refuse_file(engine, definition, file_name=name, raw=b"", problem=refused.problem)
    except DATABASE_DOWN:
        raise
    except Exception as error:
        return refuse_file(
            engine, definition, file_name=name, raw=raw, problem=internal_problem(error)
        )


def file_away(inbox: Path, claimed: Path, result: Received) -> Path:
    """Processed or quarantine (with `<name>.error.json`); never overwrites an earlier file."""
    target = _move(inbox, claimed, QUARANTINE if result.quarantined else PROCESSED)
    release(claimed)
    if result.quarantined:
        _write_error(target, claimed.name, result)
    return target


def _move(inbox: Path, path: Path, folder_name: str) -> Path:
    folder = inbox / folder_name
    private_dir(folder)
    target = free_name(folder / path.name)
    os.rename(path, target)
    return target


def _write_error(target: Path, original: str, result: Received) -> None:
    error = {
        "fil": readable_name(original),
        "udfald": result.outcome,
        "notice_id": result.notice_id,
        "modtaget": datetime.now(UTC).isoformat(timespec="seconds"),
        "problemer": [{"felt": p.where, "problem": p.message} for p in result.problems],
    }
    error_file = target.with_name(fitted_name(target.name, ".error.json"))
    write_private_text(error_file, json.dumps(error, ensure_ascii=False, indent=2) + "\n")


def _refuse_entry(
    engine: Engine, definition: Definition, inbox: Path, path: Path, problem: Problem
) -> Received | None:
    """Tell once about an entry that is no notice file, then quarantine it unread if it moves."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None  # another intake took care of it
    identity = hashlib.sha256(f"{path.name}\0{info.st_dev}\0{info.st_ino}".encode()).hexdigest()
    aside = path.name.startswith(ASIDE)
    original = path.name.split("--", 1)[1] if aside else path.name
    result = refuse_file(
        engine,
        definition,
        file_name=readable_name(original),
        raw=b"",
        problem=problem,
        identity=identity,
    )
    try:
        target = _move(inbox, path, QUARANTINE)
        if target.name != original:
            target = target.rename(free_name(target.with_name(original)))
    except OSError:
        return result  # told once; it stays where it is (a mount point, a read-only folder)
    _write_error(target, original, result)
    return result


def _squatters(inbox: Path) -> list[tuple[Path, Problem]]:
    """Entries that sit where the inbox's own folders belong, moved aside to be quarantined."""
    found = []
    for name in OWN_FOLDERS:
        path = inbox / name
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(info.st_mode):
            continue
        aside = inbox / f"{ASIDE}{uuid.uuid4().hex[:8]}--{name}"
        os.rename(path, aside)
        found.append((aside, own_name_problem(OWN_FOLDERS)))
    return found


def document_files(inbox: Path, settle_seconds: float = 0) -> list[Path]:
    """Settled regular files that are not notices: documents beside a notice."""
    if not inbox.is_dir():
        return []
    return scan(inbox, settle_seconds).documents
