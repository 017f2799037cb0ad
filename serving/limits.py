"""How many flow runs one runner (`koereplan serve`) or worker executes at once, and how often
it asks the server for work: one definition for serve and for `prefect worker start`.

A reception run's process spends most of its life waiting (on the API, and about a second on
exit after it suspends); its CPU is 2-3 s and its peak RSS about 200 MiB
(`bench/profile_reception.py`). So a core keeps a few runs busy, and memory caps the rest.
"""

from __future__ import annotations

import os

RUNS_PER_CORE = 4
MEMORY_PER_RUN = 300 * 2**20  # a run's peak RSS with headroom
MAX_RUNS = 64  # beyond this the Prefect server, not the runner, is the limit
POLL_SECONDS = 2  # Prefect's default is 10 s: a resumed run would wait 5 s on average
# Prefect's SQLite server lets a request wait up to 60 s for the database's lock, and Prefect's
# client gives up after 60 s (its default) and sends the request again: a run's form, saved
# by the first attempt meanwhile, is then "already exists" (409) and the run fails. Measured
# under a burst (bench/README.md); a client that waits longer gets the first answer instead.
REQUEST_TIMEOUT_SECONDS = 120


def run_limit(cores: int, available_memory: int) -> int:
    """Runs at once for a machine with `cores` CPUs and `available_memory` bytes free."""
    by_cpu = max(1, cores) * RUNS_PER_CORE
    by_memory = available_memory // MEMORY_PER_RUN
    return max(1, min(by_cpu, by_memory, MAX_RUNS))


def machine_run_limit() -> int:
    """`run_limit` for this machine (the CPUs this process may use, memory available now)."""
    import psutil

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return run_limit(cores or 1, psutil.virtual_memory().available)
