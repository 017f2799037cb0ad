"""The SQL state of Køreplan: tables, engine, migrations and atomic counters."""

from models.bookings import (
    NoArrivalDayError,
    book_arrival,
    book_day,
    bookings,
    release_arrival,
)
from models.columns import UTCDateTime, utcnow
from models.counters import format_case_ref, next_case_ref
from models.db import database_url, make_engine, migrate, session
from models.tables import (
    ArrivalBooking,
    AuditEntry,
    Case,
    CaseCounter,
    Member,
    NoticeRecord,
    OutboxMessage,
    Step,
)

__all__ = [
    "ArrivalBooking",
    "AuditEntry",
    "Case",
    "CaseCounter",
    "Member",
    "NoArrivalDayError",
    "NoticeRecord",
    "OutboxMessage",
    "Step",
    "UTCDateTime",
    "book_arrival",
    "book_day",
    "bookings",
    "database_url",
    "format_case_ref",
    "make_engine",
    "migrate",
    "next_case_ref",
    "release_arrival",
    "session",
    "utcnow",
]
