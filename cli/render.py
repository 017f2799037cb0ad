"""Rich output for the terminal: the checklist grouped by phase."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from koereplan.checklist import ChecklistRow

STATUS_STYLE = {"udført": "green", "ikke relevant": "dim", "åben": "bold", "afventer": "yellow"}


def print_checklist(console: Console, heading: str, rows: list[ChecklistRow]) -> None:
    """One table per phase; legal deadlines marked, overdue steps in red."""
    from koereplan.checklist import LEGAL_MARK

    console.print(heading, style="bold")
    for phase, phase_rows in groupby(rows, key=lambda row: row.phase):
        table = Table(title=phase, title_justify="left", show_lines=False, expand=False)
        table.add_column("Trin", overflow="fold", max_width=60)
        table.add_column("Person")
        table.add_column("Ansvarlig", overflow="fold", max_width=36)
        table.add_column("Frist", no_wrap=True)
        table.add_column(LEGAL_MARK, justify="center")
        table.add_column("Status", no_wrap=True)
        for row in phase_rows:
            style = "red" if row.overdue else STATUS_STYLE.get(row.status, "")
            status = row.status + (" · overskredet" if row.overdue else "")
            table.add_row(
                row.title, row.member, row.department, row.due, row.legal, status, style=style
            )
        console.print(table)
    console.print(f"{LEGAL_MARK} = lovbestemt frist (flyttes ikke)")
