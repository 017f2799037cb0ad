"""Reading cases by their status, for `koereplan status` and the overview."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.status import CaseStatus
from models.tables import Case

ENDED = (CaseStatus.WITHDRAWN.value, CaseStatus.CLOSED.value)


def case_counts(db: Session) -> Counter[str]:
    """How many cases have each status."""
    rows = db.exec(select(Case.status, func.count()).group_by(Case.status)).all()
    return Counter({status: count for status, count in rows})


def ended_cases(db: Session, *, limit: int) -> list[Case]:
    """The most recently withdrawn or closed cases, newest first."""
    query = (
        select(Case)
        .where(col(Case.status).in_(ENDED))
        .order_by(col(Case.status_changed_at).desc(), col(Case.id).desc())
        .limit(limit)
    )
    return list(db.exec(query).all())
