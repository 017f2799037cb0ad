"""`koereplan close` and `koereplan reopen`: a coordinator ends a case early or takes it up."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.changes import ByOption, after_change, by_or_user, call_service, start_receptions
from cli.common import console
from koereplan.ending import CLOSE_REASONS


def close(
    case: Annotated[str, typer.Argument(help="Sagsnummer, fx KR-2026-0001.")],
    grund: Annotated[str, typer.Option("--grund", help=f"En af: {', '.join(CLOSE_REASONS)}.")],
    kommune: Annotated[
        str | None, typer.Option("--kommune", help="Den nye kommunes kode (ved fraflyttet).")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Uden personoplysninger; påkrævet ved andet.")
    ] = None,
    by: ByOption = None,
) -> None:
    """Luk en sag: åbne trin bortfalder, afdelinger får besked, modtagelsesflowet afsluttes."""
    from services.ending import close_case

    ended = call_service(
        close_case, ref=case, grund=grund, kommune=kommune, note=note, by=by_or_user(by)
    )
    console.print(f"Sag {case} er lukket; {len(ended.lapsed)} trin er ikke længere relevante.")
    for joined in ended.joined_by:
        console.print(f"  Familiesammenføring {joined} henviser til sagen og er fortsat aktiv.")
    after_change(case)


def reopen(
    case: Annotated[str, typer.Argument(help="Sagsnummer, fx KR-2026-0001.")],
    by: ByOption = None,
) -> None:
    """Genåbn en lukket sag: de lukkede trin åbnes igen, og et nyt modtagelsesflow starter."""
    from services.dispatch import dispatch
    from services.ending import reopen_case
    from services.runtime import get_runtime

    reopened = call_service(reopen_case, ref=case, by=by_or_user(by))
    console.print(
        f"Sag {case} er genåbnet: {len(reopened.restored)} trin er åbne eller afventer igen."
    )
    runtime = get_runtime()
    dispatch(runtime.engine, runtime.sender, runtime.definition)
    console.print(start_receptions())
