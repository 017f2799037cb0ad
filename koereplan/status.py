"""Allowed string values of the status and kind columns, so callers never spell them by hand.

Plain `StrEnum`s in the pure core, since the core's rules (progress, compliance, ending, the
Danish words) speak of them too and may not import `models/`; the values are stored as they are.
"""

from enum import StrEnum


class NoticeOutcome(StrEnum):
    """What intake did with one received notice file."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    AMENDED = "amended"


class CaseKind(StrEnum):
    """The notice kinds from the notice format."""

    OPHOLDSTILLADELSE = "opholdstilladelse"
    FAMILIESAMMENFOERING = "familiesammenfoering"


class CaseStatus(StrEnum):
    """Where a case is in its life; only an active case takes answers, changes or reminders."""

    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class CloseReason(StrEnum):
    """Why a coordinator closed a case (lifecycle spec, "Closing a case")."""

    FRAFLYTTET = "fraflyttet"
    UDREJST = "udrejst"
    DOEDSFALD = "doedsfald"
    ANDET = "andet"


class TakeoverBasis(StrEnum):
    """What fixed a case's takeover date (IL § 4; køreplan spec, *Takeover*)."""

    STATUTORY = "statutory"
    CONSENT = "consent"
    CPR_REGISTRATION = "cpr_registration"


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


class AuditAction(StrEnum):
    """Known audit actions; the column is free text so new actions need no migration."""

    CREATED = "created"
    OPENED = "opened"
    WAITING = "waiting"  # a step lost its due date (its anchor is unknown again)
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"
    RESCHEDULED = "rescheduled"
    TAKEOVER = "takeover"
    DATED = "dated"
    REMINDED = "reminded"
    ESCALATED = "escalated"
    NOTE = "note"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"
    REOPENED = "reopened"
    AMENDED = "amended"


class OutboxStatus(StrEnum):
    """Delivery state of an outbox message."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
