"""The overview's figures, one set-based query per view (SQLite and PostgreSQL alike).

Nothing here loops over cases: each view is one SELECT that groups or windows over the
steps, plus one small read of member roles for the labels of the queue lines shown.
Members' names are never read.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, func, literal, or_, select, true
from sqlmodel import Session

from koereplan.compliance import LegalStep, month_bounds
from koereplan.definition import Definition
from koereplan.overview import (
    NO_OPEN_STEP,
    Arrival,
    Compliance,
    LegalOverdue,
    Overview,
    Queue,
    QueueItem,
    compliance_of,
)
from koereplan.progress import OVERDUE_CAPABLE
from koereplan.status import CaseStatus, Phase, StepStatus
from koereplan.takeover import REGISTRATION_STEP
from koereplan.workdays import add_working_days, local_date
from models.tables import Case, Member, Step
from services.casefile import department_names
from services.monitor_sql import member_labels

ARRIVAL_WINDOW_WD = 10
ARTIFACT_LINES = 200  # lines per department artifact; the CLI shows them all
UNFINISHED = (StepStatus.PLANNED.value, StepStatus.OPEN.value, StepStatus.WAITING.value)
QUEUE_STATUSES = tuple(sorted(OVERDUE_CAPABLE))

STEPS = Step.__table__  # type: ignore[attr-defined]
CASES = Case.__table__  # type: ignore[attr-defined]
MEMBERS = Member.__table__  # type: ignore[attr-defined]
ACTIVE = CASES.c.status == CaseStatus.ACTIVE.value


def overview(db: Session, *, today: date) -> Overview:
    """The `oversigt` view: active cases by phase, arrivals soon, CPR waits, legal overdue."""
    until = add_working_days(today, ARRIVAL_WINDOW_WD)
    return Overview(
        today=today,
        until=until,
        by_phase=_by_phase(db),
        arrivals=_arrivals(db, today, until),
        waiting_cpr=_waiting_cpr(db),
        overdue_legal=_overdue_legal(db, today),
    )


def _by_phase(db: Session) -> dict[str, int]:
    """Active cases counted by the earliest phase that still has an unfinished step."""
    s, c = STEPS.c, CASES.c
    phases = list(Phase)
    rank = case({p.value: i for i, p in enumerate(phases)}, value=s.phase, else_=len(phases))
    per_case = (
        select(c.id, func.min(rank).label("rank"))
        .select_from(CASES.outerjoin(STEPS, and_(s.case_id == c.id, s.status.in_(UNFINISHED))))
        .where(ACTIVE)
        .group_by(c.id)
        .subquery()
    )
    rows = db.execute(
        select(per_case.c.rank, func.count()).group_by(per_case.c.rank).order_by(per_case.c.rank)
    ).all()
    words = [p.value for p in phases]
    return {words[r] if r is not None and r < len(words) else NO_OPEN_STEP: n for r, n in rows}


def _arrivals(db: Session, today: date, until: date) -> tuple[Arrival, ...]:
    """Active cases arriving from today up to `until`, with the household size."""
    c, m = CASES.c, MEMBERS.c
    size = select(m.case_id, func.count().label("size")).group_by(m.case_id).subquery()
    rows = db.execute(
        select(c.arrival_date, c.ref, func.coalesce(size.c.size, 0))
        .select_from(CASES.outerjoin(size, size.c.case_id == c.id))
        .where(ACTIVE, c.arrival_date >= today, c.arrival_date <= until)
        .order_by(c.arrival_date, c.ref)
    ).all()
    return tuple(Arrival(day, ref, int(n)) for day, ref, n in rows)


def _waiting_cpr(db: Session) -> tuple[str, ...]:
    """Active cases whose CPR registration step is not finished yet."""
    s, c = STEPS.c, CASES.c
    rows = db.execute(
        select(c.ref)
        .distinct()
        .select_from(CASES.join(STEPS, s.case_id == c.id))
        .where(ACTIVE, s.key == REGISTRATION_STEP, s.status.in_(UNFINISHED))
        .order_by(c.ref)
    ).scalars()
    return tuple(rows)


def _overdue_legal(db: Session, today: date) -> tuple[LegalOverdue, ...]:
    """Active cases with legal steps past their due date, most overdue first."""
    s, c = STEPS.c, CASES.c
    rows = db.execute(
        select(c.ref, s.responsible, func.count(), func.min(s.due))
        .select_from(CASES.join(STEPS, s.case_id == c.id))
        .where(ACTIVE, s.legal.is_(True), s.status.in_(QUEUE_STATUSES), s.due < today)
        .group_by(c.ref, s.responsible)
    ).all()
    per_case: dict[str, list[Any]] = defaultdict(lambda: [0, None, []])
    for ref, department, n, oldest in rows:
        entry = per_case[ref]
        entry[0] += n
        entry[1] = oldest if entry[1] is None else min(entry[1], oldest)
        entry[2].append(department)
    found = [
        LegalOverdue(ref, n, oldest, tuple(sorted(depts)))
        for ref, (n, oldest, depts) in per_case.items()
    ]
    return tuple(sorted(found, key=lambda o: (o.oldest_due, o.case_ref)))


def queues(
    db: Session,
    definition: Definition,
    *,
    today: date,
    department: str | None = None,
    limit: int | None = None,
    due_until: date | None = None,
) -> dict[str, Queue]:
    """Each department's open steps (or one department's), overdue first, then by due date.

    One statement: counts per department joined to the lines ranked by a window function
    over the partial index `ix_steps_queue`; only the first `limit` lines, or those due by
    `due_until`, are read (always the first line, so every department with something open
    is in the result).
    """
    s, c = STEPS.c, CASES.c
    # Literal values, so SQLite can use the partial index `ix_steps_queue` written the same way.
    statuses: Any = bindparam(
        "queue_statuses", list(QUEUE_STATUSES), expanding=True, literal_execute=True
    )
    centre = definition.asylum_centre
    open_steps = [
        s.status.in_(statuses),
        s.due.is_not(None),
        s.case_id.not_in(select(c.id).where(c.status != CaseStatus.ACTIVE.value)),
        (
            s.responsible == department
            if department
            else (s.responsible != centre if centre is not None else true())
        ),
    ]
    counts = (
        select(
            s.responsible.label("department"),
            func.count().label("total"),
            func.sum(case((s.due < today, 1), else_=0)).label("overdue"),
        )
        .where(*open_steps)
        .group_by(s.responsible)
        .subquery()
    )
    ranked = (
        select(
            s.id,
            s.due,
            func.row_number()
            .over(
                partition_by=s.responsible,
                order_by=(s.due, s.case_id, s.position, s.person_id),
            )
            .label("line"),
        )
        .where(*open_steps)
        .subquery()
    )
    rank = ranked.c
    query = (
        select(
            s.responsible,
            c.ref,
            s.case_id,
            s.title,
            s.person_id,
            s.due,
            s.legal,
            s.status,
            c.flow_run_id,
            counts.c.total,
            counts.c.overdue,
        )
        .select_from(
            ranked.join(STEPS, s.id == rank.id)
            .join(CASES, c.id == s.case_id)
            .join(counts, counts.c.department == s.responsible)
        )
        .order_by(s.responsible, rank.line)
    )
    if limit is not None:
        query = query.where(rank.line <= literal(limit, Integer))
    if due_until is not None:
        query = query.where(or_(rank.line == 1, rank.due <= due_until))
    rows = db.execute(query).all()
    labels = member_labels(db, {r.case_id for r in rows if r.person_id})
    found: dict[str, Queue] = {}
    lines: dict[str, list[QueueItem]] = defaultdict(list)
    for r in rows:
        member = labels.get((r.case_id, r.person_id), r.person_id) if r.person_id else "husstand"
        lines[r.responsible].append(
            QueueItem(r.ref, r.title, member, r.due, bool(r.legal), r.status, r.flow_run_id)
        )
        found[r.responsible] = Queue(
            department=r.responsible,
            name=_name(definition, r.responsible),
            today=today,
            total=int(r.total),
            overdue=int(r.overdue or 0),
            items=(),
        )
    return {
        key: Queue(**{**queue.__dict__, "items": tuple(lines[key])})
        for key, queue in sorted(found.items())
    }


def all_queues(
    db: Session, definition: Definition, *, today: date, limit: int | None = None
) -> dict[str, Queue]:
    """Every department's queue, empty ones included, so each artifact key stays in use."""
    found = queues(db, definition, today=today, limit=limit)
    empty = {
        key: Queue(key, dept.name, today, 0, 0, ())
        for key, dept in definition.departments.items()
        if not dept.from_case
    }
    return dict(sorted((empty | found).items()))


def compliance(
    db: Session, definition: Definition, *, today: date, first: str, last: str
) -> Compliance:
    """Legal deadlines due in the months `first`..`last` (YYYY-MM), judged on `today`.

    One GROUP BY query counts alike steps (same key, department, due date, status and the
    UTC hour they were done in); the hour is enough to know the Copenhagen day.
    """
    s = STEPS.c
    start, end = month_bounds(first, last)
    hour = _utc_hour(db, s.done_at)
    rows = db.execute(
        select(s.key, s.responsible, s.due, s.status, hour, func.count())
        .where(s.legal == true(), s.due >= start, s.due <= end)
        .group_by(s.key, s.responsible, s.due, s.status, hour)
    ).all()
    steps = [
        (LegalStep(key, dept, due, status, _copenhagen_day(done)), int(n))
        for key, dept, due, status, done, n in rows
    ]
    return compliance_of(
        steps,
        today=today,
        first=first,
        last=last,
        titles={step.key: step.title for step in definition.steps},
        names=department_names(definition),
    )


def _utc_hour(db: Session, column: Any) -> Any:
    """`YYYY-MM-DD HH` of a UTC timestamp column (SQLite stores it as naive UTC text)."""
    if db.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return func.substr(column, 1, 13)


@lru_cache(maxsize=8192)
def _copenhagen_day(utc_hour: str | None) -> date | None:
    """The Copenhagen date of a `YYYY-MM-DD HH` UTC hour."""
    if not utc_hour:
        return None
    moment = datetime.strptime(utc_hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
    return local_date(moment)


def _name(definition: Definition, department: str) -> str:
    """The department's name from the køreplan, or its key when the køreplan lacks it."""
    found = definition.departments.get(department)
    return found.name if found else department
