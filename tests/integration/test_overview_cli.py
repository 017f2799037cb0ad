"""`koereplan overview`, `queue`, `compliance` and `audit` as a coordinator runs them."""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from cli.main import app
from models.db import session
from services.runtime import get_runtime
from services.steps import mark_step
from tests.integration.received import DEFINITION, receive_cases

runner = CliRunner()


@pytest.fixture
def family(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The family's case with one step done and a child's step not applicable."""
    monkeypatch.setenv("KOEREPLAN_DATABASE_URL", db_url)
    get_runtime.cache_clear()
    [ref] = receive_cases(engine, "familie.json")
    answers = [
        ("P-80003", "not_applicable", {"reason": "har allerede cpr-nr."}),
        ("P-80001", "done", {"note": "bestilt"}),
    ]
    for person, action, words in answers:
        with session(engine) as db:
            mark_step(
                db,
                DEFINITION,
                ref=ref,
                key="cpr_bestilt",
                person_id=person,
                action=action,
                by="KT",
                **words,
            )
    yield ref
    get_runtime().engine.dispose()
    get_runtime.cache_clear()


def test_audit_exports_every_event_of_the_case_in_order_with_names(
    family: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "aktindsigt.csv"
    result = runner.invoke(app, ["audit", family, "--csv", str(path)])
    assert result.exit_code == 0, result.output
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # the BOM Danish Excel needs for æ, ø, å
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["Tidspunkt", "Hvem", "Hvad", "Trin", "Person", "Før → efter", "Begrundelse"]
    actions = [row[2] for row in rows[1:]]
    assert actions[0] == "sag oprettet"
    skipped = next(row for row in rows if row[2] == "ikke relevant")
    assert skipped[1:] == [
        "KT",
        "ikke relevant",
        "Cpr-nr. bestilt",
        "Omar Haddad",
        "åben → ikke relevant",
        "har allerede cpr-nr.",
    ]
    done = next(row for row in rows if row[2] == "udført" and row[3] == "Cpr-nr. bestilt")
    assert done[4] == "Rami Haddad" and done[6] == "bestilt"
    assert actions.index("ikke relevant") < actions.index("udført", actions.index("ikke relevant"))
    assert "Omar" in result.output  # the table may fold the name
    assert "Omar" not in caplog.text and "Haddad" not in caplog.text


def test_audit_help_says_it_shows_names(family: str) -> None:
    result = runner.invoke(app, ["audit", "--help"])
    assert "aktindsigt" in result.output and "navne" in result.output


def test_audit_of_an_unknown_case_is_refused_in_danish(family: str) -> None:
    result = runner.invoke(app, ["audit", "KR-1999-0001"])
    assert result.exit_code == 2
    assert "Sagen KR-1999-0001 findes ikke." in result.output


def test_queue_overview_and_compliance_print_case_refs_only(family: str, tmp_path: Path) -> None:
    queue = runner.invoke(app, ["queue", "socialcenter-integration"])
    assert queue.exit_code == 0, queue.output
    assert "Socialcenter Integration" in queue.output and family in queue.output
    assert "barn 2" in queue.output or "barn" in queue.output
    overview = runner.invoke(app, ["overview"])
    assert overview.exit_code == 0, overview.output
    assert "aktive sager" in overview.output and family in overview.output
    path = tmp_path / "lovfrister.csv"
    compliance = runner.invoke(
        app, ["compliance", "--from", "2026-01", "--to", "2027-12", "--csv", str(path)]
    )
    assert compliance.exit_code == 0, compliance.output
    header = path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("Opdeling;Måned;Trin/afdeling;Frister;Til tiden")
    for output in (queue.output, overview.output, compliance.output):
        assert "Haddad" not in output and "Rami" not in output


def test_bad_options_are_refused_naming_the_option(family: str) -> None:
    month = runner.invoke(app, ["compliance", "--from", "2026-13"])
    assert month.exit_code == 2 and "--from: '2026-13' er ikke en måned" in month.output
    order = runner.invoke(app, ["compliance", "--from", "2026-05", "--to", "2026-01"])
    assert order.exit_code == 2 and "ligger efter" in order.output
    unknown = runner.invoke(app, ["queue", "ingen-afdeling"])
    assert unknown.exit_code == 2 and "afdeling: 'ingen-afdeling' findes ikke" in unknown.output
