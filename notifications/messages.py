"""Typed contexts and Danish templates for every message the product sends; no personal data."""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from koereplan.danish import danish_date
from koereplan.household import ADULT_AGE, SENIOR_AGE, SMALL_CHILD_AGE
from koereplan.household import SCHOOL_AGE as SCHOOL_AGE_YEARS

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
PREFECT_UI_ENV = "PREFECT_UI_URL"
KIND_DA: dict[str, str] = {
    "opholdstilladelse": "opholdstilladelse",
    "familiesammenfoering": "familiesammenføring",
}
LANGUAGE_FALLBACK_DA: dict[str, str] = {"prs": "dari"}
SCHOOL_AGE = range(SCHOOL_AGE_YEARS[0], SCHOOL_AGE_YEARS[1] + 1)
SMALL_CHILD = range(SMALL_CHILD_AGE[0], SMALL_CHILD_AGE[1] + 1)


class MessageType(StrEnum):
    """One template set under `templates/<type>/` per message type."""

    CASE_CREATED = "case_created"
    NEW_STEPS = "new_steps"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    DUE_MOVED = "due_moved"
    MOVING_NOTICE = "moving_notice"
    NOTICE_REJECTED = "notice_rejected"
    CASE_COMPLETED = "case_completed"
    CASE_ENDED = "case_ended"
    WEEKLY_DIGEST = "weekly_digest"
    STEPS_LAPSED = "steps_lapsed"
    DOCUMENT_PROBLEM = "document_problem"


@dataclass(frozen=True)
class RenderedMessage:
    """What a sender delivers: a one-line subject, a plain/markdown text and an HTML body."""

    subject: str
    text: str
    html: str


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

    today: date = field(default_factory=date.today)


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
    ending: str  # models.status.CaseStatus: withdrawn or closed
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

CONTEXT_TYPES: dict[MessageType, type] = {
    MessageType.CASE_CREATED: CaseCreatedContext,
    MessageType.NEW_STEPS: NewStepsContext,
    MessageType.REMINDER: ReminderContext,
    MessageType.ESCALATION: EscalationContext,
    MessageType.DUE_MOVED: DueMovedContext,
    MessageType.MOVING_NOTICE: MovingNoticeContext,
    MessageType.NOTICE_REJECTED: NoticeRejectedContext,
    MessageType.CASE_COMPLETED: CaseCompletedContext,
    MessageType.CASE_ENDED: CaseEndedContext,
    MessageType.WEEKLY_DIGEST: WeeklyDigestContext,
    MessageType.STEPS_LAPSED: StepsLapsedContext,
    MessageType.DOCUMENT_PROBLEM: DocumentProblemContext,
}


def language_da(code: str | None) -> str:
    """The Danish name of an ISO 639 code (`ti` -> `tigrinya`); unknown codes pass through."""
    if not code:
        return "ikke oplyst"
    key = code.strip().lower()
    return Locale("da").languages.get(key) or LANGUAGE_FALLBACK_DA.get(key, code)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def household_summary(ages: Sequence[int], kind: str | None = None) -> str:
    """Counts and age bands instead of people: `2 voksne, 2 børn (1 i skolealderen, …)`."""
    adults = [age for age in ages if age >= ADULT_AGE]
    children = [age for age in ages if age < ADULT_AGE]
    parts: list[str] = []
    if adults:
        seniors = sum(age >= SENIOR_AGE for age in adults)
        text = _count(len(adults), "voksen", "voksne")
        if seniors:
            text += f" ({seniors} på {SENIOR_AGE} år eller derover)"
        parts.append(text)
    if children:
        bands = [
            (sum(age in SCHOOL_AGE for age in children), "i skolealderen"),
            (sum(age in SMALL_CHILD for age in children), "under 6 år"),
            (sum(age == ADULT_AGE - 1 for age in children), f"på {ADULT_AGE - 1} år"),
        ]
        detail = ", ".join(f"{n} {words}" for n, words in bands if n)
        parts.append(f"{_count(len(children), 'barn', 'børn')} ({detail})")
    summary = ", ".join(parts) or "ingen personer oplyst"
    if not adults and children:
        summary += ", ingen voksne"
    if kind == "familiesammenfoering":
        summary += " – familiesammenføring"
    return summary


def flow_run_url(flow_run_id: str | None, ui_url: str | None = None) -> str | None:
    """Link to a flow run in the Prefect UI (`$PREFECT_UI_URL`), or None when unknown."""
    base = ui_url or os.environ.get(PREFECT_UI_ENV)
    if not flow_run_id or not base:
        return None
    return f"{base.rstrip('/')}/runs/flow-run/{flow_run_id}"


def artifact_url(key: str, ui_url: str | None = None) -> str | None:
    """Link to the latest version of an artifact in the Prefect UI, or None when unknown."""
    base = ui_url or os.environ.get(PREFECT_UI_ENV)
    return f"{base.rstrip('/')}/artifacts/key/{key}" if base else None


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _days_late(due: date | None, today: date) -> int:
    return (today - due).days if due else 0


@lru_cache(maxsize=4)
def template_environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """One Jinja2 environment: strict, trimmed, HTML autoescaped and Danish filters."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["dato"] = danish_date
    env.filters["sprog"] = language_da
    env.filters["sagstype"] = lambda kind: KIND_DA.get(kind, kind)
    env.filters["flertal"] = _plural
    env.filters["dage_over"] = _days_late
    return env


def _variables(context: object) -> dict[str, Any]:
    """The context's fields and properties as top-level template variables."""
    values = {f.name: getattr(context, f.name) for f in fields(context)}  # type: ignore[arg-type]
    for name, _ in inspect.getmembers(type(context), lambda m: isinstance(m, property)):
        values[name] = getattr(context, name)
    return values


def _tidy(body: str) -> str:
    """At most one blank line in a row, so optional blocks leave no gaps."""
    return re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"


def render(
    message_type: MessageType | str,
    context: MessageContext,
    templates_dir: Path = TEMPLATES_DIR,
) -> RenderedMessage:
    """Render subject, text and HTML for one message; the context type must match."""
    kind = MessageType(message_type)
    expected = CONTEXT_TYPES[kind]
    if type(context) is not expected:
        raise TypeError(f"{kind} needs a {expected.__name__}, got {type(context).__name__}")
    env = template_environment(templates_dir)
    values = _variables(context)
    subject = env.get_template(f"{kind}/subject.txt.j2").render(values)
    return RenderedMessage(
        subject=" ".join(subject.split()),
        text=_tidy(env.get_template(f"{kind}/body.txt.j2").render(values)),
        html=_tidy(env.get_template(f"{kind}/body.html.j2").render(values)),
    )


__all__ = [
    "CONTEXT_TYPES",
    "CaseCompletedContext",
    "CaseCreatedContext",
    "CaseEndedContext",
    "CaseGroup",
    "CaseSummary",
    "DocumentProblemContext",
    "DueChange",
    "DueMovedContext",
    "EscalationContext",
    "MessageContext",
    "MessageType",
    "MovingNoticeContext",
    "NewStepsContext",
    "NoticeRejectedContext",
    "ReminderContext",
    "RenderedMessage",
    "StepLine",
    "StepsLapsedContext",
    "WeeklyDigestContext",
    "artifact_url",
    "flow_run_url",
    "household_summary",
    "language_da",
    "render",
]
