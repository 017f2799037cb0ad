"""What coordinators do from the terminal: intake, done, skip, show, reschedule, status.

The database, services and notifications are imported inside the commands, so `koereplan
--help` and `koereplan plan` start without SQLAlchemy, Apprise or Prefect (`bench/cli_start.py`).
"""

from __future__ import annotations

import getpass
import json
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from cli.common import EXIT_BAD_INPUT, console, err_console
from cli.render import print_checklist
from cli.wake import prefect_configured, wake_reception
from koereplan.danish import CASE_STATUS_DA, NOTICE_OUTCOME_DA, STATUS_DA, count_of, danish_date

if TYPE_CHECKING:
    from rich.table import Table

    from models.tables import Case
    from services.casefile import CaseError
    from services.claims import ClaimInfo
    from services.intake import Received

PersonOption = Annotated[
    str | None, typer.Option("--person", help="Personens id (person_id) ved trin pr. person.")
]
ByOption = Annotated[
    str | None, typer.Option("--af", help="Dine initialer (standard: $KOEREPLAN_USER).")
]

T = TypeVar("T")
ENDED_SHOWN = 20


def intake(
    files: Annotated[list[Path] | None, typer.Argument(help="Beskeder at modtage.")] = None,
    inbox: Annotated[
        Path | None, typer.Option("--inbox", help="Læs en indbakke-mappe (standard: indstilling).")
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Én JSON-genstand pr. fil (file, outcome, case_ref, problems)."
        ),
    ] = False,
) -> None:
    """Modtag beskeder: de angivne filer, ellers hver fil i indbakken (flyttes, når den er læst)."""
    from rich.progress import Progress

    from models.db import session
    from models.status import NoticeOutcome
    from services.dispatch import dispatch
    from services.receiving import receive_batch
    from services.runs import case_run
    from services.runtime import get_runtime

    runtime = get_runtime()
    with Progress(console=console, transient=True, disable=as_json) as progress:
        bar = progress.add_task("Modtager beskeder", total=None, visible=False)

        def advance(total: int) -> None:
            progress.update(bar, total=total, visible=total >= 5, advance=1)

        batch = receive_batch(inbox, files or (), advance=advance)
    results = batch.results
    if as_json:
        typer.echo(json.dumps([intake_json(r) for r in results], ensure_ascii=False, indent=2))
    else:
        _print_intake(results, batch.unread, batch.waiting)
    say = err_console if as_json else console
    dispatch(runtime.engine, runtime.sender, runtime.definition)
    for result in results:
        if result.wake_run:
            console.print(f"Sag {result.case_ref}: {wake_reception(result.wake_run)}")
    if any(r.outcome == NoticeOutcome.ACCEPTED for r in results):
        say.print(_start_receptions())
    for ref in batch.amended():
        with session(runtime.engine) as db:
            run_id = case_run(db, ref).flow_run_id
        say.print(f"Sag {ref} er ændret. {wake_reception(run_id)}")
    if batch.unread or any(r.quarantined for r in results):
        raise typer.Exit(EXIT_BAD_INPUT)


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
    from models.status import StepStatus

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
    from models.status import StepStatus

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
        _refuse(error)
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
                db, runtime.definition, ref=case, arrival=new, by=_by(by), allow_past=allow_past
            )
    except PastArrival as error:
        _refuse(CaseError(f"{error} Brug --tilladt-fortid, hvis ankomsten allerede er sket."))
    except CaseError as error:
        _refuse(error)
    console.print(
        f"Sag {case}: ankomst {danish_date(result.old_arrival)} → {danish_date(new)}; "
        f"{len(result.moved)} frister flyttet."
    )
    _after_change(case)


def status() -> None:
    """Aktive sager på én skærm: åbne, overskredne og lovkrav; beskeder, der ikke er sendt."""
    from rich.table import Table

    from koereplan.workdays import local_date
    from models.status import CaseStatus, OutboxStatus
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


def dispatch_command() -> None:
    """Send ventende beskeder nu (flowene gør det også)."""
    from services.dispatch import dispatch
    from services.runtime import get_runtime

    runtime = get_runtime()
    report = dispatch(runtime.engine, runtime.sender, runtime.definition)
    console.print(
        f"{report.messages} beskeder sendt ({report.sent} rækker); "
        f"{report.retried} prøves igen; {report.failed} opgivet."
    )
    for error in report.errors:
        err_console.print(f"  • {error}", markup=False)


def remind(
    today: Annotated[
        str | None, typer.Option("--today", help="Kør som om det var denne dag (ÅÅÅÅ-MM-DD).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Også på en lukkedag.")] = False,
) -> None:
    """Kør fristovervågningen nu: påmindelser og eskaleringer, én samlet besked pr. afdeling."""
    from koereplan.reminders import copenhagen_today
    from services.dispatch import dispatch
    from services.monitor import monitor_as_configured
    from services.monitor_summary import summary_da
    from services.runtime import get_runtime

    try:
        day = date.fromisoformat(today) if today else copenhagen_today()
    except ValueError:
        err_console.print(f"--today: {today!r} er ikke en dato (ÅÅÅÅ-MM-DD)")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    runtime = get_runtime()
    report = monitor_as_configured(runtime, today=day, force=force)
    sent = dispatch(runtime.engine, runtime.sender, runtime.definition)
    console.print(summary_da(report, sent))


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
    from models.status import StepStatus
    from services.steps import mark_step

    change = call_service(
        mark_step,
        ref=case,
        key=step,
        person_id=person,
        action=action,
        by=_by(by),
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
    _after_change(case)


def call_service(service: Callable[..., T], **arguments: Any) -> T:
    """Run one service function in its own transaction; a CaseError is shown, exit 2."""
    from models.db import session
    from services.casefile import CaseError
    from services.runtime import get_runtime

    runtime = get_runtime()
    try:
        with session(runtime.engine) as db:
            return service(db, runtime.definition, **arguments)
    except CaseError as error:
        _refuse(error)


def _after_change(case: str) -> None:
    """Send what the change caused, then let the waiting run redraw its checklist."""
    from models.db import session
    from services.dispatch import dispatch
    from services.runs import case_run
    from services.runtime import get_runtime

    runtime = get_runtime()
    with session(runtime.engine) as db:
        stored = case_run(db, case)
    dispatch(runtime.engine, runtime.sender, runtime.definition, case_id=stored.case_id)
    console.print(wake_reception(stored.flow_run_id))


def _start_receptions() -> str:
    if not prefect_configured():
        return "Modtagelsesflows startes af intake-flowet, når `koereplan serve` kører."
    from tasks.intake import start_pending_receptions

    try:
        started = start_pending_receptions()
    except Exception as error:  # cases are saved; the scheduled intake starts them later
        return f"Modtagelsesflows ikke startet ({type(error).__name__}); intake-flowet gør det."
    return f"{len(started)} modtagelsesflow startet."


def intake_json(result: Received) -> dict[str, object]:
    """What `intake --json` prints for one file."""
    return {
        "file": result.file_name,
        "outcome": result.outcome,
        "case_ref": result.case_ref,
        "problems": [{"field": p.where, "message": p.message} for p in result.problems],
    }


def _print_intake(results: list[Received], unread: list[str], waiting: int) -> None:
    from models.status import NoticeOutcome

    counts = Counter(r.outcome for r in results)
    for result in results:
        if result.quarantined:
            err_console.print(
                f"{result.file_name}: {NOTICE_OUTCOME_DA[result.outcome]}", style="red"
            )
            for problem in result.problems:
                err_console.print(f"  • {problem}", markup=False, highlight=False)
        else:
            console.print(
                f"{result.file_name}: {NOTICE_OUTCOME_DA[result.outcome]} ({result.case_ref})"
            )
    for line in unread:
        err_console.print(line, markup=False, highlight=False)
    console.print(
        f"I alt {len(results)}: {counts[NoticeOutcome.ACCEPTED]} modtaget, "
        f"{counts[NoticeOutcome.AMENDED]} ændringer anvendt, "
        f"{counts[NoticeOutcome.DUPLICATE]} allerede modtaget, "
        f"{counts[NoticeOutcome.CONFLICT]} konflikter, "
        f"{counts[NoticeOutcome.REJECTED]} afvist, "
        f"{counts[NoticeOutcome.WITHDRAWN]} tilbagekaldelser."
    )
    if waiting:
        console.print(
            f"{count_of(waiting, 'fil venter', 'filer venter')}: "
            "skrives stadig (tages, når den har ligget uændret et øjeblik)."
        )


def _overbooked(case: Case, text: str) -> str:
    return text if case.arrival_overbooked else ""


def parse_date(option: str, text: str | None) -> date | None:
    """An ISO date from an option, or exit 2 naming the option (None stays None)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        err_console.print(f"{option}: {text!r} er ikke en dato (ÅÅÅÅ-MM-DD)", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def by_or_user(by: str | None) -> str:
    """The coordinator's initials: --af, else $KOEREPLAN_USER, else the login name."""
    return _by(by)


def refuse(error: CaseError) -> NoReturn:
    """Print a refused action in red and exit 2: nothing was changed."""
    _refuse(error)


def after_change(case: str) -> None:
    """Send what a change caused and let the waiting run redraw its checklist."""
    _after_change(case)


def _by(by: str | None) -> str:
    from settings import get_settings

    return (by or get_settings().user or getpass.getuser()).strip()


def _refuse(error: CaseError) -> NoReturn:
    err_console.print(str(error), style="bold red", highlight=False)
    raise typer.Exit(EXIT_BAD_INPUT)
