"""`koereplan status`: active cases, recently ended ones, unsent messages and held inbox files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cli.common import console
from koereplan.danish import CASE_STATUS_DA, count_of, danish_date

if TYPE_CHECKING:
    from rich.table import Table

    from models.tables import Case
    from services.claims import ClaimInfo

ENDED_SHOWN = 20


def status() -> None:
    """Aktive sager på én skærm: åbne, overskredne og lovkrav; beskeder, der ikke er sendt."""
    from rich.table import Table

    from koereplan.status import CaseStatus, OutboxStatus
    from koereplan.workdays import local_date
    from services.runtime import get_runtime
    from services.status import status_report

    runtime = get_runtime()
    report = status_report(runtime.engine, local_date(), ended_shown=ENDED_SHOWN)
    table = Table(title="Aktive sager")
    for column in ("Sag", "Type", "Ankomst", "Åbne", "Overskredne", "Heraf lovkrav"):
        table.add_column(column)
    for row in report.active:
        table.add_row(
            row.ref,
            row.kind,
            danish_date(row.arrival) + (" (over kapacitet)" if row.overbooked else ""),
            str(row.open),
            str(row.overdue),
            str(row.legal_overdue),
        )
    console.print(table)
    console.print(
        "Sager: "
        + ", ".join(f"{report.per_status.get(s, 0)} {CASE_STATUS_DA[s]}" for s in CaseStatus)
        + "."
    )
    if report.ended:
        console.print(_ended_table(report.ended))
    messages = report.messages
    console.print(
        f"Beskeder: {messages.get(OutboxStatus.SENT, 0)} sendt, "
        f"{messages.get(OutboxStatus.PENDING, 0)} venter, "
        f"{messages.get(OutboxStatus.FAILED, 0)} kunne ikke sendes."
    )
    for line in _claim_lines(runtime.settings.inbox):
        console.print(line, markup=False, highlight=False)


def _claim_lines(inbox: Path) -> list[str]:
    """Files an intake holds, per intake: a stopped one's files go back at the next intake."""
    from koereplan.workdays import COPENHAGEN
    from services.claims import claims

    held: dict[tuple[int | None, str, bool], list[ClaimInfo]] = {}
    for info in claims(inbox):
        held.setdefault((info.pid, info.host, info.gone), []).append(info)
    lines = []
    for (pid, host, gone), infos in held.items():
        files = sum(i.files for i in infos)
        since = datetime.fromtimestamp(min(i.since for i in infos), COPENHAGEN)
        who = f"pid {pid} på {host}" if pid else "ukendt intake"
        state = "en intake, der er stoppet" if gone else "en intake, der arbejder"
        after = "; næste intake lægger dem tilbage i indbakken" if gone else ""
        lines.append(
            f"Indbakken: {count_of(files, 'fil', 'filer')} hos {state} "
            f"({who}, siden {since:%d.%m. %H:%M}){after}."
        )
    return lines


def _ended_table(ended: list[Case]) -> Table:
    from rich.table import Table

    from services.checklist import status_date

    table = Table(title=f"Senest tilbagekaldte og lukkede sager (højst {ENDED_SHOWN})")
    for column in ("Sag", "Status", "Dato", "Begrundelse"):
        table.add_column(column)
    for case in ended:
        table.add_row(
            case.ref,
            CASE_STATUS_DA.get(case.status, case.status),
            danish_date(status_date(case.status_changed_at)),
            case.status_reason or "",
        )
    return table
