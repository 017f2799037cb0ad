"""Stored cases under the law's takeover rule (IL § 4): recompute, redate, tell, record.

Run once after the schema migration (`koereplan migrate-takeover`). Cases stored before it
counted their legal deadlines from the arrival. Done steps never change; a second run finds
nothing to do. A dry run does the same work and rolls it back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from koereplan.definition import Definition
from koereplan.planner import step_due
from koereplan.status import AuditAction, CaseStatus, NoticeOutcome, StepStatus, TakeoverBasis
from koereplan.takeover import (
    BASIS_DA,
    LEGAL_BASES,
    REGISTRATION_STEP,
    Takeover,
    by_registration,
    consent_problem,
    describe_takeover,
    statutory_takeover,
)
from models.columns import utcnow
from models.tables import AuditEntry, Case, NoticeRecord, Step
from notifications.contexts import DueChange, DueMovedContext
from notifications.messages import MessageType
from services.casefile import CaseFile, department_names, load_case
from services.outbox import Outgoing, enqueue_all, idempotency_key
from services.steps import advance, redate, stored_dates
from services.tell import recipients, step_line, tell_departments_about

WHO = "migrate-takeover"
NEW_STEPS = (REGISTRATION_STEP, "digital_post_revurdering")
REASON = "Overtagelsesdatoen er genberegnet efter integrationsloven § 4"


@dataclass
class CaseMigrated:
    """What the migration changed (or would change) in one case, as plain text."""

    ref: str
    old: str
    new: str
    moved: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def changed(self) -> bool:
        """Whether anything in the case changes."""
        return self.old != self.new or bool(self.moved or self.added)


@dataclass
class MigrationReport:
    """Every active case looked at; the digests written per department."""

    cases: list[CaseMigrated]
    digests: dict[str, int]
    dry_run: bool

    @property
    def changed(self) -> list[CaseMigrated]:
        """Only the cases that change."""
        return [c for c in self.cases if c.changed]

    @property
    def steps_moved(self) -> int:
        """Unfinished steps whose due date changes."""
        return sum(len(c.moved) for c in self.cases)


def migrate_takeover(engine: Engine, definition: Definition, *, dry_run: bool) -> MigrationReport:
    """Recompute every active case in one transaction; a dry run rolls it back."""
    with Session(engine, expire_on_commit=False) as db:
        try:
            report = migrate_cases(db, definition, dry_run=dry_run)
        except BaseException:
            db.rollback()
            raise
        if dry_run:
            db.rollback()
        else:
            db.commit()
    return report


def migrate_cases(db: Session, definition: Definition, *, dry_run: bool) -> MigrationReport:
    """The work of one migration run in the caller's transaction."""
    refs = db.exec(
        select(Case.ref).where(Case.status == CaseStatus.ACTIVE.value).order_by(col(Case.id))
    ).all()
    results: list[CaseMigrated] = []
    changes: dict[str, list[DueChange]] = defaultdict(list)
    for ref in refs:
        cf = load_case(db, ref, for_update=True)
        result, moved = _migrate_case(db, cf, definition)
        results.append(result)
        for department, steps in recipients(definition, [step for step, _ in moved]).items():
            old_due = {id(step): old for step, old in moved}
            changes[department].extend(DueChange(step_line(cf, s), old_due[id(s)]) for s in steps)
    stamp = utcnow().isoformat()
    names = department_names(definition)
    enqueue_all(
        db,
        [
            Outgoing(
                department=department,
                message_type=MessageType.DUE_MOVED,
                context=DueMovedContext(names.get(department, department), lines, REASON),
                key=idempotency_key("migrate_takeover", department, stamp),
            )
            for department, lines in changes.items()
        ],
    )
    digests = {department: len(lines) for department, lines in changes.items()}
    return MigrationReport(results, digests, dry_run)


def _migrate_case(
    db: Session, cf: CaseFile, definition: Definition
) -> tuple[CaseMigrated, list[tuple[Step, date | None]]]:
    case = cf.case
    old_text = describe_takeover(case.takeover_date, case.takeover_basis)
    decision, legal_basis = _decision_and_basis(db, case)
    target, note = _target(case, decision, legal_basis)
    result = CaseMigrated(case.ref, old_text, describe_takeover(target.date, target.basis))
    result.note = note
    if (case.decision_date, case.legal_basis) != (decision, legal_basis):
        case.decision_date, case.legal_basis = decision, legal_basis
    if (case.takeover_date, case.takeover_basis) != (target.date, target.basis):
        db.add(
            AuditEntry(
                case_id=case.id or 0,
                who=WHO,
                action=AuditAction.TAKEOVER.value,
                old=case.takeover_date.isoformat() if case.takeover_date else None,
                new=target.date.isoformat() if target.date else None,
                detail=f"genberegnet efter IL § 4 ({BASIS_DA[target.basis]})",
            )
        )
        case.takeover_date, case.takeover_basis = target.date, target.basis
    db.add(case)
    result.added = _add_new_steps(db, cf, definition)
    moved = redate(db, cf, definition, anchors=frozenset({"takeover"}), by=WHO)
    opened = advance(db, cf, definition, who=WHO)
    tell_departments_about(db, cf, definition, opened, cause="migrate_takeover")
    labels = cf.labels
    result.moved = [
        f"{step.key}{f' ({labels[step.person_id]})' if step.person_id else ''}: "
        f"{old.isoformat() if old else '–'} → {step.due.isoformat() if step.due else 'venter'}"
        for step, old in moved
    ]
    return result, moved


def _decision_and_basis(db: Session, case: Case) -> tuple[date, str | None]:
    """Stored values, else what the stored notice said (fields unknown when it was received)."""
    if case.takeover_basis is not None:
        return case.decision_date or case.notice_date, case.legal_basis
    record = db.exec(
        select(NoticeRecord)
        .where(NoticeRecord.case_id == case.id, NoticeRecord.outcome == NoticeOutcome.ACCEPTED)
        .order_by(col(NoticeRecord.id))
    ).first()
    data = _json(record.raw) if record else {}
    decision = case.notice_date
    try:
        given = date.fromisoformat(str(data.get("decision_date")))
        if given <= case.notice_date and (case.notice_date - given).days <= 366:
            decision = given
    except ValueError:
        pass
    basis = data.get("legal_basis")
    legal_basis = basis if basis in LEGAL_BASES and case.kind == "opholdstilladelse" else None
    return decision, legal_basis


def _json(raw: bytes) -> dict[str, object]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _target(case: Case, decision: date, legal_basis: str | None) -> tuple[Takeover, str | None]:
    """The takeover under the law's rule, and a note when a stored date had to give way."""
    if case.takeover_basis in (TakeoverBasis.CONSENT, TakeoverBasis.CPR_REGISTRATION) and (
        case.takeover_date is not None
    ):
        return Takeover(case.takeover_date, TakeoverBasis(case.takeover_basis)), None
    given = case.takeover_date if case.takeover_given else None
    if by_registration(case.kind, legal_basis):
        return Takeover(given, TakeoverBasis.CPR_REGISTRATION), None
    statutory = statutory_takeover(decision)
    if given is None:
        return Takeover(statutory, TakeoverBasis.STATUTORY), None
    problem = consent_problem(given, decision)
    if problem:
        note = f"beskedens takeover_date {given.isoformat()} {problem}: lovens frist gælder"
        return Takeover(statutory, TakeoverBasis.STATUTORY), note
    return Takeover(given, TakeoverBasis.CONSENT), None


def _add_new_steps(db: Session, cf: CaseFile, definition: Definition) -> list[str]:
    """Steps the new rules plan that a stored case lacks: `cpr_tilflyttet` where it now waits
    for its CPR registration, `digital_post_revurdering` for members aged 15 to 17."""
    have = {(s.key, s.person_id) for s in cf.steps}
    household = cf.household
    dates = stored_dates(cf.case)
    added: list[str] = []
    for key in NEW_STEPS:
        if not definition.has_step(key) or not definition.step(key).applies_to(household):
            continue
        spec = definition.step(key)
        persons = (
            [""] if spec.scope == "household" else [p.person_id for p in spec.members_of(household)]
        )
        for person_id in persons:
            if (key, person_id) in have:
                continue
            step = Step(
                case_id=cf.case.id or 0,
                position=0,
                key=spec.key,
                person_id=person_id,
                phase=spec.phase,
                title=spec.title,
                kind=spec.kind,
                responsible=spec.responsible,
                notify=list(spec.notify),
                legal=spec.legal,
                due=step_due(spec, dates),
                status=StepStatus.PLANNED.value,  # opened by `advance`, which tells departments
            )
            db.add(step)
            cf.steps.append(step)
            label = cf.label(person_id)
            added.append(f"{key} ({label})" if label else key)
    if added:
        member_index = {m.person_id: m.position for m in cf.members}
        cf.steps.sort(key=lambda s: definition.order_key(s.key, member_index.get(s.person_id, -1)))
        for position, each in enumerate(cf.steps):
            each.position = position
            db.add(each)
        db.flush()
    return added
