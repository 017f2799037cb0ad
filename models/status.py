"""Allowed string values of the status and kind columns, so callers never spell them by hand."""

from enum import StrEnum


class NoticeOutcome(StrEnum):
    """What intake did with one received notice file."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


class CaseKind(StrEnum):
    """The notice kinds from the notice format."""

    OPHOLDSTILLADELSE = "opholdstilladelse"
    FAMILIESAMMENFOERING = "familiesammenfoering"


class CaseStatus(StrEnum):
    """Whether a case still has work left."""

    ACTIVE = "active"
    COMPLETED = "completed"


class MemberRole(StrEnum):
    """A member's role in the household, as the notice states it."""

    HOVEDPERSON = "hovedperson"
    AEGTEFAELLE = "aegtefaelle"
    BARN = "barn"
    ANDEN = "anden"


class Phase(StrEnum):
    """The three køreplan phases, in order."""

    FOER = "foer"
    ANKOMST = "ankomst"
    HVERDAG = "hverdag"


class StepKind(StrEnum):
    """Who completes a step: people, a notification, or the product itself."""

    TASK = "task"
    NOTICE = "notice"
    AUTOMATIC = "automatic"


class StepStatus(StrEnum):
    """Lifecycle of a step; `overdue` is derived, never stored."""

    PLANNED = "planned"
    OPEN = "open"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"
    WAITING = "waiting"


# A step in one of these statuses is overdue when its due date is before today.
OVERDUE_CAPABLE: frozenset[str] = frozenset({StepStatus.PLANNED, StepStatus.OPEN})
# A step in one of these statuses satisfies a dependency on it.
FINISHED: frozenset[str] = frozenset({StepStatus.DONE, StepStatus.NOT_APPLICABLE})


class AuditAction(StrEnum):
    """Known audit actions; the column is free text so new actions need no migration."""

    CREATED = "created"
    OPENED = "opened"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"
    RESCHEDULED = "rescheduled"
    DATED = "dated"
    REMINDED = "reminded"
    ESCALATED = "escalated"
    NOTE = "note"
    COMPLETED = "completed"


class MessageType(StrEnum):
    """Kinds of outbox message, one notification template each."""

    CASE_CREATED = "case_created"
    NEW_STEPS = "new_steps"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    DUE_MOVED = "due_moved"
    MOVING_NOTICE = "moving_notice"
    NOTICE_REJECTED = "notice_rejected"
    CASE_COMPLETED = "case_completed"


class OutboxStatus(StrEnum):
    """Delivery state of an outbox message."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
