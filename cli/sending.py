"""Sending from the terminal: the outbox now, the deadline monitor now (flows also run both)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.changes import parse_date
from cli.common import console, err_console


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

    day = parse_date("--today", today) or copenhagen_today()
    runtime = get_runtime()
    report = monitor_as_configured(runtime, today=day, force=force)
    sent = dispatch(runtime.engine, runtime.sender, runtime.definition)
    console.print(summary_da(report, sent))
