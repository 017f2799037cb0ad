"""Dialect-aware "insert unless the row exists", the building block of our atomic counters."""

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_missing(db: Session, table: Table, values: dict[str, Any]) -> None:
    """Insert a row, silently doing nothing when its key already exists (even mid-race)."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        db.execute(postgresql.insert(table).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        db.execute(sqlite.insert(table).values(**values).on_conflict_do_nothing())
    else:
        raise NotImplementedError(f"unsupported database dialect {dialect!r}")
