"""Every message the product sends, rendered from its typed context by Danish templates.

One template set under `templates/<type>/` per message type (subject, text, HTML); the context
type must match the message type, so a template never sees data it was not meant to.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, fields
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from koereplan.danish import danish_date, plural
from notifications.contexts import (
    CaseCompletedContext,
    CaseCreatedContext,
    CaseEndedContext,
    DocumentProblemContext,
    DueMovedContext,
    EscalationContext,
    MessageContext,
    MovingNoticeContext,
    NewStepsContext,
    NoticeRejectedContext,
    ReminderContext,
    StepsLapsedContext,
    WeeklyDigestContext,
)
from notifications.wording import KIND_DA, days_late, language_da

if TYPE_CHECKING:  # Jinja2 loads when a message is rendered, not when one is queued
    from jinja2 import Environment

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


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


@lru_cache(maxsize=4)
def template_environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """One Jinja2 environment: strict, trimmed, HTML autoescaped and Danish filters."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

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
    env.filters["flertal"] = plural
    env.filters["dage_over"] = days_late
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
