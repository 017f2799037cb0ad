"""What coordinators type and read: notes without personal data, plain file names, Rich-safe CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from cli.main import app
from models.db import session
from models.tables import AuditEntry, OutboxMessage, Step
from services.casefile import CaseError
from services.intake import receive_file
from services.runtime import get_runtime
from services.steps import mark_step
from settings import Settings, get_settings
from tests.integration.received import DEFINITION, notices
from tests.integration.test_coordinator_answers import answer, label_of

runner = CliRunner()


def new_case(engine: Engine, name: str = "familie.json", raw: bytes | None = None) -> str:
    raw = raw if raw is not None else notices()[name]
    result = receive_file(engine, DEFINITION, Settings(), file_name=name, raw=raw)
    assert result.case_ref
    return result.case_ref


def test_a_form_answer_with_a_cpr_number_in_the_note_is_refused(engine: Engine) -> None:
    ref = new_case(engine)
    label = label_of(engine, ref, "Bolig fundet og indbo bestilt")

    with pytest.raises(CaseError, match="ligner et cpr-nummer"):
        answer(engine, ref, "run:svar-0", trin=label, initialer="KT", note="cpr 300685-1234")

    with session(engine) as db:
        notes = db.exec(select(Step.note)).all()
        audit = db.exec(select(AuditEntry.detail)).all()
    assert "300685-1234" not in json.dumps([*notes, *audit])


def test_a_reason_with_a_birth_date_is_refused_before_the_arrival_moves(engine: Engine) -> None:
    ref = new_case(engine)
    label = label_of(engine, ref, "Bolig fundet og indbo bestilt")

    with pytest.raises(CaseError, match="dato med årstal"):
        answer(
            engine,
            ref,
            "run:svar-0",
            trin=label,
            handling="ikke relevant",
            begrundelse="født 30.06.1985",
            initialer="KT",
            ny_ankomstdato="2027-01-20",
        )


def test_a_note_without_personal_data_is_kept(engine: Engine) -> None:
    ref = new_case(engine)
    with session(engine) as db:
        change = mark_step(
            db,
            DEFINITION,
            ref=ref,
            key="bolig_indbo",
            person_id=None,
            action="done",
            by="KT",
            note="nøgler udleveret 3/12",
        )
    assert change.marked is not None and change.marked.note == "nøgler udleveret 3/12"


def test_a_rejected_file_name_reaches_coordinators_as_plain_text(engine: Engine) -> None:
    name = "[klik](https://evil.example)\u202enosj.json"
    receive_file(engine, DEFINITION, Settings(), file_name=name, raw=b"{ikke json")

    with session(engine) as db:
        [row] = db.exec(
            select(OutboxMessage).where(OutboxMessage.message_type == "notice_rejected")
        ).all()
    assert row.context["file_name"] == "_klik__https___evil.example__nosj.json"


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """The CLI on the test database, with no Prefect to wake."""
    monkeypatch.setenv("KOEREPLAN_DATABASE_URL", db_url)
    monkeypatch.setenv("KOEREPLAN_APPRISE_CONFIG", str(tmp_path / "apprise.yaml"))
    (tmp_path / "apprise.yaml").write_text("version: 1\nurls: []\n")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    get_settings.cache_clear()
    get_runtime.cache_clear()
    yield db_url
    get_runtime().engine.dispose()
    get_settings.cache_clear()
    get_runtime.cache_clear()


@pytest.mark.parametrize(
    "args",
    [
        ["done", "[/red]", "cpr_bestilt", "--af", "KT"],
        ["done", "KR-2026-0001", "[bold]x[/]", "--af", "KT"],
        ["done", "KR-2026-0001", "cpr_bestilt", "--person", "[/b]", "--af", "KT"],
        ["done", "KR-2026-0001", "bolig_indbo", "--af", "[/i]KT"],
        ["show", "[link=x]KR[/link"],
        ["reschedule", "[/]", "--arrival", "2027-01-04", "--af", "KT"],
        ["reschedule", "KR-2026-0001", "--arrival", "[/x]", "--af", "KT"],
    ],
)
def test_rich_markup_in_what_a_coordinator_types_never_crashes_the_cli(
    cli_db: str, args: list[str]
) -> None:
    new_case(get_runtime().engine)

    result = runner.invoke(app, args)

    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 2), result.output


def test_a_refusal_shows_the_case_reference_as_typed(cli_db: str) -> None:
    result = runner.invoke(app, ["done", "[red]KR-9[/red]", "cpr_bestilt", "--af", "KT"])

    assert result.exit_code == 2, repr(result.exception)
    assert "[red]KR-9[/red]" in result.output
