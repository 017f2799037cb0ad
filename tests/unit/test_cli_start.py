"""The CLI starts without Prefect, Apprise or the database when a command needs none of them.

`koereplan --help`, `koereplan show --help` and `koereplan plan` answer in well under a second
only while these stay out; `bench/cli_start.py` prints the times.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("prefect", "apprise", "sqlmodel", "sqlalchemy", "alembic", "jinja2", "aiosmtpd")


def heavy_after(code: str) -> list[str]:
    """The heavy packages a fresh interpreter holds after running `code`."""
    listed = f"import json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    probe = f"{code}\n{listed}"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_imports_no_prefect_apprise_or_database() -> None:
    assert heavy_after("import cli.main") == []


@pytest.mark.parametrize(
    "args", [["--help"], ["show", "--help"], ["plan", "examples/familie.json"]], ids=" ".join
)
def test_the_koereplan_script_runs_without_prefect_apprise_or_database(args: list[str]) -> None:
    """`main` is what the installed script runs, error handling included."""
    code = (
        f"import sys\nsys.argv = ['koereplan', *{args!r}]\nfrom cli.main import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code"
    )
    assert heavy_after(code) == []
