"""Case status words, run tags, run names, closing rules and withdrawal notices: no database."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from koereplan.ending import close_problems, closing_reason
from koereplan.inbound import parse_inbound
from koereplan.notice_problems import NoticeRejected
from koereplan.run_names import reception_run_name, status_tags
from services.checklist import Snapshot


def view(status: str, reason: str | None = None, day: date | None = None) -> Snapshot:
    return Snapshot("KR-2026-0001", status, None, 0, date(2026, 12, 7), [], [], {}, reason, day)


def test_the_status_text_has_the_danish_word_date_and_reason() -> None:
    assert view("active").status_text() == "aktiv"
    closed = view("closed", "sagen lukket: fraflyttet", date(2026, 12, 3))
    assert closed.status_text() == "lukket 3. december 2026 (sagen lukket: fraflyttet)"
    assert not closed.active and view("active").active


def test_the_run_keeps_one_status_tag() -> None:
    assert status_tags(["opholdstilladelse"], "active") == ["opholdstilladelse", "status:active"]
    tags = status_tags(["opholdstilladelse", "status:active"], "withdrawn")
    assert tags == ["opholdstilladelse", "status:withdrawn"]


def test_a_reopened_case_gets_a_numbered_run_name() -> None:
    assert reception_run_name("KR-2026-0001") == "modtagelse-KR-2026-0001"
    assert reception_run_name("KR-2026-0001", 2) == "modtagelse-KR-2026-0001-2"


def test_plan_refuses_a_withdrawal_it_changes_a_stored_case(tmp_path: Path) -> None:
    notice = tmp_path / "tilbage.json"
    notice.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "notice_id": "UST-T-1",
                "kind": "tilbagekaldelse",
                "issued_at": "2026-11-25T09:00:00+01:00",
                "municipality_code": "851",
                "reference_notice_id": "UST-2026-100245",
            }
        )
    )
    result = CliRunner().invoke(app, ["plan", str(notice)])
    assert result.exit_code == 2
    assert "kind: tilbagekaldelse ændrer en gemt sag og modtages gennem intake" in result.output


def test_a_withdrawal_needs_its_reference_and_a_short_reason() -> None:
    raw = json.dumps(
        {
            "schema_version": 1,
            "notice_id": "UST-T-1",
            "kind": "tilbagekaldelse",
            "issued_at": "2026-11-25T09:00:00+01:00",
            "municipality_code": "851",
            "reason": "x" * 501,
        }
    ).encode()
    with pytest.raises(NoticeRejected) as rejected:
        parse_inbound(raw, municipality_code="851")
    problems = {p.where: p.message for p in rejected.value.problems}
    assert problems == {"reference_notice_id": "mangler", "reason": "må højst være 500 tegn"}


@pytest.mark.parametrize(
    ("grund", "kommune", "note", "where"),
    [
        ("fraflyttet", "101", None, []),
        ("fraflyttet", None, None, ["kommune"]),
        ("fraflyttet", "12345", None, ["kommune"]),
        ("fraflyttet", "0851", None, ["kommune"]),
        ("doedsfald", None, None, []),
        ("doedsfald", "101", None, ["kommune"]),
        ("andet", None, None, ["note"]),
        ("andet", None, "x" * 501, ["note"]),
        ("bortrejst", None, None, ["grund"]),
    ],
)
def test_what_a_closing_needs(
    grund: str, kommune: str | None, note: str | None, where: list[str]
) -> None:
    problems = close_problems(grund, kommune=kommune, note=note, own_municipality="851")
    assert [p.where for p in problems] == where


def test_the_closing_reason_is_in_danish() -> None:
    assert closing_reason("doedsfald") == "sagen lukket: dødsfald"
    assert closing_reason("fraflyttet") == "sagen lukket: fraflyttet"
