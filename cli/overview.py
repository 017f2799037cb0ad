"""The overview from the terminal: `overview`, `queue`, `compliance` and `audit`.

Database and service modules are imported inside the commands, so `koereplan --help` stays fast.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.table import Table
from rich.text import Text

from cli.common import EXIT_BAD_INPUT, console, err_console

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CsvOption = Annotated[
    Path | None,
    typer.Option("--csv", help="Skriv også en CSV-fil (UTF-8 med BOM, semikolon) til Excel."),
]


def overview() -> None:
    """Aktive sager pr. fase, ankomster de næste 10 arbejdsdage, CPR-ventende, lovkrav for sent."""
    from koereplan.danish import danish_date
    from koereplan.workdays import local_date
    from models.db import session
    from services.casefile import department_names
    from services.overview import overview as overview_view
    from services.runtime import get_runtime

    runtime = get_runtime()
    with session(runtime.engine) as db:
        view = overview_view(db, today=local_date())
    console.print(f"Oversigt {danish_date(view.today)}: {view.active} aktive sager", style="bold")
    _print(("Fase", "Sager"), view.phase_rows(), "Aktive sager pr. fase")
    _print(
        ("Dato", "Sag", "Personer"),
        view.arrival_rows(),
        f"Ankomster til og med {danish_date(view.until)}",
    )
    console.print(
        f"Venter på cpr-registrering ({len(view.waiting_cpr)}): "
        + (", ".join(view.waiting_cpr) or "ingen")
    )
    _print(
        ("Sag", "Overskredne lovfrister", "Ældste frist", "Afdelinger"),
        view.overdue_rows(department_names(runtime.definition)),
        "Sager med overskredne lovfrister",
    )


def queue(
    department: Annotated[str, typer.Argument(help="Afdelingens nøgle, fx jobcenter-integration.")],
    csv_file: CsvOption = None,
) -> None:
    """En afdelings åbne trin i alle sager: overskredne først, derefter efter frist."""
    from koereplan.overview import QUEUE_HEADERS
    from koereplan.workdays import local_date
    from models.db import session
    from services.overview import all_queues
    from services.runtime import get_runtime

    runtime = get_runtime()
    if department not in runtime.definition.departments:
        known = ", ".join(sorted(runtime.definition.departments))
        _refuse(f"afdeling: {department!r} findes ikke i køreplanen (kendte: {known})")
    today = local_date()
    with session(runtime.engine) as db:
        found = all_queues(db, runtime.definition, today=today)
    view = found.get(department)
    if view is None:  # the asylum centres have no queue: they are told by mail
        _refuse(f"afdeling: {department!r} har ingen kø i Køreplan")
    rows = [item.row(today) for item in view.items]
    _print(QUEUE_HEADERS, rows, view.heading())
    _write_csv(csv_file, QUEUE_HEADERS, rows)


def compliance(
    first: Annotated[
        str | None, typer.Option("--from", help="Første måned (ÅÅÅÅ-MM); standard: 11 mdr. før.")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Sidste måned (ÅÅÅÅ-MM); standard: denne måned.")
    ] = None,
    csv_file: CsvOption = None,
) -> None:
    """Lovfrister overholdt, for sent eller stadig åbne, pr. måned, trin og afdeling."""
    from koereplan.compliance import months_back
    from koereplan.overview import COMPLIANCE_HEADERS
    from koereplan.workdays import local_date
    from models.db import session
    from notifications.overview_markdown import COMPLIANCE_FOOTNOTE
    from services.overview import compliance as compliance_view
    from services.runtime import get_runtime

    today = local_date()
    default_first, default_last = months_back(today)
    first, last = _month("--from", first or default_first), _month("--to", last or default_last)
    if first > last:
        _refuse(f"--from: {first} ligger efter --to: {last}")
    runtime = get_runtime()
    with session(runtime.engine) as db:
        view = compliance_view(db, runtime.definition, today=today, first=first, last=last)
    rest = COMPLIANCE_HEADERS[1:]
    _print(COMPLIANCE_HEADERS, view.month_rows(), f"Lovbestemte frister {first} – {last}")
    _print(("Måned", "Trin", *rest), view.step_rows(), "Pr. trin")
    _print(("Måned", "Afdeling", *rest), view.department_rows(), "Pr. afdeling")
    console.print(COMPLIANCE_FOOTNOTE, style="dim", markup=False)
    rows = [
        *(("måned", row[0], "", *row[1:]) for row in view.month_rows()),
        *(("trin", *row) for row in view.step_rows()),
        *(("afdeling", *row) for row in view.department_rows()),
    ]
    headers = ("Opdeling", "Måned", "Trin/afdeling", *rest[:-2], "Andel til tiden (%)", rest[-1])
    _write_csv(
        csv_file, headers, [(*row[:-2], row[-2].removesuffix(" %"), row[-1]) for row in rows]
    )


def audit(
    case: Annotated[str, typer.Argument(help="Sagsnummer, fx KR-2026-0001.")],
    csv_file: CsvOption = None,
) -> None:
    """Alle registrerede hændelser i en sag, i rækkefølge, til en aktindsigt.

    Den eneste kommando, der viser personernes navne, fordi en aktindsigt handler om dem.
    Udskriften er kun til den, der har bedt om den: den logges og sendes aldrig videre.
    """
    from koereplan.audit_trail import AUDIT_HEADERS
    from models.db import session
    from services.audit import audit_trail
    from services.casefile import CaseError
    from services.runtime import get_runtime

    runtime = get_runtime()
    try:
        with session(runtime.engine) as db:
            lines = audit_trail(db, case)
    except CaseError as error:
        _refuse(str(error))
    rows = [line.row() for line in lines]
    _print(AUDIT_HEADERS, rows, f"Sag {case}: {len(rows)} hændelser (aktindsigt)")
    _write_csv(csv_file, AUDIT_HEADERS, rows)


def _print(headers: Sequence[str], rows: Iterable[Sequence[str]], title: str) -> None:
    """A Rich table; cell text is printed as is (no markup from stored values)."""
    table = Table(title=title, title_justify="left")
    for header in headers:
        table.add_column(header, overflow="fold", no_wrap=header in ("Sag", "Måned"))
    count = 0
    for row in rows:
        table.add_row(*(_plain(cell) for cell in row))
        count += 1
    if count:
        console.print(table)
    else:
        console.print(f"{title}: ingen.", markup=False)


def _plain(cell: str) -> Text:
    """Stored text shown as is: a `[` in a title is not Rich markup."""
    return Text(cell)


def _write_csv(path: Path | None, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """UTF-8 with a BOM and semicolons, so Danish Excel opens it with æ, ø, å intact."""
    if path is None:
        return
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(headers)
            writer.writerows(rows)
    except OSError as error:
        _refuse(f"--csv: kan ikke skrive {path}: {error.strerror or error}")
    console.print(f"CSV skrevet: {path}", markup=False)


def _month(option: str, value: str) -> str:
    """A YYYY-MM month, or a Danish message naming the option."""
    if not MONTH.match(value):
        _refuse(f"{option}: {value!r} er ikke en måned (ÅÅÅÅ-MM, fx 2026-01)")
    return value


def _refuse(message: str) -> NoReturn:
    err_console.print(message, markup=False, highlight=False)
    raise typer.Exit(EXIT_BAD_INPUT)
