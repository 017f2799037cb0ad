"""What each message says, as typed contexts: case summaries, step lines and one context per type.

Only case references, titles, dates, counts and links: never a name, CPR or birth date, so no
template can show what its context does not hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from koereplan.workdays import local_date


@dataclass(frozen=True)
class CaseSummary:
    """A case as departments may see it: reference, dates and counts, never names or CPR."""

    ref: str
    kind: str
    arrival: date | None
    takeover: date | None
    household: str
    interpreter_language: str | None = None
    flow_run_url: str | None = None
    takeover_text: str | None = None  # the date with its legal basis, in Danish
    arrival_note: str | None = None  # e.g. the calendar was full: the date is tentative


@dataclass(frozen=True)
class StepLine:
    """One step in a digest; a member is told apart by a label such as `voksen 1`."""

    case_ref: str
    title: str
    due: date | None
    legal: bool = False
    person_label: str | None = None
    flow_run_url: str | None = None


@dataclass(frozen=True)
class DueChange:
    """A step whose due date moved, with both dates so the reader sees the change."""

    step: StepLine
    old_due: date | None


@dataclass(frozen=True)
class CaseGroup:
    """Digest lines of one case, so each case's link is shown once."""

    ref: str
    flow_run_url: str | None
    lines: tuple[Any, ...]


def _groups(lines: Sequence[Any], step_of: Any = lambda line: line) -> list[CaseGroup]:
    """Group digest lines by case, keeping the order of first appearance."""
    order: dict[str, list[Any]] = {}
    for line in lines:
        order.setdefault(step_of(line).case_ref, []).append(line)
    return [
        CaseGroup(
            ref=ref,
            flow_run_url=next(
                (step_of(x).flow_run_url for x in items if step_of(x).flow_run_url), None
            ),
            lines=tuple(items),
        )
        for ref, items in order.items()
    ]


@dataclass(frozen=True)
class CaseCreatedContext:
    """A new case, told to the departments involved from the start."""

    department_name: str
    case: CaseSummary
    steps: Sequence[StepLine] = ()


@dataclass(frozen=True)
class NewStepsContext:
    """Steps that became actionable for one department, across cases."""

    department_name: str
    steps: Sequence[StepLine]

    @property
    def groups(self) -> list[CaseGroup]:
        """The steps per case, so each case's link appears once."""
        return _groups(self.steps)


@dataclass(frozen=True)
class ReminderContext(NewStepsContext):
    """Open steps due soon for one department."""

    today: date = field(default_factory=local_date)  # Copenhagen, as every due date


@dataclass(frozen=True)
class EscalationContext(ReminderContext):
    """Overdue steps, for the department or the coordinators."""


@dataclass(frozen=True)
class DueMovedContext:
    """Due dates that moved, typically because the arrival date changed."""

    department_name: str
    changes: Sequence[DueChange]
    reason: str | None = None

    @property
    def groups(self) -> list[CaseGroup]:
        """The changes per case, so each case's link appears once."""
        return _groups(self.changes, lambda change: change.step)


@dataclass(frozen=True)
class MovingNoticeContext:
    """The moving notice to an asylum centre: date and household size only."""

    case_ref: str
    centre_name: str
    arrival: date
    household_size: int
    household: str
    interpreter_language: str | None = None
    municipality: str = "Aalborg Kommune"
    contact: str = "Socialcenter Integration"


@dataclass(frozen=True)
class NoticeRejectedContext:
    """A notice file the product refused, with reasons the coordinators can act on."""

    file_name: str
    reasons: Sequence[str]
    notice_ref: str | None = None
    flow_run_url: str | None = None


@dataclass(frozen=True)
class CaseCompletedContext:
    """A case whose steps are all done or not applicable."""

    department_name: str
    case: CaseSummary
    completed_on: date
    steps_done: int = 0
    steps_not_applicable: int = 0


@dataclass(frozen=True)
class CaseEndedContext:
    """A withdrawn or closed case: the case number and what lapses, nothing about people.

    `reason` and `joined_by` are filled for the coordinators only, `arrival` for the asylum
    centre only (its earlier moving notice no longer holds).
    """

    department_name: str
    case_ref: str
    ending: str  # koereplan.status.CaseStatus: withdrawn or closed
    ended_on: date
    steps_lapsed: int = 0
    reason: str | None = None
    joined_by: Sequence[str] = ()
    arrival: date | None = None
    flow_run_url: str | None = None


@dataclass(frozen=True)
class WeeklyDigestContext:
    """Monday's digest for one department: its open, overdue and this week's steps."""

    department_name: str
    today: date
    week_end: date
    open_total: int
    overdue_total: int
    overdue: Sequence[StepLine] = ()
    due_this_week: Sequence[StepLine] = ()
    due_this_week_total: int = 0
    queue_url: str | None = None  # the department's `afdeling-<key>` artifact

    @property
    def case_refs(self) -> list[str]:
        """The cases of the listed lines, so a one-case digest can name it in its subject."""
        return sorted({line.case_ref for line in (*self.overdue, *self.due_this_week)})


@dataclass(frozen=True)
class StepsLapsedContext:
    """Steps a department had been told of that no longer apply, and why."""

    department_name: str
    steps: Sequence[StepLine]
    reason: str

    @property
    def groups(self) -> list[CaseGroup]:
        """The steps per case, so each case's link appears once."""
        return _groups(self.steps)


@dataclass(frozen=True)
class DocumentProblemContext:
    """A document that is missing, has another checksum, or came without a notice."""

    department_name: str
    file_name: str
    problem: str
    case_ref: str | None = None


MessageContext = (
    CaseCreatedContext
    | NewStepsContext
    | ReminderContext
    | EscalationContext
    | DueMovedContext
    | MovingNoticeContext
    | NoticeRejectedContext
    | CaseCompletedContext
    | CaseEndedContext
    | WeeklyDigestContext
    | StepsLapsedContext
    | DocumentProblemContext
)
