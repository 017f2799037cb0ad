"""Personal documents beside a notice: announced by the notice, filed with the case.

A document is moved (one rename, never copied and deleted) into the case's folder under the
data folder, readable only by the service's user; its path and checksum are in the database.
Documents never reach messages, logs or Prefect: only counts leave this module, and the
coordinators learn a case number and a file name when something is wrong.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from koereplan.definition import Definition
from koereplan.documents import (
    FILE,
    MISMATCH,
    NO_NOTICE,
    OTHER_CHECKSUM,
    QUARANTINE,
    Announced,
    decide,
    missing_reported,
)
from koereplan.notice_fields import Document
from models.columns import utcnow
from models.db import session
from models.tables import Case, CaseDocument
from services.tell import tell_document_problem
from settings import Settings

INBOX_QUARANTINE = "quarantine"
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC


def document_counts(db: Session, case_id: int) -> tuple[int, int]:
    """(received, announced) documents of a case, for the checklist."""
    rows = db.exec(select(col(CaseDocument.path)).where(CaseDocument.case_id == case_id)).all()
    return sum(path is not None for path in rows), len(rows)


def announce(db: Session, case: Case, notice_id: str, documents: Sequence[Document]) -> None:
    """Expect the documents a notice names; a later notice may correct a checksum."""
    known = {
        d.filename: d
        for d in db.exec(select(CaseDocument).where(CaseDocument.case_id == case.id)).all()
    }
    for document in documents:
        row = known.get(document.filename)
        if row is None:
            row = CaseDocument(
                case_id=case.id or 0,
                notice_id=notice_id,
                filename=document.filename,
                sha256=document.sha256,
            )
        elif row.path is None and row.sha256 != document.sha256:
            row.sha256, row.notice_id, row.mismatch_at = document.sha256, notice_id, None
        db.add(row)
    db.flush()


def file_documents(
    engine: Engine,
    definition: Definition,
    settings: Settings,
    inbox: Path,
    paths: Sequence[Path],
    now: datetime | None = None,
) -> Counter[str]:
    """File, leave waiting or quarantine each document; report long-missing ones. Counts only."""
    now = now or utcnow()
    outcomes: Counter[str] = Counter()
    for path in paths:
        try:
            outcomes[_one(engine, definition, settings, inbox, path, now)] += 1
        except OSError:
            outcomes["error"] += 1  # gone, unreadable or another file system: tried again later
    outcomes["missing"] = report_missing(engine, definition, settings, now)
    return outcomes


def report_missing(
    engine: Engine, definition: Definition, settings: Settings, now: datetime
) -> int:
    """Tell the coordinators once about each document announced long ago and not received."""
    after = timedelta(seconds=settings.document_missing_seconds)
    with session(engine) as db:
        rows = db.exec(
            select(CaseDocument, Case.ref)
            .join(Case, col(Case.id) == CaseDocument.case_id)
            .where(
                col(CaseDocument.path).is_(None), col(CaseDocument.missing_reported_at).is_(None)
            )
        ).all()
        late = [(row, ref) for row, ref in rows if missing_reported(row.announced_at, now, after)]
        for row, ref in late:
            row.missing_reported_at = now
            db.add(row)
            tell_document_problem(
                db, definition, ref, row.filename, "er ikke modtaget", row.case_id
            )
    return len(late)


def _one(
    engine: Engine,
    definition: Definition,
    settings: Settings,
    inbox: Path,
    path: Path,
    now: datetime,
) -> str:
    sha256, arrived = _checksum(path)
    with session(engine) as db:
        rows = db.exec(
            select(CaseDocument, Case.ref)
            .join(Case, col(Case.id) == CaseDocument.case_id)
            .where(CaseDocument.filename == path.name, col(CaseDocument.path).is_(None))
        ).all()
        announced = [Announced(ref, row.filename, row.sha256) for row, ref in rows]
        wait = timedelta(seconds=settings.document_wait_seconds)
        action, match = decide(path.name, sha256, arrived, now, announced, wait)
        row = next((r for r, ref in rows if match and ref == match.case_ref), None)
        if action == FILE and row is not None and match is not None:
            target = _file(settings.documents_dir, match.case_ref, path)
            try:
                row.path, row.received_at = str(target), now
                db.add(row)
                db.flush()
            except BaseException:
                os.rename(target, path)  # the database said no: the document goes back
                raise
        elif action == MISMATCH and row is not None and match is not None:
            if row.mismatch_at is None:
                row.mismatch_at = now
                db.add(row)
                tell_document_problem(
                    db, definition, match.case_ref, path.name, "har en anden sha256", row.case_id
                )
            _quarantine(inbox, path, OTHER_CHECKSUM)
        elif action == QUARANTINE:
            tell_document_problem(db, definition, None, path.name, NO_NOTICE, None, sha256)
            _quarantine(inbox, path, NO_NOTICE)
    return action


def _checksum(path: Path) -> tuple[str, datetime]:
    """The file's sha256 and when it came into the inbox (a rename there sets its ctime)."""
    fd = os.open(path, _READ_FLAGS)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        digest = hashlib.sha256()
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    arrived = datetime.fromtimestamp(max(info.st_mtime, info.st_ctime), UTC)
    return digest.hexdigest(), arrived


def _file(root: Path, case_ref: str, path: Path) -> Path:
    """Move the document into the case's folder (0700), readable by the owner only (0600)."""
    folder = root / case_ref
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for part in (root, folder):
        os.chmod(part, 0o700)
    os.chmod(path, 0o600)  # before the move: it is never readable by others in its new home
    target = _free(folder / path.name)
    os.rename(path, target)
    return target


def _quarantine(inbox: Path, path: Path, reason: str) -> None:
    folder = inbox / INBOX_QUARANTINE
    folder.mkdir(exist_ok=True)
    target = _free(folder / path.name)
    os.rename(path, target)
    error = {
        "fil": path.name,
        "udfald": "dokument",
        "modtaget": utcnow().isoformat(timespec="seconds"),
        "problemer": [{"felt": "fil", "problem": reason}],
    }
    target.with_name(target.name + ".error.json").write_text(
        json.dumps(error, ensure_ascii=False, indent=2) + "\n"
    )


def _free(path: Path) -> Path:
    candidate, n = path, 0
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}.{n}{path.suffix}")
    return candidate
