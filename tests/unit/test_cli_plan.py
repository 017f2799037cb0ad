"""`koereplan plan` and `koereplan check-config` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES_AND_DATES = [
    "Rami",
    "Haddad",
    "Lina",
    "Samira",
    "1985-06-30",
    "Yonas",
    "Tesfay",
    "1998-02-14",
]
runner = CliRunner()


@pytest.mark.parametrize("name", ["enlig-voksen.json", "familie.json"])
def test_plan_json_prints_the_spec_object(name: str) -> None:
    result = runner.invoke(app, ["plan", str(EXAMPLES / name), "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert set(plan) == {"case", "steps"}
    assert list(plan["case"]) == [
        "notice_id",
        "kind",
        "notice",
        "arrival",
        "decision",
        "takeover",
        "takeover_basis",
    ]
    fields = {
        "key",
        "phase",
        "person_id",
        "responsible",
        "notify",
        "kind",
        "legal",
        "due",
        "status",
    }
    assert all(set(step) == fields for step in plan["steps"])


def test_plan_prints_a_danish_checklist_without_personal_data() -> None:
    result = runner.invoke(app, ["plan", str(EXAMPLES / "familie.json")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    for words in ("Før modtagelsen", "Ved modtagelsen", "Hverdagen begynder", "8. januar 2027"):
        assert words in out
    assert "UST-2026-100245" in out and "§" in out and "barn 2" in out
    for personal in NAMES_AND_DATES:
        assert personal not in out


def test_a_rejected_notice_exits_2_naming_the_field_without_a_traceback(tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "familie.json").read_text())
    data["municipality_code"] = "101"
    bad = tmp_path / "anden-kommune.json"
    bad.write_text(json.dumps(data))
    result = runner.invoke(app, ["plan", str(bad), "--json"])
    assert result.exit_code == 2
    assert "municipality_code" in result.stderr
    assert "Traceback" not in result.output


def test_a_reunification_without_reference_is_reported_by_plan(tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "familiesammenfoering.json").read_text())
    del data["reference_notice_id"]
    bad = tmp_path / "uden-reference.json"
    bad.write_text(json.dumps(data))
    result = runner.invoke(app, ["plan", str(bad)])
    assert result.exit_code == 2 and "reference_notice_id" in result.stderr


def test_a_missing_file_is_a_clear_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", str(tmp_path / "findes-ikke.json")])
    assert result.exit_code == 2 and "findes-ikke.json" in result.stderr


def test_check_config_accepts_the_shipped_files() -> None:
    result = runner.invoke(app, ["check-config"])
    assert result.exit_code == 0, result.output
    assert "45 trin" in result.stdout


def test_check_config_points_at_the_line_of_an_unknown_department(tmp_path: Path) -> None:
    source = (Path(__file__).resolve().parents[1] / "fixtures/koereplan.smaaby.yaml").read_text()
    broken = source.replace("responsible: borgerservice", "responsible: borgerservise", 1)
    path = tmp_path / "smaaby.yaml"
    path.write_text(broken)
    line = broken.splitlines().index("    responsible: borgerservise") + 1
    result = runner.invoke(app, ["check-config", str(path)])
    assert result.exit_code == 2
    assert f"smaaby.yaml:{line}" in result.stderr and "borgerservise" in result.stderr


def test_check_config_reports_departments_without_an_address(tmp_path: Path) -> None:
    routing = tmp_path / "apprise.yaml"
    routing.write_text("version: 1\nurls:\n  - json://127.0.0.1:9/x:\n      - tag: ukendt\n")
    result = runner.invoke(app, ["check-config"], env={"KOEREPLAN_APPRISE_CONFIG": str(routing)})
    assert result.exit_code == 2
    assert "'koordinator' har ingen adresse" in result.stderr
    assert "'ukendt' bruges ikke" in result.stderr
