"""What `koereplan status` reports, read in one unit of work: the CLI only prints it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlmodel import col, select

from koereplan.progress import OVERDUE_CAPABLE, is_overdue
from koereplan.status import CaseStatus
from models.db import session
from models.tables import Case, OutboxMessage, Step
from services.lifecycle import case_counts, ended_cases


@dataclass(frozen=True)
class ActiveCase:
    """One row of the active cases: its open, overdue and legally overdue steps."""

    ref: str
    kind: str
    arrival: date
    overbooked: bool
    open: int
    overdue: int
    legal_overdue: int


@dataclass(frozen=True)
class StatusReport:
    """Active cases, cases per status, the latest ended cases and messages per delivery state."""

    active: list[ActiveCase]
    per_status: Counter[str]
    ended: list[Case]
    messages: Counter[str]


def status_report(engine: Engine, today: date, *, ended_shown: int) -> StatusReport:
    """The report as of `today` (overdue means due before it); `ended_shown` newest ended."""
    with session(engine) as db:
        cases = db.exec(
            select(Case).where(Case.status == CaseStatus.ACTIVE).order_by(col(Case.id))
        ).all()
        active = []
        for case in cases:
            steps = db.exec(select(Step).where(Step.case_id == case.id)).all()
            open_steps = [s for s in steps if s.status in OVERDUE_CAPABLE]
            late = [s for s in open_steps if is_overdue(s.status, s.due, today)]
            active.append(
                ActiveCase(
                    ref=case.ref,
                    kind=case.kind,
                    arrival=case.arrival_date,
                    overbooked=case.arrival_overbooked,
                    open=len(open_steps),
                    overdue=len(late),
                    legal_overdue=sum(s.legal for s in late),
                )
            )
        return StatusReport(
            active=active,
            per_status=case_counts(db),
            ended=ended_cases(db, limit=ended_shown),
            messages=Counter(db.exec(select(OutboxMessage.status)).all()),
        )
