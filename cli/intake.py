"""`koereplan intake`: receive notices from files or the inbox, then start or wake their runs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.changes import start_receptions
from cli.common import EXIT_BAD_INPUT, console, err_console
from cli.wake import wake_reception
from koereplan.danish import NOTICE_OUTCOME_DA, count_of

if TYPE_CHECKING:
    from services.intake import Received


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

    from koereplan.status import NoticeOutcome
    from models.db import session
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
        say.print(start_receptions())
    for ref in batch.amended():
        with session(runtime.engine) as db:
            run_id = case_run(db, ref).flow_run_id
        say.print(f"Sag {ref} er ændret. {wake_reception(run_id)}")
    if batch.unread or any(r.quarantined for r in results):
        raise typer.Exit(EXIT_BAD_INPUT)


def intake_json(result: Received) -> dict[str, object]:
    """What `intake --json` prints for one file."""
    return {
        "file": result.file_name,
        "outcome": result.outcome,
        "case_ref": result.case_ref,
        "problems": [{"field": p.where, "message": p.message} for p in result.problems],
    }


def _print_intake(results: list[Received], unread: list[str], waiting: int) -> None:
    from koereplan.status import NoticeOutcome

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
