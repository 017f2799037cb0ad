"""The deadline monitor's SQL: candidate steps, active cases, member labels, levels and audit.

Set-based and index-friendly, so a run over tens of thousands of steps stays cheap: plain rows
rather than ORM objects, ids in chunks (one array parameter on PostgreSQL), a few UPDATEs and
one INSERT ... SELECT per change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    String,
    any_,
    bindparam,
    cast,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.engine import Row
from sqlmodel import Session

from koereplan.household import Person, person_labels
from koereplan.reminders import WATCHED, Action, Window
from koereplan.status import AuditAction, CaseStatus
from models.columns import UTCDateTime, utcnow
from models.tables import AuditEntry, Case, Member, Step
from notifications.links import flow_run_url

WHO = "deadline-monitor"
CHUNK = 5000  # ids per IN list: SQLite >= 3.32 binds up to 32,766, PostgreSQL 65,535
MONITOR_LOCK = 0x4B52_0001  # PostgreSQL advisory lock: one monitor run at a time

STEPS = Step.__table__  # type: ignore[attr-defined]
CASES = Case.__table__  # type: ignore[attr-defined]
MEMBERS = Member.__table__  # type: ignore[attr-defined]
AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]

# Step ids grouped by (action, old level, new level): one statement per group.
Changes = dict[tuple[Action, int, int], list[int]]


def one_run_at_a_time(db: Session) -> None:
    """Take the write lock first, so a concurrent run waits and then finds nothing new."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MONITOR_LOCK})
    else:  # a write statement makes SQLite take its (database-wide) write lock now
        db.execute(update(STEPS).where(text("0 = 1")).values(reminder_level=STEPS.c.reminder_level))


def candidates(db: Session, run: Window) -> Sequence[Row[Any]]:
    """Watched steps due on or before the horizon: plain rows from the (status, due) index.

    Cases are not joined here: SQLite would then walk every active case's steps instead of
    the index. Steps of cases that are no longer active are dropped by the monitor.
    """
    s = STEPS.c
    query = select(
        s.id,
        s.case_id,
        s.position,
        s.title,
        s.due,
        s.legal,
        s.responsible,
        s.person_id,
        s.status,
        s.reminder_level,
        s.last_reminded_on,
    ).where(s.status.in_(sorted(WATCHED)), s.due <= run.horizon)
    return db.execute(query).all()


def active_cases(db: Session, case_ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """Case id -> (reference, Prefect UI link) for the active ones among `case_ids`."""
    c = CASES.c
    found: dict[int, tuple[str, str | None]] = {}
    for chunk in chunks(case_ids):
        query = select(c.id, c.ref, c.flow_run_id).where(
            among(db, c.id, chunk), c.status == CaseStatus.ACTIVE.value
        )
        for case in db.execute(query).all():
            link = flow_run_url(case.flow_run_id) if case.flow_run_id else None
            found[case.id] = (case.ref, link)
    return found


def member_labels(db: Session, case_ids: set[int]) -> dict[tuple[int, str], str]:
    """(case id, person id) -> `barn 2`, from roles and positions only: names are never read."""
    m = MEMBERS.c
    people: dict[int, list[Person]] = defaultdict(list)
    for chunk in chunks(case_ids):
        query = (
            select(m.case_id, m.person_id, m.role)
            .where(among(db, m.case_id, chunk))
            .order_by(m.case_id, m.position)
        )
        for member in db.execute(query).all():
            # Labels depend on role and order only; the age is not read here.
            people[member.case_id].append(Person(member.person_id, member.role, age=0))
    return {
        (case_id, person_id): label
        for case_id, persons in people.items()
        for person_id, label in person_labels(persons).items()
    }


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    """Ids in sorted slices small enough for any database's bound-parameter limit."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def among(db: Session, column: Any, ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids`; one array parameter on PostgreSQL, where thousands of binds are slow."""
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def raise_levels(db: Session, run: Window, changes: Changes) -> None:
    """New reminder levels, a few set-based UPDATEs; the old level guards against a lost race."""
    s = STEPS.c
    for (_, old, new), ids in changes.items():
        for chunk in chunks(ids):
            db.execute(
                update(STEPS)
                .where(among(db, s.id, chunk), s.reminder_level == old)
                .values(reminder_level=new, last_reminded_on=run.today),
                execution_options={"synchronize_session": False},
            )


def audit_and_raise(db: Session, run: Window, changes: Changes) -> None:
    """Raise the levels, then record each change in the audit log."""
    raise_levels(db, run, changes)
    audit(db, run, changes)


def audit(db: Session, run: Window, changes: Changes) -> None:
    """One audit entry per step changed, written by INSERT ... SELECT from the steps."""
    s = STEPS.c
    at = literal(utcnow(), UTCDateTime())
    columns = ["case_id", "step_id", "at", "who", "action", "old", "new", "detail"]
    for (action, old, new), ids in changes.items():
        verb = AuditAction.REMINDED if action is Action.REMINDER else AuditAction.ESCALATED
        for chunk in chunks(ids):
            rows = select(
                s.case_id,
                s.id,
                at,
                literal(WHO),
                literal(verb.value),
                literal(str(old)),
                literal(str(new)),
                literal("frist ") + cast(s.due, String),
            ).where(
                among(db, s.id, chunk),
                s.reminder_level == new,
                s.last_reminded_on == run.today,
            )
            db.execute(insert(AUDIT).from_select(columns, rows))
