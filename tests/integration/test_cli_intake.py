"""`koereplan intake --json` and `koereplan plan` on an amendment, as a script or user runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from devtools.sinks import WebhookSink, routing_to
from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR
from services.runtime import get_runtime
from settings import get_settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAMILY = json.loads((EXAMPLES / "familie.json").read_text())
AMENDMENT = {
    "schema_version": 1,
    "notice_id": "UST-2026-100245-AE1",
    "kind": "aendring",
    "issued_at": "2026-11-25T09:00:00+01:00",
    "municipality_code": "851",
    "reference_notice_id": "UST-2026-100245",
    "expected_arrival": "2027-01-11",
}
runner = CliRunner()


@pytest.fixture
def koereplan_cli(
    db_url: str, tmp_path: Path, http_receiver: WebhookSink, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The CLI's settings: this test's database, departments on a local HTTP receiver."""
    routing = tmp_path / "apprise.yaml"
    routing.write_text(
        routing_to(http_receiver, load_definition(CONFIG_DIR / "koereplan.aalborg.yaml"))
    )
    monkeypatch.setenv("KOEREPLAN_DATABASE_URL", db_url)
    monkeypatch.setenv("KOEREPLAN_APPRISE_CONFIG", str(routing))
    monkeypatch.setenv("KOEREPLAN_INBOX", str(tmp_path / "inbox"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    get_settings.cache_clear()
    get_runtime.cache_clear()
    yield tmp_path
    get_runtime().engine.dispose()
    get_settings.cache_clear()
    get_runtime.cache_clear()


def write(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(data))
    return path


def test_intake_json_prints_one_object_per_file(koereplan_cli: Path) -> None:
    family = write(koereplan_cli, "familie.json", FAMILY)
    change = write(koereplan_cli, "aendring.json", AMENDMENT)
    stale = write(
        koereplan_cli,
        "gammel.json",
        {**AMENDMENT, "notice_id": "UST-2026-100245-AE0", "issued_at": "2026-11-24T09:00:00+01:00"},
    )
    first = runner.invoke(app, ["intake", str(family), str(change), "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == [
        {"file": "familie.json", "outcome": "accepted", "case_ref": "KR-2026-0001", "problems": []},
        {"file": "aendring.json", "outcome": "amended", "case_ref": "KR-2026-0001", "problems": []},
    ]
    second = runner.invoke(app, ["intake", str(change), str(stale), "--json"])
    assert second.exit_code == 2
    again, old = json.loads(second.stdout)
    assert again == {
        "file": "aendring.json",
        "outcome": "duplicate",
        "case_ref": "KR-2026-0001",
        "problems": [],
    }
    assert (old["outcome"], old["case_ref"]) == ("rejected", None)
    assert [p["field"] for p in old["problems"]] == ["issued_at"]
    assert "forældet ændring" in old["problems"][0]["message"]
    shown = runner.invoke(app, ["show", "KR-2026-0001"], env={"COLUMNS": "200"})
    assert "Ændret" in shown.stdout and "11. januar 2027" in shown.stdout


def test_plan_on_an_amendment_exits_2_saying_it_goes_through_intake(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", str(write(tmp_path, "aendring.json", AMENDMENT))])
    assert result.exit_code == 2
    assert "ændrer en gemt sag" in result.stderr and "intake" in result.stderr
    assert "Traceback" not in result.output
