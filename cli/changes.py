"""What the commands that change a case share: who did it, one transaction, a refusal, the runs.

After a change the outbox is sent and the case's waiting run woken, so the Prefect UI shows the
new checklist; new cases get their reception runs started when Prefect is configured.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from cli.common import EXIT_BAD_INPUT, console, err_console
from cli.wake import prefect_configured, wake_reception

if TYPE_CHECKING:
    from services.casefile import CaseError

ByOption = Annotated[
    str | None, typer.Option("--af", help="Dine initialer (standard: $KOEREPLAN_USER).")
]

T = TypeVar("T")


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
        refuse(error)


def after_change(case: str) -> None:
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


def start_receptions() -> str:
    """Start the reception runs of new cases now, or say that the intake flow will."""
    if not prefect_configured():
        return "Modtagelsesflows startes af intake-flowet, når `koereplan serve` kører."
    from tasks.intake import start_pending_receptions

    try:
        started = start_pending_receptions()
    except Exception as error:  # cases are saved; the scheduled intake starts them later
        return f"Modtagelsesflows ikke startet ({type(error).__name__}); intake-flowet gør det."
    return f"{len(started)} modtagelsesflow startet."


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
    from settings import get_settings

    return (by or get_settings().user or getpass.getuser()).strip()


def refuse(error: CaseError) -> NoReturn:
    """Print a refused action in red and exit 2: nothing was changed."""
    err_console.print(str(error), style="bold red", highlight=False)
    raise typer.Exit(EXIT_BAD_INPUT)
