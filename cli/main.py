"""Entry point of the `koereplan` command: one sub-command per thing a coordinator does."""

from __future__ import annotations

import typer

from cli import plan
from koereplan.settings import get_settings

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Køreplan: modtagelse af flygtninge i kommunen.",
    pretty_exceptions_enable=False,
)


@app.callback()
def _fresh_settings() -> None:
    """Read settings anew for each command (tests run many in one process)."""
    get_settings.cache_clear()


app.command("plan")(plan.plan)
app.command("check-config")(plan.check_config)


def main() -> None:
    """Run the CLI."""
    app()
