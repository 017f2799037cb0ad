"""`koereplan takeover` and `koereplan migrate-takeover`: the law's start date (IL § 4)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from cli.changes import ByOption, after_change, by_or_user, parse_date, refuse
from cli.common import console
from koereplan.danish import danish_date


def takeover(
    case: Annotated[str, typer.Argument(help="Sagsnummer, fx KR-2026-0001.")],
    day: Annotated[str, typer.Option("--date", help="Overtagelsesdatoen (ÅÅÅÅ-MM-DD).")],
    consent: Annotated[
        bool, typer.Option("--samtykke", help="Borgeren har givet samtykke til overtagelsen.")
    ] = False,
    by: ByOption = None,
) -> None:
    """Registrér en tidligere overtagelse efter samtykke; åbne lovkrav får nye frister."""
    from models.db import session
    from services.casefile import CaseError
    from services.runtime import get_runtime
    from services.takeover import record_consent

    new = parse_date("--date", day)
    assert new is not None
    runtime = get_runtime()
    try:
        with session(runtime.engine) as db:
            result = record_consent(
                db, runtime.definition, ref=case, takeover=new, consent=consent, by=by_or_user(by)
            )
    except CaseError as error:
        refuse(error)
    console.print(
        f"Sag {case}: overtagelse {danish_date(result.old_takeover)} → {danish_date(new)}"
        f" (efter samtykke); {len(result.moved)} frister flyttet."
    )
    after_change(case)


def migrate_takeover(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Vis hvad der ville ændres, uden at ændre noget.")
    ] = False,
) -> None:
    """Beregn overtagelsen for alle aktive sager efter IL § 4 igen; åbne lovkrav følger med."""
    from services.dispatch import dispatch
    from services.runtime import get_runtime
    from services.takeover_migration import migrate_takeover as run_migration

    runtime = get_runtime()
    report = run_migration(runtime.engine, runtime.definition, dry_run=dry_run)
    for case in report.changed:
        console.print(
            Text.assemble((case.ref, "bold"), f": overtagelse {case.old} → {case.new}"),
            highlight=False,
        )
        if case.note:
            console.print(f"  bemærk: {case.note}", highlight=False)
        for key in case.added:
            console.print(f"  nyt trin: {key}", highlight=False)
        for line in case.moved:
            console.print(f"  {line}", highlight=False)
    verb = "ville blive ændret" if dry_run else "ændret"
    console.print(
        f"{len(report.cases)} aktive sager gennemgået; {len(report.changed)} {verb}; "
        f"{report.steps_moved} frister flyttet; "
        f"{len(report.digests)} afdeling(er) {'ville få' if dry_run else 'får'} én samlet besked."
    )
    if dry_run:
        console.print("Prøvekørsel: intet er gemt. Kør igen uden --dry-run for at gemme.")
    else:
        dispatch(runtime.engine, runtime.sender, runtime.definition)
