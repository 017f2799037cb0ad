"""The SQL state of Køreplan; `Member` is the only table that holds personal data."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from koereplan.status import CaseStatus, OutboxStatus, StepStatus
from models.columns import UTCDateTime, utcnow

# Stable constraint names, so Alembic batch mode on SQLite and PostgreSQL agree.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _utc(*, nullable: bool = False, index: bool = False) -> Any:
    """Declare an aware-UTC timestamp column; required ones default to now."""
    if nullable:
        return Field(default=None, sa_type=UTCDateTime, nullable=True, index=index)
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=index)


class NoticeRecord(SQLModel, table=True):
    """Every received notice file, kept byte for byte, with what intake made of it."""

    __tablename__ = "notices"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str
    raw: bytes
    sha256: str = Field(max_length=64)
    received_at: datetime = _utc()
    notice_id: str | None = Field(default=None, index=True)
    outcome: str  # NoticeOutcome
    # List of {"where": ..., "message": ...}; SQL NULL when there is no error.
    error: list[dict[str, str]] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)


class Case(SQLModel, table=True):
    """One household from one notice; `notice_id` is the idempotency key of intake."""

    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True)
    notice_id: str = Field(unique=True)
    notice_sha256: str = Field(max_length=64)
    kind: str  # CaseKind
    notice_date: date
    arrival_date: date
    arrival_planned: bool = False
    arrival_overbooked: bool = False  # no day within two years had room: booked over capacity
    decision_date: date | None = None  # "afgørelse om visitering"; None: the notice date
    legal_basis: str | None = None  # LegalBasis of an opholdstilladelse; None: asyl
    takeover_given: bool = False  # True: the notice gave `takeover_date`
    takeover_date: date | None = None  # None: waits for the CPR registration (IL § 4 stk. 3)
    takeover_basis: str | None = None  # TakeoverBasis; None: stored before IL § 4 was followed
    asylum_centre_name: str | None = None
    asylum_centre_email: str | None = None
    interpreter_language: str | None = None
    joins_case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    status: str = Field(default=CaseStatus.ACTIVE.value, index=True)
    flow_run_id: str | None = None
    inputs_applied: int = 0  # coordinator inputs from the Prefect UI, to key the next wait
    created_at: datetime = _utc()
    completed_at: datetime | None = _utc(nullable=True)
    # Why and when a case stopped being active (withdrawn or closed); no personal data.
    status_reason: str | None = None
    status_changed_at: datetime | None = _utc(nullable=True)
    status_by: str | None = None
    # Free text from the withdrawal notice or the coordinator: stored, never sent or published.
    status_note: str | None = None
    new_municipality_code: str | None = None  # closed as `fraflyttet`
    reception_number: int = 1  # 2 after the first reopening: names the next reception run
    amended_at: datetime | None = _utc(nullable=True)  # the last amendment applied
    amendment_issued_at: datetime | None = _utc(nullable=True)  # older amendments are stale


class Member(SQLModel, table=True):
    """A person in a case: the only row that carries names, birth dates and CPR numbers."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("case_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    position: int
    person_id: str
    role: str  # MemberRole
    given_name: str
    family_name: str
    birth_date: date
    cpr: str | None = None
    formal_education: bool = False
    special_needs: bool = False
    self_supporting: bool = False


class Step(SQLModel, table=True):
    """One køreplan line for a case or one of its members (`person_id` "" for household)."""

    __tablename__ = "steps"
    __table_args__ = (
        UniqueConstraint("case_id", "key", "person_id"),
        Index("ix_steps_status_due", "status", "due"),
        # The overview: legal steps by due date, and each department's open steps in order.
        Index("ix_steps_legal_due", "legal", "due", "key", "responsible", "status", "done_at"),
        Index(
            "ix_steps_queue",
            "responsible",
            "due",
            "case_id",
            "position",
            "person_id",
            sqlite_where=text("status IN ('open', 'planned')"),
            postgresql_where=text("status IN ('open', 'planned')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    position: int
    key: str
    person_id: str = ""  # never NULL, so the unique constraint holds on PostgreSQL too
    phase: str  # Phase
    title: str
    kind: str  # StepKind
    responsible: str
    notify: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    legal: bool = False
    due: date | None = None
    status: str = Field(default=StepStatus.PLANNED.value)
    opened_at: datetime | None = _utc(nullable=True)
    done_at: datetime | None = _utc(nullable=True)
    done_by: str | None = None
    note: str | None = None
    reason: str | None = None
    reminder_level: int = 0  # 0 none, 1 reminded, 2+ escalations sent
    last_reminded_on: date | None = None
    ended_from: str | None = None  # the status before the case ended, to reopen it


class CaseDocument(SQLModel, table=True):
    """A personal document a notice announced; `path` is set once the file is filed."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("case_id", "filename"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    notice_id: str  # the notice that announced it
    filename: str
    sha256: str = Field(max_length=64)
    announced_at: datetime = _utc()
    path: str | None = None
    received_at: datetime | None = _utc(nullable=True)
    mismatch_at: datetime | None = _utc(nullable=True)  # a file came with another sha256
    missing_reported_at: datetime | None = _utc(nullable=True)


class AuditEntry(SQLModel, table=True):
    """Who changed what and when; `input_key` makes replaying one coordinator input a no-op."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    step_id: int | None = Field(default=None, foreign_key="steps.id", index=True)
    at: datetime = _utc()
    who: str
    action: str  # AuditAction
    old: str | None = None
    new: str | None = None
    detail: str | None = None
    input_key: str | None = Field(default=None, unique=True)


class ArrivalBooking(SQLModel, table=True):
    """How many households arrive on a day, to spread planned arrivals over capacity."""

    __tablename__ = "arrival_bookings"

    day: date = Field(primary_key=True)
    households: int = 0


class CaseCounter(SQLModel, table=True):
    """The last case number handed out per year, for gap-free case refs."""

    __tablename__ = "case_counters"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class OutboxMessage(SQLModel, table=True):
    """A notification to deliver at least once; `context` holds template variables, no PII.

    `extra_urls` holds address references (`asylcenter-mail:<address>`), never a URL with
    its password; `delivered_to` the ids of the addresses that accepted it; `delivery_key`
    the batch it was first sent in, so a retry carries the same idempotency key.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    department: str
    message_type: str  # notifications.messages.MessageType
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    idempotency_key: str = Field(unique=True)
    context: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    extra_urls: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    delivered_to: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    delivery_key: str | None = None
    # `notice` steps this message delivers: they are done once it is sent.
    step_ids: list[int] = Field(default_factory=list, sa_type=JSON, nullable=False)
    status: str = Field(default=OutboxStatus.PENDING.value)
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime = _utc()
    claimed_by: str | None = None
    claimed_at: datetime | None = _utc(nullable=True)
    sent_at: datetime | None = _utc(nullable=True)
    created_at: datetime = _utc()
