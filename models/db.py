"""Engine, migrations and transactions for the Køreplan database (SQLite or PostgreSQL)."""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from models.private import private_file
from settings import get_settings

if TYPE_CHECKING:  # Alembic is imported only when a migration runs: every run process migrates
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
MIGRATE_LOCK = 0x6B72_6D69  # "krmi": the advisory lock key migrations take on PostgreSQL


def database_url() -> str:
    """The settings' database URL (`KOEREPLAN_DATABASE_URL`): SQLite or PostgreSQL."""
    return get_settings().database_url


def make_engine(url: str | None = None) -> Engine:
    """Create an engine tuned for concurrent flows: WAL and FKs on SQLite, pre-ping on PG."""
    parsed = make_url(url or database_url())
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is what we ship

    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)

    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    kwargs: dict[str, Any] = {
        "hide_parameters": True,  # errors and logs never quote a row's values (names, CPR)
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    }
    if in_memory:
        kwargs["poolclass"] = StaticPool  # one shared connection, else each gets its own db
    else:
        private_file(Path(database).expanduser())
    engine = create_engine(parsed, **kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        """Apply per-connection pragmas SQLite does not remember."""
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return engine


def alembic_config(engine: Engine | None = None) -> Config:
    """Build the Alembic config in code, so no alembic.ini is needed at the repo root."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (default head) on the engine's database.

    Under a lock: two processes starting on a fresh database (two `koereplan intake`) would
    otherwise both create the tables, and the second fail. The one that waited finds the
    schema at head and does nothing. A database already at head (every start after the
    first) is recognised with one query, without importing Alembic (~0.2 s per process).
    """
    if revision == "head" and _at_head(engine):
        return
    from alembic import command

    config = alembic_config(engine)
    with _sqlite_file_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held until this transaction ends, so the DDL is committed before the next looks.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest migration, read from the files: the one no other migration builds on."""
    found = re.compile(r"^(down_)?revision\b[^=]*=\s*(.+)$", re.MULTILINE)
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for down, value in found.findall(path.read_text(encoding="utf-8")):
            (parents if down else revisions).update(re.findall(r"[\"']([^\"']+)[\"']", value))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None  # branches: let Alembic decide


def _at_head(engine: Engine) -> bool:
    """True when the database's recorded revision is the newest migration's."""
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except Exception:  # no table yet (a fresh database): Alembic creates everything
        return False
    return [row[0] for row in rows] == [head]


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock on the SQLite file's folder (no lock needed in memory or on PG)."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:") or "memory" in database:
        yield
        return
    fd = os.open(Path(database).expanduser().resolve().parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def session(engine: Engine) -> Iterator[Session]:
    """Open a unit of work that commits on success and rolls back on any exception."""
    with Session(engine, expire_on_commit=False) as db:
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise
