"""The checklist as Markdown for the Prefect UI: phases as sections, narrow enough for 1400 px.

The UI renders table cells as Markdown on one line each: a date such as `23. november 2026`
became list item "1.", and long titles pushed Person and Afdeling off the screen. Dates here
start with the weekday, text is escaped, and long cells break with `<br>` (which the UI keeps).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from koereplan.checklist import LEGAL_MARK, ChecklistRow
from koereplan.danish import short_danish_date

COLUMNS = ("Status", "Frist", LEGAL_MARK, "Trin", "Person", "Afdeling")
TITLE_WIDTH = 26  # characters per line: the six columns fit the artifact page at 1400 px
DEPARTMENT_WIDTH = 22
STATUS_WIDTH = 14  # "venter på registrering i CPR" on three short lines
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def cell(text: str, width: int | None = None) -> str:
    """Text safe in a table cell: Markdown characters escaped, long text broken into lines."""
    lines = textwrap.wrap(text, width, break_long_words=False) if width else [text]
    return "<br>".join(_SPECIAL.sub(r"\\\1", line) for line in lines or [""])


def status_cell(row: ChecklistRow) -> str:
    """The status, with an overdue step's lateness in bold beneath it."""
    return cell(row.status, STATUS_WIDTH) + ("<br>**overskredet**" if row.overdue else "")


def table_row(row: ChecklistRow) -> str:
    """One step as a Markdown table row, in the order of COLUMNS."""
    cells = (
        status_cell(row),
        cell(short_danish_date(row.due_on)),
        row.legal,
        cell(row.title, TITLE_WIDTH),
        cell(row.member),
        cell(row.department, DEPARTMENT_WIDTH),
    )
    return "| " + " | ".join(cells) + " |"


def headline(ref: str, rows: Sequence[ChecklistRow], summary: str, warning: str | None) -> str:
    """The artifact's description, its first line on the card and the page.

    `**Køreplan KR-2026-0001** · 3 udført, 5 åben · 1 overskredet`, after a refused answer's
    reason when there is one.
    """
    overdue = sum(row.overdue for row in rows)
    late = f" · **{overdue} overskredet**" if overdue else ""
    line = f"**Køreplan {ref}** · {summary}{late}"
    return f"⚠ **{cell(warning)}** · {line}" if warning else line


def checklist_markdown(rows: Sequence[ChecklistRow], note: str | None = None) -> str:
    """The artifact's body: the last registration, then one table per phase."""
    parts = [f"Seneste registrering: {cell(note)}"] if note else []
    phases: dict[str, list[ChecklistRow]] = {}
    for row in rows:
        phases.setdefault(row.phase, []).append(row)
    header = "| " + " | ".join(COLUMNS) + " |\n|" + "---|" * len(COLUMNS)
    for phase, members in phases.items():
        parts.append(f"### {cell(phase)}\n\n{header}\n" + "\n".join(map(table_row, members)))
    return "\n\n".join(parts) + "\n"
