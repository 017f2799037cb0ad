"""Case status everywhere: stored, shown by `show`/`show --json`/`status`, and guarding answers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from cli.main import app
from models.db import session
from services.casefile import CaseError, load_case
from services.runtime import get_runtime
from tests.integration.test_casework import mark, receive

runner = CliRunner()


@pytest.fixture
def cli_db(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The CLI pointed at the test database."""
    monkeypatch.setenv("KOEREPLAN_DATABASE_URL", db_url)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    get_runtime.cache_clear()
    yield engine
    get_runtime().engine.dispose()
    get_runtime.cache_clear()


def close_by_hand(engine: Engine, ref: str) -> None:
    """Mark a case closed directly, as the ending service leaves it."""
    with session(engine) as db:
        case = load_case(db, ref).case
        case.status, case.status_reason = "closed", "sagen lukket: udrejst"
        db.add(case)


def test_a_new_case_is_active_and_show_json_has_the_plan_fields(cli_db: Engine) -> None:
    ref = receive(cli_db, "familie.json").case_ref
    result = runner.invoke(app, ["show", ref, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["case"]["ref"] == ref
    assert data["case"]["status"] == "active"
    assert data["case"]["status_reason"] is None
    assert {"notice_id", "kind", "notice", "arrival", "takeover"} <= set(data["case"])
    step = next(s for s in data["steps"] if s["key"] == "cpr_bestilt")
    assert set(step) >= {"key", "phase", "person_id", "responsible", "notify", "kind"}
    assert set(step) >= {"legal", "due", "status", "reason"}
    assert len(data["steps"]) == 73


def test_show_and_status_print_a_closed_case_with_its_reason(cli_db: Engine) -> None:
    ref = receive(cli_db, "familie.json").case_ref
    close_by_hand(cli_db, ref)
    shown = runner.invoke(app, ["show", ref])
    assert "lukket (sagen lukket: udrejst)" in shown.output
    status = runner.invoke(app, ["status"])
    assert "0 aktiv, 0 afsluttet, 0 tilbagekaldt, 1 lukket" in status.output
    assert ref in status.output.split("Senest tilbagekaldte")[1]


def test_a_closed_case_takes_no_answers(engine: Engine) -> None:
    ref = receive(engine, "familie.json").case_ref
    close_by_hand(engine, ref)
    with pytest.raises(CaseError, match=r"lukket .* tager ikke imod registreringer"):
        mark(engine, ref, "cpr_bestilt", "P-80001")


def test_close_and_reopen_from_the_terminal(cli_db: Engine) -> None:
    ref = receive(cli_db, "familie.json").case_ref
    refused = runner.invoke(app, ["close", ref, "--grund", "andet", "--af", "KT"])
    assert refused.exit_code == 2
    assert "note: mangler" in refused.output

    closed = runner.invoke(
        app, ["close", ref, "--grund", "fraflyttet", "--kommune", "101", "--af", "KT"]
    )
    assert closed.exit_code == 0, closed.output
    assert f"Sag {ref} er lukket;" in closed.output
    data = json.loads(runner.invoke(app, ["show", ref, "--json"]).output)
    assert (data["case"]["status"], data["case"]["status_reason"]) == (
        "closed",
        "sagen lukket: fraflyttet",
    )
    assert data["case"]["new_municipality_code"] == "101"
    assert {s["reason"] for s in data["steps"] if s["status"] == "not_applicable"} >= {
        "sagen lukket: fraflyttet"
    }

    reopened = runner.invoke(app, ["reopen", ref, "--af", "KT"])
    assert reopened.exit_code == 0, reopened.output
    assert f"Sag {ref} er genåbnet" in reopened.output
    assert json.loads(runner.invoke(app, ["show", ref, "--json"]).output)["case"]["status"] == (
        "active"
    )
