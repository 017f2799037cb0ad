"""Entry point of the `koereplan` command: one sub-command per thing a coordinator does."""

from __future__ import annotations

import logging

import typer

from cli import cases, lifecycle, overview, plan, run, sinks, takeover
from cli.common import err_console
from koereplan.settings import get_settings

EXIT_DATABASE = 3

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Køreplan: modtagelse af flygtninge i kommunen.",
    pretty_exceptions_enable=False,
)


@app.callback()
def _fresh_settings() -> None:
    """Read settings anew for each command (tests run many in one process); quiet delivery logs."""
    get_settings.cache_clear()
    logging.getLogger("notifications").setLevel(logging.ERROR)


app.command("plan")(plan.plan)
app.command("check-config")(plan.check_config)
app.command("intake")(cases.intake)
app.command("done")(cases.done)
app.command("skip")(cases.skip)
app.command("show")(cases.show)
app.command("reschedule")(cases.reschedule)
app.command("close")(lifecycle.close)
app.command("reopen")(lifecycle.reopen)
app.command("takeover")(takeover.takeover)
app.command("migrate-takeover")(takeover.migrate_takeover)
app.command("status")(cases.status)
app.command("dispatch")(cases.dispatch_command)
app.command("remind")(cases.remind)
app.command("overview")(overview.overview)
app.command("queue")(overview.queue)
app.command("compliance")(overview.compliance)
app.command("audit")(overview.audit)
app.command("serve")(run.serve)
app.command("run-limit")(run.run_limit)
app.command("demo")(run.demo)
app.command("sinks")(sinks.sinks)


def main() -> None:
    """Run the CLI; a database error is told as a summary, never with the row it was about."""
    from sqlalchemy.exc import SQLAlchemyError

    from models.faults import DatabaseFault, safe_summary

    try:
        app()
    except (SQLAlchemyError, DatabaseFault) as error:
        summary = safe_summary(error)
    else:
        return
    err_console.print(summary, markup=False, highlight=False)
    raise SystemExit(EXIT_DATABASE)
