"""Entry point of the `koereplan` command: one sub-command per thing a coordinator does."""

from __future__ import annotations

import typer

from cli import plan

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Køreplan: modtagelse af flygtninge i kommunen.",
    pretty_exceptions_enable=False,
)
app.command("plan")(plan.plan)
app.command("check-config")(plan.check_config)


def main() -> None:
    """Run the CLI."""
    app()
