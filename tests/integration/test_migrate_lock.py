"""Several processes starting on a fresh database migrate it once, none of them fails."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from models.db import make_engine
from tests.integration.conftest import BACKENDS

REPO = Path(__file__).resolve().parents[2]
PROCESSES = 4

MIGRATE_AT = """
    import sys, time
    from models.db import make_engine, migrate

    engine = make_engine(sys.argv[1])
    time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # all start at the same moment
    migrate(engine)
    print("migrated", flush=True)
"""


@pytest.fixture(params=BACKENDS)
def fresh_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, as a new installation has."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    databases = request.getfixturevalue("postgres_databases")
    url = databases.create_empty()
    yield url
    databases.drop(url)


def test_processes_starting_at_once_on_a_fresh_database_all_succeed(fresh_db_url: str) -> None:
    start = time.time() + 3  # after every child has imported and connected
    children = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(MIGRATE_AT), fresh_db_url, str(start)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    results = [child.communicate(timeout=120) for child in children]
    errors = [err.strip().splitlines()[-1] for out, err in results if "migrated" not in out]
    assert errors == []
    engine = make_engine(fresh_db_url)
    try:
        with engine.connect() as connection:
            assert "arrival_bookings" in inspect(connection).get_table_names()
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert len(versions) == 1
    finally:
        engine.dispose()
