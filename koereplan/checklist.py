"""The checklist as people read it: Danish words, no personal data.

One shape for the terminal (`plan`, `show`) and for the Prefect UI's checklist artifact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from koereplan.danish import PHASE_DA, STATUS_DA, danish_date
from koereplan.definition import Definition
from koereplan.progress import is_overdue
from koereplan.status import StepStatus
from koereplan.takeover import WAITING_FOR_REGISTRATION_DA

LEGAL_MARK = "§"


class ChecklistStep(Protocol):
    """What a step needs to be shown (a planned step and a stored step both have it)."""

    @property
    def key(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def person_id(self) -> str | None: ...
    @property
    def responsible(self) -> str: ...
    @property
    def legal(self) -> bool: ...
    @property
    def due(self) -> date | None: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class ChecklistRow:
    """One line of the checklist, ready to print."""

    phase: str
    key: str
    title: str
    member: str
    department: str
    due: str
    legal: str
    status: str
    overdue: bool

    due_on: date | None = None


def waiting_reasons(definition: Definition, *, takeover_known: bool) -> dict[str, str]:
    """Step key -> why a waiting step waits, where the køreplan can say more than "a date"."""
    if takeover_known:
        return {}
    anchored = (s.key for s in definition.steps if s.due.anchor == "takeover")
    return dict.fromkeys(anchored, WAITING_FOR_REGISTRATION_DA)


def checklist_rows(
    steps: Iterable[ChecklistStep],
    *,
    departments: Mapping[str, str],
    labels: Mapping[str, str],
    today: date | None = None,
    waiting: Mapping[str, str] | None = None,
) -> list[ChecklistRow]:
    """Rows in køreplan order; `labels` maps person_id to words like `barn 2`.

    `waiting` maps a step key to the reason its waiting steps wait ("venter på registrering
    i CPR"), shown instead of the plain status.
    """
    rows = []
    for step in steps:
        status = STATUS_DA.get(step.status, step.status)
        if step.status == StepStatus.WAITING and waiting and step.key in waiting:
            status = waiting[step.key]
        overdue = today is not None and is_overdue(step.status, step.due, today)
        rows.append(
            ChecklistRow(
                phase=PHASE_DA.get(step.phase, step.phase),
                key=step.key,
                title=step.title,
                member=labels.get(step.person_id, step.person_id) if step.person_id else "husstand",
                department=departments.get(step.responsible, step.responsible),
                due=danish_date(step.due),
                legal=LEGAL_MARK if step.legal else "",
                status=status,
                overdue=overdue,
                due_on=step.due,
            )
        )
    return rows
