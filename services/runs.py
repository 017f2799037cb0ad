"""Which reception run drives which case: the links intake, the CLI and the runs follow."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from koereplan.status import CaseStatus
from models.db import session
from models.tables import Case
from services.casefile import CaseError


def link_run(engine: Engine, case_ref: str, run_id: str) -> None:
    """Remember which run drives the case, so the CLI and messages can point at it."""
    with session(engine) as db:
        db.execute(
            update(Case)
            .where(col(Case.ref) == case_ref, col(Case.flow_run_id).is_distinct_from(run_id))
            .values(flow_run_id=run_id)
        )


def answers_applied(engine: Engine, case_ref: str) -> int | None:
    """How many coordinator answers the case has applied: the number of the run's next wait."""
    with session(engine) as db:
        return db.exec(select(Case.inputs_applied).where(Case.ref == case_ref)).first()


@dataclass(frozen=True)
class RunToStart:
    """An active case that has no reception run yet: what starting one needs."""

    case_id: int
    ref: str
    kind: str
    status: str
    reception_number: int


def runs_to_start(engine: Engine) -> list[RunToStart]:
    """Active cases without a run, oldest first."""
    with session(engine) as db:
        cases = db.exec(
            select(Case)
            .where(col(Case.flow_run_id).is_(None), Case.status == CaseStatus.ACTIVE)
            .order_by(col(Case.id))
        ).all()
        return [
            RunToStart(
                case_id=case.id or 0,
                ref=case.ref,
                kind=case.kind,
                status=case.status,
                reception_number=case.reception_number,
            )
            for case in cases
        ]


def record_started_run(engine: Engine, case_id: int, run_id: str) -> None:
    """Keep the started run on the case, unless one was recorded meanwhile."""
    with session(engine) as db:
        stored = db.get(Case, case_id)
        if stored is not None and stored.flow_run_id is None:
            stored.flow_run_id = run_id
            db.add(stored)


@dataclass(frozen=True)
class CaseRun:
    """A case's row id and the reception run that drives it (None before intake starts one)."""

    case_id: int
    flow_run_id: str | None


def case_run(db: Session, ref: str) -> CaseRun:
    """The case's id and run, or CaseError naming the case."""
    row = db.exec(select(Case.id, Case.flow_run_id).where(Case.ref == ref)).first()
    if row is None:
        raise CaseError(f"Sagen {ref} findes ikke.")
    case_id, run_id = row
    return CaseRun(case_id=case_id or 0, flow_run_id=run_id)


def run_ids(db: Session, refs: list[str]) -> list[str]:
    """The runs of these cases that have one."""
    query = select(Case.flow_run_id).where(
        col(Case.ref).in_(refs), col(Case.flow_run_id).is_not(None)
    )
    return [str(run_id) for run_id in db.exec(query).all()]


def case_of_run(db: Session, flow_run_id: str) -> str:
    """The reference of the case a run drives."""
    return db.exec(select(Case.ref).where(Case.flow_run_id == flow_run_id)).one()


def runs_by_notice(db: Session) -> dict[str, str]:
    """Notice id to the case's run id (as text), oldest case first."""
    cases = db.exec(select(Case).order_by(col(Case.id))).all()
    return {case.notice_id: str(case.flow_run_id) for case in cases}


def case_refs(db: Session) -> list[str]:
    """Every case's reference, oldest first."""
    return list(db.exec(select(Case.ref).order_by(col(Case.id))).all())
