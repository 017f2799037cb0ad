"""A database error during intake tells its class and SQLSTATE, never the household's names."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from models.db import make_engine
from models.faults import DatabaseFault, reduced_database_errors, safe_summary
from services.inbox import claim, receive_claimed
from services.intake import receive_file
from settings import Settings
from tests.integration.received import DEFINITION, notices, personal_data

REPO = Path(__file__).resolve().parents[2]


def break_member_inserts(engine: Engine) -> None:
    """Every insert into `members` fails inside the database, as a broken constraint would."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER injected_fault BEFORE INSERT ON members "
                    "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
                )
            )
        else:  # PostgreSQL quotes the failing row in DETAIL: names and birth dates
            connection.execute(
                text("ALTER TABLE members ADD CONSTRAINT ck_injected_fault CHECK (position < 0)")
            )


def leaked(text_: str) -> list[str]:
    """Personal data of the example notices found in `text_`."""
    return sorted(needle for needle in personal_data() if needle in text_)


def test_the_engine_hides_the_parameters_of_a_failed_statement(engine: Engine) -> None:
    break_member_inserts(engine)
    raw = notices()["familie.json"]

    with pytest.raises(IntegrityError) as caught:
        receive_file(engine, DEFINITION, Settings(), file_name="familie.json", raw=raw)

    assert "parameters hidden" in str(caught.value)
    if engine.dialect.name == "sqlite":  # PostgreSQL's own DETAIL still quotes the row
        assert leaked(str(caught.value)) == []


def test_a_reduced_database_error_names_class_and_code_but_no_person(engine: Engine) -> None:
    break_member_inserts(engine)
    raw = notices()["familie.json"]

    receive = reduced_database_errors(receive_file)

    with pytest.raises(DatabaseFault) as caught:
        receive(engine, DEFINITION, Settings(), file_name="familie.json", raw=raw)

    message = str(caught.value)
    assert message.startswith("Databasefejl / database error: IntegrityError")
    assert leaked(message) == []
    assert caught.value.__context__ is None and caught.value.__cause__ is None
    if engine.dialect.name == "postgresql":
        assert "SQLSTATE 23514" in message and "ck_injected_fault" in message


def test_any_other_error_is_summarised_by_its_class_only() -> None:
    assert safe_summary(ValueError("Yonas Tesfay 1998-02-14")) == (
        "intern fejl / internal error: ValueError"
    )


def test_the_cli_tells_a_database_error_without_the_names(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    break_member_inserts(engine)
    engine.dispose()
    notice = tmp_path / "familie.json"
    notice.write_bytes(notices()["familie.json"])

    result = subprocess.run(
        [str(Path(sys.executable).parent / "koereplan"), "intake", str(notice)],
        cwd=REPO,
        env={**os.environ, "KOEREPLAN_DATABASE_URL": db_url, "PREFECT_API_URL": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )

    # Per-file isolation (issue 8 §1) puts the file back; either way: class only, no names.
    assert result.returncode in (2, 3), result.stderr
    assert "IntegrityError" in result.stderr
    assert "Traceback" not in result.stderr
    assert leaked(result.stdout + result.stderr) == []


def test_the_database_file_and_its_folder_are_private(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/ny/mappe/koereplan.db")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (x int)"))
    engine.dispose()

    assert stat.S_IMODE((tmp_path / "ny").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "ny" / "mappe").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "ny" / "mappe" / "koereplan.db").stat().st_mode) == 0o600


def test_quarantine_folder_and_error_report_are_private(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ugyldig.json").write_text("{ikke json")
    claimed = claim(inbox / "ugyldig.json")
    assert claimed is not None
    assert stat.S_IMODE(claimed.parent.stat().st_mode) == 0o700

    receive_claimed(engine, DEFINITION, Settings(), inbox, claimed)

    quarantine = inbox / "quarantine"
    assert stat.S_IMODE(quarantine.stat().st_mode) == 0o700
    [report] = quarantine.glob("*.error.json")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_a_connection_killed_mid_insert_is_told_without_the_names(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    with engine.begin() as connection:  # each member insert waits, so it can be caught
        connection.execute(
            text(
                "CREATE FUNCTION slow_member() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER slow_member BEFORE INSERT ON members "
                "FOR EACH ROW EXECUTE FUNCTION slow_member()"
            )
        )
    killer = threading.Thread(target=terminate_member_insert, args=(engine,), daemon=True)
    killer.start()
    receive = reduced_database_errors(receive_file)

    with pytest.raises(DatabaseFault) as caught:
        receive(
            engine, DEFINITION, Settings(), file_name="familie.json", raw=notices()["familie.json"]
        )
    killer.join(30)

    message = str(caught.value)
    assert "OperationalError" in message and "forbindelsen blev afbrudt" in message
    assert leaked(message) == []


def terminate_member_insert(engine: Engine) -> None:
    """From another connection: terminate the backend that is inserting members."""
    deadline = time.monotonic() + 20
    # Autocommit: within one transaction pg_stat_activity is a snapshot that never changes.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        while time.monotonic() < deadline:
            killed = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'INSERT INTO members%' AND pid <> pg_backend_pid()"
                )
            ).all()
            if killed:
                return
            time.sleep(0.05)
