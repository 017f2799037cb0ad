"""`koereplan takeover`, `done cpr_tilflyttet --dato` and `migrate-takeover` as a coordinator
types them, on a real SQLite database (departments' addresses point at a closed local port)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from devtools.sinks import free_port
from koereplan.paths import CONFIG_DIR
from services.runtime import get_runtime
from settings import get_settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


@pytest.fixture
def koereplan_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh database; every department's address a closed port, so nothing leaves."""
    port = free_port()
    routing = (CONFIG_DIR / "apprise.example.yaml").read_text()
    routing = routing.replace("127.0.0.1:8025", f"127.0.0.1:{port}")
    routing = routing.replace("127.0.0.1:8099", f"127.0.0.1:{port}")
    (tmp_path / "apprise.yaml").write_text(routing)
    monkeypatch.setenv("KOEREPLAN_DATABASE_URL", f"sqlite:///{tmp_path}/koereplan.db")
    monkeypatch.setenv("KOEREPLAN_APPRISE_CONFIG", str(tmp_path / "apprise.yaml"))
    monkeypatch.setenv("KOEREPLAN_USER", "KT")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    get_settings.cache_clear()
    get_runtime.cache_clear()
    yield tmp_path
    get_runtime.cache_clear()
    get_settings.cache_clear()


def koereplan(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def receive(home: Path, **changes: object) -> None:
    data = {**json.loads((EXAMPLES / "enlig-voksen.json").read_text()), **changes}
    path = home / "notice.json"
    path.write_text(json.dumps(data))
    code, output = koereplan("intake", str(path))
    assert code == 0, output


def test_a_coordinator_records_a_consent_from_the_terminal(koereplan_home: Path) -> None:
    receive(koereplan_home)
    code, output = koereplan("takeover", "KR-2026-0001", "--date", "2026-12-09")
    assert code == 2
    assert "kræver borgerens samtykke" in output and "Intet er ændret" in output
    code, output = koereplan("takeover", "KR-2026-0001", "--date", "2027-01-05", "--samtykke")
    assert code == 2 and "ligger efter lovens frist for overtagelse (2027-01-04)" in output
    code, output = koereplan("takeover", "KR-2026-0001", "--date", "9-12-2026", "--samtykke")
    assert code == 2 and "--date: '9-12-2026' er ikke en dato" in output
    code, output = koereplan("takeover", "KR-2026-0001", "--date", "2026-12-09", "--samtykke")
    assert code == 0, output
    assert "overtagelse 4. januar 2027 → 9. december 2026 (efter samtykke); 8 frister flyttet" in (
        output
    )
    code, output = koereplan("show", "KR-2026-0001")
    assert "Overtagelse 9. december 2026 (efter samtykke)" in output


def test_a_coordinator_records_the_cpr_registration_from_the_terminal(
    koereplan_home: Path,
) -> None:
    receive(koereplan_home, legal_basis="kvote")
    code, output = koereplan("show", "KR-2026-0001")
    assert "Overtagelse ikke fastsat (venter på registrering i CPR)" in output
    assert "venter på registrering i CPR" in output.split("Hverdagen begynder")[1]
    code, output = koereplan("done", "KR-2026-0001", "cpr_tilflyttet")
    assert code == 2 and "Registreringsdato i CPR mangler" in output
    code, output = koereplan("done", "KR-2026-0001", "cpr_tilflyttet", "--dato", "2026-11-24")
    assert code == 0, output
    assert (
        "Nu åbent: Integrationskontrakt udarbejdet og underskrevet (frist 24. december 2026)"
        in (output)
    )
    code, output = koereplan("show", "KR-2026-0001")
    assert "Overtagelse 24. november 2026 (fra CPR-registrering)" in output


def test_migrate_takeover_on_cases_already_under_the_law_changes_nothing(
    koereplan_home: Path,
) -> None:
    receive(koereplan_home)
    code, output = koereplan("migrate-takeover", "--dry-run")
    assert code == 0, output
    assert "1 aktive sager gennemgået; 0 ville blive ændret; 0 frister flyttet" in output
    assert "Prøvekørsel: intet er gemt" in output
