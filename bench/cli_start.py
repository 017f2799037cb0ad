"""How fast the `koereplan` command answers when it needs neither the database nor Prefect.

    .venv/bin/python bench/cli_start.py [--runs 7] [--checkout DIR]

Runs `koereplan --help`, `koereplan show --help` and `koereplan plan examples/familie.json`
in fresh processes (`--checkout` measures another checkout, e.g. main before a change, with
this interpreter) and prints the median wall time, the median CPU time (user + system, which
a busy machine disturbs less than wall time), the load average, and which heavy packages
the command imported. Figures, not a test: the unit test checks only that `cli.main`
imports none of them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("prefect", "apprise", "sqlmodel", "sqlalchemy", "alembic", "jinja2", "aiosmtpd")
COMMANDS = (
    ["--help"],
    ["show", "--help"],
    ["plan", "examples/familie.json"],
)
# Runs the CLI from the checkout given, then says which heavy packages it had imported.
RUN = """
import sys
sys.path.insert(0, {checkout!r})
sys.argv = ["koereplan", *{args!r}]
from cli.main import main  # what the `koereplan` script runs
try:
    main()
except SystemExit as exit:
    if exit.code:
        raise
finally:
    loaded = [m for m in {heavy!r} if m in sys.modules]
    sys.__stderr__.write("HEAVY:" + ",".join(loaded) + "\\n")
"""


def once(checkout: Path, args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds and the heavy packages of one fresh process."""
    code = RUN.format(checkout=str(checkout), args=args, heavy=HEAVY)
    env = {**os.environ, "COLUMNS": "120", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read() if process.stderr else ""
    heavy = next((line[6:] for line in stderr.splitlines() if line.startswith("HEAVY:")), "?")
    if process.returncode != 0:
        raise SystemExit(f"koereplan {' '.join(args)} failed:\n{stderr}")
    return wall, usage.ru_utime + usage.ru_stime, heavy or "-"


def main() -> None:
    """Print one line per command: median wall and CPU seconds, heavy imports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--checkout", type=Path, default=REPO)
    options = parser.parse_args()
    checkout = options.checkout.resolve()
    print(f"checkout {checkout}, {options.runs} runs each, load {os.getloadavg()[0]:.2f}")
    for args in COMMANDS:
        once(checkout, args)  # warm the file cache and .pyc files
        runs = [once(checkout, args) for _ in range(options.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(
            f"koereplan {' '.join(args):<28} wall {wall:5.2f} s  cpu {cpu:5.2f} s  "
            f"heavy imports: {runs[-1][2]}"
        )
    print(f"load after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
