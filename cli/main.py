"""Entry point of the `koereplan` command: one sub-command per thing a coordinator does."""

from __future__ import annotations

import logging
import sys

import typer

from cli import cases, intake, lifecycle, overview, plan, run, sending, sinks, status, takeover
from cli.common import err_console

EXIT_DATABASE = 3
EXIT_UNSAFE_SETTINGS = 4

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Køreplan: modtagelse af flygtninge i kommunen.",
    pretty_exceptions_enable=False,
)


# Commands that touch neither the database nor Prefect nor a receiver: they work on any
# settings (check-config lists what production would refuse).
OFFLINE_COMMANDS = {"plan", "check-config", "run-limit", "sinks"}


@app.callback()
def _fresh_settings(ctx: typer.Context) -> None:
    """Read settings anew for each command (tests run many in one process); quiet delivery logs.

    Under `KOEREPLAN_ENV=production`, a command that opens the database, sends or serves is
    refused before it starts when a setting is still the demo's (`settings.production`).
    """
    if "--help" in sys.argv[1:]:
        return  # a command's help needs no settings
    from settings import get_settings
    from settings.production import UnsafeSettings, production_problems

    get_settings.cache_clear()
    logging.getLogger("notifications").setLevel(logging.ERROR)
    if ctx.invoked_subcommand in OFFLINE_COMMANDS:
        return
    problems = production_problems(get_settings())
    if problems:
        err_console.print(str(UnsafeSettings(problems)), markup=False, highlight=False)
        raise typer.Exit(EXIT_UNSAFE_SETTINGS)


app.command("plan")(plan.plan)
app.command("check-config")(plan.check_config)
app.command("intake")(intake.intake)
app.command("done")(cases.done)
app.command("skip")(cases.skip)
app.command("show")(cases.show)
app.command("reschedule")(cases.reschedule)
app.command("close")(lifecycle.close)
app.command("reopen")(lifecycle.reopen)
app.command("takeover")(takeover.takeover)
app.command("migrate-takeover")(takeover.migrate_takeover)
app.command("status")(status.status)
app.command("dispatch")(sending.dispatch_command)
app.command("remind")(sending.remind)
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
    try:
        app()
    except Exception as error:
        if not _database_error(error):
            raise
        from models.faults import safe_summary

        summary = safe_summary(error)
    else:
        return
    err_console.print(summary, markup=False, highlight=False)
    raise SystemExit(EXIT_DATABASE)


def _database_error(error: Exception) -> bool:
    """A SQLAlchemy error or DatabaseFault; only a command that loaded them can raise one.

    Checked without importing them, so commands without a database start without SQLAlchemy.
    """
    if "sqlalchemy" not in sys.modules:
        return False
    from sqlalchemy.exc import SQLAlchemyError

    from models.faults import DatabaseFault

    return isinstance(error, SQLAlchemyError | DatabaseFault)
