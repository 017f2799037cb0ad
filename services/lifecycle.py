"""Reading cases by their status, for `koereplan status` and the overview."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from koereplan.status import CaseStatus
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


def ended_since(db: Session, since: datetime) -> list[tuple[str, str]]:
    """(case ref, run id) of cases withdrawn or closed since `since` that have a run."""
    query = select(Case.ref, Case.flow_run_id).where(
        col(Case.status).in_(ENDED),
        col(Case.status_changed_at) >= since,
        col(Case.flow_run_id).is_not(None),
    )
    return [(ref, str(run_id)) for ref, run_id in db.exec(query).all()]
