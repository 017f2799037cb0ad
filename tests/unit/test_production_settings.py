"""`KOEREPLAN_ENV=production` refuses the demo's defaults at start; the demo keeps working."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import EXIT_UNSAFE_SETTINGS, app
from koereplan.paths import EXAMPLE_ROUTING
from settings import Settings
from settings.production import UnsafeSettings, production_problems, require_production_ready

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


@pytest.fixture(autouse=True)
def no_settings_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test gives counts: the suite's other tests may leave KOEREPLAN_* set."""
    for name in [n for n in os.environ if n.startswith("KOEREPLAN_")]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("PREFECT_UI_URL", raising=False)


@pytest.fixture
def routing(tmp_path: Path) -> Path:
    """A municipality's own routing file (content does not matter to the guard)."""
    path = tmp_path / "apprise.yaml"
    path.write_text(EXAMPLE_ROUTING.read_text())
    return path


def ready(routing: Path, **changes: object) -> Settings:
    """Production settings with nothing of the demo left, then `changes`."""
    values: dict[str, object] = {
        "env": "production",
        "apprise_config": routing,
        "asylum_mail_url": "mailtos://kr:hemmelig@smtp.aalborg.dk?from=koereplan@aalborg.dk",
        "prefect_ui_url": "https://koereplan.aalborg.dk",
        **changes,
    }
    return Settings(**values)  # type: ignore[arg-type]


def test_the_default_is_the_demo_and_nothing_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOEREPLAN_ENV", raising=False)
    monkeypatch.delenv("PREFECT_UI_URL", raising=False)
    settings = Settings()
    assert settings.env == "demo"
    assert settings.apprise_config == EXAMPLE_ROUTING
    assert production_problems(settings) == []
    require_production_ready(settings)


def test_production_settings_without_demo_defaults_start(routing: Path) -> None:
    assert production_problems(ready(routing)) == []


def test_production_refuses_the_example_routing_file(routing: Path) -> None:
    [problem] = production_problems(ready(routing, apprise_config=EXAMPLE_ROUTING))
    assert problem.startswith("KOEREPLAN_APPRISE_CONFIG is the example routing file")
    assert "municipality's own routing file" in problem


@pytest.mark.parametrize(
    "url",
    [
        "mailto://127.0.0.1:8025?from=koereplan@aalborg.example",
        "mailtos://u:p@localhost:587?from=k@aalborg.dk",
        "mailto://[::1]:25?from=k@aalborg.dk",
        "mailto://127.0.0.2?from=k@aalborg.dk",
    ],
)
def test_production_refuses_a_loopback_smtp_server(routing: Path, url: str) -> None:
    [problem] = production_problems(ready(routing, asylum_mail_url=url))
    assert problem.startswith("KOEREPLAN_ASYLUM_MAIL_URL sends through an SMTP server on this")
    assert "hemmelig" not in problem and "u:p" not in problem  # no password in the message


def test_production_refuses_a_missing_prefect_ui_url(routing: Path) -> None:
    [problem] = production_problems(ready(routing, prefect_ui_url=None))
    assert problem.startswith("PREFECT_UI_URL is not set: set it to")


def test_every_problem_is_told_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_UI_URL", raising=False)
    with pytest.raises(UnsafeSettings) as refused:
        require_production_ready(Settings(env="production"))
    assert len(refused.value.problems) == 3
    assert str(refused.value).startswith("KOEREPLAN_ENV=production refuses to start:")


@pytest.mark.parametrize(
    "command",
    [
        ["serve"],
        ["intake", str(EXAMPLES / "familie.json")],
        ["done", "KR-2026-0001", "cpr_bestilt", "--af", "KT"],
        ["dispatch"],
        ["status"],
    ],
    ids=lambda c: c[0],
)
def test_the_cli_refuses_to_start_on_demo_settings_in_production(
    command: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PREFECT_UI_URL", raising=False)
    monkeypatch.delenv("KOEREPLAN_APPRISE_CONFIG", raising=False)
    monkeypatch.delenv("KOEREPLAN_ASYLUM_MAIL_URL", raising=False)
    database = tmp_path / "koereplan.db"
    env = {"KOEREPLAN_ENV": "production", "KOEREPLAN_DATABASE_URL": f"sqlite:///{database}"}
    result = runner.invoke(app, command, env=env)
    assert result.exit_code == EXIT_UNSAFE_SETTINGS, result.output
    for setting in ("KOEREPLAN_APPRISE_CONFIG", "KOEREPLAN_ASYLUM_MAIL_URL", "PREFECT_UI_URL"):
        assert setting in result.output
    assert not database.exists()  # refused before anything was touched


def test_plan_and_check_config_still_answer_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PREFECT_UI_URL", raising=False)
    monkeypatch.delenv("KOEREPLAN_APPRISE_CONFIG", raising=False)
    env = {"KOEREPLAN_ENV": "production"}
    assert runner.invoke(app, ["plan", str(EXAMPLES / "familie.json")], env=env).exit_code == 0
    checked = runner.invoke(app, ["check-config"], env=env)
    assert checked.exit_code == 2
    assert "KOEREPLAN_APPRISE_CONFIG is the example routing file" in checked.output


def test_the_runtime_refuses_demo_settings_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    """Flows under a worker (prefect deploy) build the runtime: refused there too."""
    from services.runtime import get_runtime

    monkeypatch.setenv("KOEREPLAN_ENV", "production")
    monkeypatch.delenv("PREFECT_UI_URL", raising=False)
    get_runtime.cache_clear()
    try:
        with pytest.raises(UnsafeSettings, match="PREFECT_UI_URL"):
            get_runtime()
    finally:
        get_runtime.cache_clear()
