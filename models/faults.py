"""Database errors told without the rows they were about: class, SQLSTATE, constraint only.

A driver's message can quote the failing row (PostgreSQL's `DETAIL: Failing row contains
(…)`, SQLite's trigger text) and SQLAlchemy's adds the statement's parameters: names and
birth dates. Whatever reaches a log, a Prefect state or the terminal passes through here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

P = ParamSpec("P")
T = TypeVar("T")


class DatabaseFault(RuntimeError):
    """A database error reduced to a summary that is safe to log, store and show."""


def safe_summary(error: BaseException) -> str:
    """`Databasefejl / database error: IntegrityError (SQLSTATE 23514, ck_x)`: no values."""
    if isinstance(error, DatabaseFault):
        return str(error)
    details: list[str] = []
    if isinstance(error, DBAPIError):
        original = error.orig
        sqlstate = getattr(original, "sqlstate", None)
        if sqlstate:
            details.append(f"SQLSTATE {sqlstate}")
        diagnosis = getattr(original, "diag", None)
        for name in ("constraint_name", "table_name"):
            value = getattr(diagnosis, name, None)
            if value:
                details.append(str(value))
        code = getattr(original, "sqlite_errorname", None)  # SQLITE_CONSTRAINT_TRIGGER, …
        if code:
            details.append(str(code))
        if error.connection_invalidated:
            details.append("forbindelsen blev afbrudt / connection lost")
    elif not isinstance(error, SQLAlchemyError):
        return f"intern fejl / internal error: {type(error).__name__}"
    suffix = f" ({', '.join(details)})" if details else ""
    return f"Databasefejl / database error: {type(error).__name__}{suffix}"


def reduced_database_errors(function: Callable[P, T]) -> Callable[P, T]:
    """Re-raise any SQLAlchemy error of `function` as a DatabaseFault with no row values.

    The fault is raised after the `except` block has ended, so it has no `__context__`:
    neither a logged traceback nor a pickled Prefect state carries the original error.
    """

    @functools.wraps(function)
    def reduced(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return function(*args, **kwargs)
        except SQLAlchemyError as error:
            summary = safe_summary(error)
        raise DatabaseFault(summary)

    return reduced
