"""The checklist artifact's Markdown: what the Prefect UI makes of it, checked by hand."""

from __future__ import annotations

import re
from datetime import date

import pytest

from koereplan.checklist import ChecklistRow
from koereplan.checklist_markdown import (
    DEPARTMENT_WIDTH,
    TITLE_WIDTH,
    cell,
    checklist_markdown,
    headline,
)
from koereplan.danish import short_danish_date


def row(**changes: object) -> ChecklistRow:
    fields: dict[str, object] = {
        "phase": "Før modtagelsen",
        "key": "moeder_koordineret",
        "title": "Første møde i Socialcenter og Jobcenter koordineret, tolk booket",
        "member": "husstand",
        "department": "Familie- og Beskæftigelsesforvaltningen (FB)",
        "due": "23. november 2026",
        "legal": "",
        "status": "åben",
        "overdue": False,
        "due_on": date(2026, 11, 23),
    }
    return ChecklistRow(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (date(2026, 11, 23), "man. 23. nov. 2026"),
        (date(2026, 11, 24), "tirs. 24. nov. 2026"),
        (date(2027, 5, 7), "fre. 7. maj 2027"),
        (None, "ikke fastsat"),
    ],
)
def test_a_due_date_starts_with_its_weekday(day: date | None, shown: str) -> None:
    assert short_danish_date(day) == shown


def test_no_cell_starts_like_a_markdown_list_item() -> None:
    text = checklist_markdown([row()])
    cells = [
        c.strip()
        for line in text.splitlines()
        if line.startswith("|")
        for c in line[1:-1].split(" | ")
    ]
    assert "man. 23. nov. 2026" in cells
    assert not [c for c in cells if re.match(r"\d+[.)]\s|[-*+]\s", c)]


def test_columns_come_status_and_due_date_first_and_phases_are_sections() -> None:
    rows = [row(), row(phase="Ved modtagelsen", title="Kontant udbetaling", status="afventer")]
    text = checklist_markdown(rows, note="Bolig fundet og indbo bestilt: udført (KT)")
    assert (
        text.splitlines()[0] == "Seneste registrering: Bolig fundet og indbo bestilt: udført (KT)"
    )
    assert text.count("| Status | Frist | § | Trin | Person | Afdeling |") == 2
    assert text.index("### Før modtagelsen") < text.index("### Ved modtagelsen")


def test_long_titles_and_departments_break_into_short_lines() -> None:
    line = next(x for x in checklist_markdown([row()]).splitlines() if "møde" in x)
    title, department = line.split(" | ")[3], line.split(" | ")[5].rstrip(" |")
    assert title == "Første møde i Socialcenter<br>og Jobcenter koordineret,<br>tolk booket"
    assert all(len(part) <= TITLE_WIDTH for part in title.split("<br>"))
    assert department == "Familie- og<br>Beskæftigelsesforvaltningen<br>(FB)"
    assert max(len(part) for part in department.split("<br>")) > DEPARTMENT_WIDTH  # one long word


def test_an_overdue_step_says_so_in_bold_and_in_the_headline() -> None:
    rows = [row(overdue=True)]
    assert "| åben<br>**overskredet** |" in checklist_markdown(rows)
    assert (
        headline("KR-1", rows, "1 åben", None) == "**Køreplan KR-1** · 1 åben · **1 overskredet**"
    )


def test_a_refused_answer_leads_the_description() -> None:
    line = headline("KR-1", [row()], "1 åben", "Seneste svar blev ikke registreret: bolig_indbo")
    assert line == (
        "⚠ **Seneste svar blev ikke registreret: bolig\\_indbo** · **Køreplan KR-1** · 1 åben"
    )


def test_markdown_characters_in_text_are_escaped() -> None:
    assert cell("a | b *c* [d] <e> #f") == "a \\| b \\*c\\* \\[d\\] \\<e\\> \\#f"
