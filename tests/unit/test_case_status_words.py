"""Case status words, run tags and run names: pure helpers, hand-computed."""

from __future__ import annotations

from datetime import date

from services.checklist import Snapshot
from tasks.casework import status_tags
from tasks.intake import reception_run_name


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
