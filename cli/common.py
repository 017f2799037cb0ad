"""What every command shares: the console, settings, and how a rejection is shown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from koereplan.definition import Definition
    from koereplan.notice import Notice
    from koereplan.problems import Problem

# Markup off: case refs, person ids, initials and file names are printed as typed ("[/b]"
# must not crash Rich or restyle the output); styles are given with `style=`.
console = Console(markup=False)
err_console = Console(stderr=True, markup=False)

EXIT_BAD_INPUT = 2


def fail(heading: str, problems: list[Problem]) -> NoReturn:
    """Print every problem under a heading and exit 2: bad input, never a traceback."""
    err_console.print(heading, style="bold red")
    for problem in problems:
        err_console.print(f"  • {problem}", markup=False, highlight=False)
    raise typer.Exit(EXIT_BAD_INPUT)


def read_notice_file(path: Path) -> Notice:
    """Read and validate a notice file; size is checked before anything is parsed."""
    from koereplan.inbound import parse_inbound
    from koereplan.notice import Notice
    from koereplan.notice_json import MAX_NOTICE_BYTES
    from koereplan.notice_problems import NoticeRejected
    from koereplan.problems import Problem
    from settings import get_settings

    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_NOTICE_BYTES + 1)
    except OSError as error:
        fail(f"Kan ikke læse {path}", [Problem("fil", error.strerror or str(error))])
    try:
        notice = parse_inbound(raw, municipality_code=get_settings().municipality_code)
    except NoticeRejected as rejected:
        fail(f"Beskeden {path.name} afvises", rejected.problems)
    if not isinstance(notice, Notice):
        fail(
            f"Beskeden {path.name} kan ikke planlægges",
            [
                Problem(
                    "kind",
                    f"{notice.kind} ændrer en gemt sag og modtages gennem intake "
                    "(koereplan intake eller indbakken), ikke plan",
                )
            ],
        )
    return notice


def definition_or_fail(path: Path | None = None) -> Definition:
    """The køreplan definition, or every problem in it and exit 2."""
    from koereplan.definition_file import load_definition
    from koereplan.problems import ProblemsError
    from settings import get_settings

    try:
        return load_definition(path or get_settings().definition)
    except ProblemsError as error:
        fail("Køreplanen kan ikke indlæses", error.problems)


def require_demo_tools(command: str) -> None:
    """`sinks` and `demo` need the `demo` extra (aiosmtpd), which a production install lacks."""
    from importlib.util import find_spec

    if find_spec("aiosmtpd") is None:
        err_console.print(
            f"koereplan {command} kræver demo-værktøjerne (aiosmtpd), som en driftsinstallation "
            "ikke har: .venv/bin/pip install -e '.[demo]'"
        )
        raise typer.Exit(1)
