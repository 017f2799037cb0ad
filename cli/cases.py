"""What coordinators do to one case from the terminal: done, skip, show, reschedule.

The database, services and notifications are imported inside the commands, so `koereplan
--help` and `koereplan plan` start without SQLAlchemy, Apprise or Prefect (`bench/cli_start.py`).
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from cli.changes import ByOption, after_change, by_or_user, call_service, parse_date, refuse
from cli.common import console
from cli.render import print_checklist
from koereplan.danish import STATUS_DA, danish_date

if TYPE_CHECKING:
    from models.tables import Case

PersonOption = Annotated[
    str | None, typer.Option("--person", help="Personens id (person_id) ved trin pr. person.")
]


def done(
    case: Annotated[str, typer.Argument(help="Sagsnummer, fx KR-2026-0001.")],
    step: Annotated[str, typer.Argument(help="Trinnets nøgle, fx cpr_bestilt.")],
    person: PersonOption = None,
    note: Annotated[str | None, typer.Option("--note", help="Note uden personoplysninger.")] = None,
    by: ByOption = None,
    registered: Annotated[
        str | None,
        typer.Option("--dato", help="Registreringsdato i CPR (kun cpr_tilflyttet, ÅÅÅÅ-MM-DD)."),
    ] = None,
) -> None:
    """Markér et trin som udført: trin, der ventede på det, åbnes; deres afdelinger får besked."""
    from koereplan.status import StepStatus

    day = parse_date("--dato", registered)
    _mark(case, step, person, StepStatus.DONE, by, note=note, registered=day)


def skip(
    case: Annotated[str, typer.Argument(help="Sagsnummer, fx KR-2026-0001.")],
    step: Annotated[str, typer.Argument(help="Trinnets nøgle.")],
    reason: Annotated[str, typer.Option("--reason", help="Hvorfor trinnet ikke er relevant.")],
    person: PersonOption = None,
    by: ByOption = None,
) -> None:
    """Markér et trin som ikke relevant, med en begrundelse."""
    from koereplan.status import StepStatus

    _mark(case, step, person, StepStatus.NOT_APPLICABLE, by, reason=reason)


def show(
    case: Annotated[str, typer.Argument(help="Sagsnummer, fx KR-2026-0001.")],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv sagen som JSON.")] = False,
) -> None:
    """Vis en sags tjekliste (med --json: sagen og dens trin som JSON til scripts)."""
    from koereplan.arrival import OVERBOOKED_NOTE
    from koereplan.workdays import local_date
    from models.db import session
    from notifications.links import flow_run_url
    from services.casefile import CaseError, load_case
    from services.casejson import case_json
    from services.checklist import snapshot
    from services.runtime import get_runtime

    runtime = get_runtime()
    try:
        with session(runtime.engine) as db:
            if as_json:
                typer.echo(json.dumps(case_json(load_case(db, case)), ensure_ascii=False, indent=2))
                return
            view = snapshot(db, runtime.definition, case, local_date())
            stored = load_case(db, case).case
    except CaseError as error:
        refuse(error)
    heading = (
        f"Sag {view.ref} · {stored.kind} · {view.status_text()}\n"
        f"Ankomst {danish_date(stored.arrival_date)}{_overbooked(stored, f' ({OVERBOOKED_NOTE})')}"
        f" · {view.takeover_text()} · {view.summary()}"
    )
    link = flow_run_url(view.flow_run_id)
    if stored.status_note:
        heading += f"\nNote: {stored.status_note}"
    if link:
        heading += f"\nPrefect: {link}"
    print_checklist(console, heading, view.rows)


def reschedule(
    case: Annotated[str, typer.Argument(help="Sagsnummer, fx KR-2026-0001.")],
    arrival: Annotated[str, typer.Option("--arrival", help="Ny ankomstdato (ÅÅÅÅ-MM-DD).")],
    by: ByOption = None,
    allow_past: Annotated[
        bool,
        typer.Option("--tilladt-fortid", help="Tillad en dato før i dag (ankomsten er sket)."),
    ] = False,
) -> None:
    """Flyt ankomstdatoen: frister fra ankomst eller overtagelse følger; afdelinger får besked."""
    from models.db import session
    from services.casefile import CaseError
    from services.runtime import get_runtime
    from services.schedule import PastArrival
    from services.schedule import reschedule as reschedule_case

    new = parse_date("--arrival", arrival)
    assert new is not None
    runtime = get_runtime()
    try:
        with session(runtime.engine) as db:
            result = reschedule_case(
                db,
                runtime.definition,
                ref=case,
                arrival=new,
                by=by_or_user(by),
                allow_past=allow_past,
            )
    except PastArrival as error:
        refuse(CaseError(f"{error} Brug --tilladt-fortid, hvis ankomsten allerede er sket."))
    except CaseError as error:
        refuse(error)
    console.print(
        f"Sag {case}: ankomst {danish_date(result.old_arrival)} → {danish_date(new)}; "
        f"{len(result.moved)} frister flyttet."
    )
    after_change(case)


def _mark(
    case: str,
    step: str,
    person: str | None,
    action: str,
    by: str | None,
    note: str | None = None,
    reason: str | None = None,
    registered: date | None = None,
) -> None:
    from koereplan.status import StepStatus
    from services.steps import mark_step

    change = call_service(
        mark_step,
        ref=case,
        key=step,
        person_id=person,
        action=action,
        by=by_or_user(by),
        note=note,
        reason=reason,
        registered=registered,
    )
    assert change.marked is not None
    word = STATUS_DA[action]
    console.print(f"Sag {case}: {change.marked.title} er {word}.")
    if change.was in (StepStatus.PLANNED, StepStatus.WAITING):
        before = "ventede på andre trin" if change.was == StepStatus.WAITING else "var planlagt"
        console.print(f"  Bemærk: trinnet var ikke åbent endnu ({before}); markeret alligevel.")
    for opened in change.opened:
        console.print(f"  Nu åbent: {opened.title} (frist {danish_date(opened.due)})")
    if change.completed:
        console.print(f"Sag {case} er afsluttet: alle trin er udført eller ikke relevante.")
    after_change(case)


def _overbooked(case: Case, text: str) -> str:
    return text if case.arrival_overbooked else ""
