"""A fresh migrated database per test and backend; real SMTP and HTTP receivers on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

from devtools.sinks import MailSink, WebhookSink, free_port, mail_sink, webhook_sink
from models.db import make_engine, migrate

POSTGRES_URL_ENV = "KOEREPLAN_TEST_POSTGRES_URL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not os.environ.get(POSTGRES_URL_ENV), reason=f"{POSTGRES_URL_ENV} is not set"
            ),
        ],
    ),
]


class PostgresDatabases:
    """Creates throwaway databases as copies of one migrated template, so each test is fast."""

    def __init__(self, admin_url: URL) -> None:
        """Connect to the server through the database named in the test URL."""
        self.admin_url = admin_url
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.prefix = f"kr_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.template = f"{self.prefix}_template"
        self.created: list[str] = []
        self._execute(f'CREATE DATABASE "{self.template}"')
        template_engine = make_engine(self.url(self.template))
        try:
            migrate(template_engine)
        finally:
            template_engine.dispose()  # a template must have no open connections

    def url(self, name: str) -> str:
        """Give the psycopg URL of one database on the test server."""
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def create_empty(self) -> str:
        """Create a database without any tables (a fresh installation) and return its URL."""
        name = f"{self.prefix}_{len(self.created)}"
        self._execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.url(name)

    def create(self) -> str:
        """Create a fresh migrated database and return its URL."""
        name = f"{self.prefix}_{len(self.created)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop one database made by `create`, closing whatever still holds it."""
        name = make_url(url).database
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Drop the template and anything left over, then release the admin connection."""
        for name in [*self.created, self.template]:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()

    def _execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        with self.admin.connect() as connection:
            connection.execute(text(sql))


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    """Manage the per-session PostgreSQL template; skipped when no server is configured."""
    raw = os.environ.get(POSTGRES_URL_ENV)
    if not raw:
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    url = make_url(raw)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    databases = PostgresDatabases(url)
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate one SQLite file per session; each test copies it instead of migrating again."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """Give the URL of a fresh, migrated database on each configured backend."""
    if request.param == "sqlite":
        path = tmp_path / "koereplan.db"
        path.write_bytes(sqlite_template.read_bytes())
        yield f"sqlite:///{path}"
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = databases.create()
    yield url
    databases.drop(url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """Give an engine on a fresh, migrated database (SQLite always, PostgreSQL when set)."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """Give a session on the fresh database; the test commits what it wants kept."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def smtp_server() -> Iterator[MailSink]:
    """A real SMTP server on a free local port, stopped after the test."""
    with mail_sink() as sink:
        yield sink


@pytest.fixture
def http_receiver() -> Iterator[WebhookSink]:
    """A real HTTP server that records JSON bodies of POST requests."""
    with webhook_sink() as sink:
        yield sink


@pytest.fixture
def unused_port() -> int:
    """A local port with nothing listening: a mail server that is down."""
    return free_port()


@pytest.fixture
def silent_smtp_port() -> Iterator[int]:
    """A port that accepts TCP connections but never says a word: a hung mail server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])
