"""What intake made of one file: the record kept of it, and a refusal told to coordinators."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from koereplan.definition import Definition
from koereplan.problems import Problem
from koereplan.status import NoticeOutcome
from models.tables import NoticeRecord
from services.tell import tell_notice_rejected

QUARANTINED = (NoticeOutcome.REJECTED.value, NoticeOutcome.CONFLICT.value)


@dataclass(frozen=True)
class Received:
    """What intake made of one file."""

    file_name: str
    outcome: str
    case_ref: str | None = None
    notice_id: str | None = None
    problems: tuple[Problem, ...] = ()
    wake_run: str | None = None  # a waiting reception run that must look at its case again

    @property
    def quarantined(self) -> bool:
        """Rejected and conflicting files go to quarantine; the rest are processed."""
        return self.outcome in QUARANTINED


def content_hash(raw: bytes) -> str:
    """The notice's content, independent of whitespace and key order."""
    data = json.loads(raw.decode("utf-8-sig"))
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    file_name: str,
    raw: bytes,
    sha: str,
    notice_id: str | None,
    outcome: str,
    *,
    case_id: int | None = None,
    problems: Sequence[Problem] = (),
) -> NoticeRecord:
    """The notice file as received, byte for byte, with what intake made of it."""
    return NoticeRecord(
        file_name=file_name,
        raw=raw,
        sha256=sha,
        notice_id=notice_id,
        outcome=outcome,
        error=[{"where": p.where, "message": p.message} for p in problems] or None,
        case_id=case_id,
    )


def reject(
    db: Session,
    definition: Definition,
    file_name: str,
    raw: bytes,
    sha: str,
    problems: Sequence[Problem],
    notice_id: str | None,
    outcome: str,
) -> Received:
    """Record a refused file and tell the coordinators once, with the reasons."""
    row = record(file_name, raw, sha, notice_id, outcome, problems=problems)
    db.add(row)
    db.flush()
    assert row.id is not None
    tell_notice_rejected(
        db,
        definition,
        record_id=row.id,
        file_name=file_name,
        problems=problems,
        notice_id=notice_id,
    )
    return Received(file_name, outcome, None, notice_id, tuple(problems))
