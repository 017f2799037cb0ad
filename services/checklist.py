"""A case's checklist as coordinators see it, in the UI form, the artifact and the terminal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from koereplan.checklist import ChecklistRow, checklist_rows, waiting_reasons
from koereplan.danish import CASE_STATUS_DA, danish_date
from koereplan.definition import Definition
from koereplan.progress import FINISHED
from koereplan.status import CaseStatus, OutboxStatus, StepStatus
from koereplan.takeover import describe_takeover
from koereplan.workdays import local_date
from services.casefile import CaseFile, department_names, load_case
from services.dispatch import pending_counts
from services.documents import document_counts

_CHOICE_ID = re.compile(r"\[#(\d+)\]$")


@dataclass(frozen=True)
class Choice:
    """An unfinished step a coordinator can pick in the Prefect UI form."""

    step_id: int
    key: str
    person_id: str | None
    label: str


@dataclass(frozen=True)
class Snapshot:
    """Everything the reception flow needs to show and to wait: no personal data."""

    ref: str
    status: str
    flow_run_id: str | None
    inputs_applied: int
    arrival: date
    rows: list[ChecklistRow]
    choices: list[Choice]
    messages: dict[str, int]
    status_reason: str | None = None
    status_date: date | None = None
    takeover: date | None = None
    takeover_basis: str | None = None
    amended_on: date | None = None
    documents: tuple[int, int] = (0, 0)  # received, announced

    def takeover_text(self) -> str:
        """`Overtagelse 4. januar 2027 (lovens frist)`: the start of every legal deadline."""
        return f"Overtagelse {describe_takeover(self.takeover, self.takeover_basis)}"

    @property
    def completed(self) -> bool:
        """Every step is done or not applicable."""
        return self.status == CaseStatus.COMPLETED

    @property
    def active(self) -> bool:
        """Only an active case takes answers; the reception run ends for any other."""
        return self.status == CaseStatus.ACTIVE

    def status_text(self) -> str:
        """`aktiv`, or `lukket 3. december 2026 (sagen lukket: fraflyttet)`: no personal data."""
        text = CASE_STATUS_DA.get(self.status, self.status)
        if self.status_date:
            text += f" {danish_date(self.status_date)}"
        if self.status_reason:
            text += f" ({self.status_reason})"
        return text

    def choice(self, label: str) -> Choice | None:
        """The step a form answer names (by the `[#id]` at the end of its label)."""
        match = _CHOICE_ID.search(label or "")
        if not match:
            return None
        return next((c for c in self.choices if c.step_id == int(match[1])), None)

    def summary(self) -> str:
        """One line: counts per status and messages that could not be sent."""
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        text = ", ".join(f"{n} {status}" for status, n in counts.items())
        failed = self.messages.get(OutboxStatus.FAILED, 0)
        if failed:
            text += f"; {failed} besked(er) kunne ikke sendes"
        if self.amended_on:
            text += f"; Ændret {danish_date(self.amended_on)}"
        received, announced = self.documents
        if announced:
            text += f"; dokumenter: {received} af {announced} modtaget"
        return text


def snapshot(db: Session, definition: Definition, ref: str, today: date) -> Snapshot:
    """Read the case's checklist now."""
    cf = load_case(db, ref)
    return Snapshot(
        ref=cf.case.ref,
        status=cf.case.status,
        flow_run_id=cf.case.flow_run_id,
        inputs_applied=cf.case.inputs_applied,
        arrival=cf.case.arrival_date,
        rows=rows_of(cf, definition, today),
        choices=choices_of(cf),
        messages=pending_counts(db, cf.case.id or 0),
        status_reason=cf.case.status_reason,
        status_date=status_date(cf.case.status_changed_at or cf.case.completed_at),
        takeover=cf.case.takeover_date,
        takeover_basis=cf.case.takeover_basis,
        amended_on=local_date(cf.case.amended_at) if cf.case.amended_at else None,
        documents=document_counts(db, cf.case.id or 0),
    )


def status_date(at: datetime | None) -> date | None:
    """The Copenhagen day of a status change, or None."""
    return local_date(at) if at else None


def rows_of(cf: CaseFile, definition: Definition, today: date) -> list[ChecklistRow]:
    """The checklist rows of a stored case."""
    return checklist_rows(
        cf.steps,  # type: ignore[arg-type]  # person_id "" reads as a household step
        departments=department_names(definition),
        labels=cf.labels,
        today=today,
        waiting=waiting_reasons(definition, takeover_known=cf.case.takeover_date is not None),
    )


def choices_of(cf: CaseFile) -> list[Choice]:
    """Unfinished steps, open ones first, each labelled without personal data."""
    unfinished = [s for s in cf.steps if s.status not in FINISHED]
    unfinished.sort(key=lambda s: (s.status != StepStatus.OPEN, s.position))
    choices = []
    for step in unfinished:
        who = cf.label(step.person_id)
        due = f"frist {danish_date(step.due)}" if step.due else "ingen frist endnu"
        label = f"{step.title}{f' – {who}' if who else ''} ({due}) [#{step.id}]"
        choices.append(Choice(step.id or 0, step.key, step.person_id or None, label))
    return choices
