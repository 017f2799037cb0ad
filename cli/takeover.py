"""`koereplan takeover` and `koereplan migrate-takeover`: the law's start date (IL § 4)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.cases import ByOption, after_change, by_or_user, parse_date, refuse
from cli.common import console
from koereplan.danish import danish_date
from models.db import session
from services.casefile import CaseError
from services.runtime import get_runtime
from services.takeover import record_consent


def takeover(
    case: Annotated[str, typer.Argument(help="Sagsnummer, fx KR-2026-0001.")],
    day: Annotated[str, typer.Option("--date", help="Overtagelsesdatoen (ÅÅÅÅ-MM-DD).")],
    consent: Annotated[
        bool, typer.Option("--samtykke", help="Borgeren har givet samtykke til overtagelsen.")
    ] = False,
    by: ByOption = None,
) -> None:
    """Record an earlier takeover agreed with the refugee; open legal steps get new due dates."""
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
