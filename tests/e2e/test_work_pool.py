"""The work-pool worker type `koereplan`: a real `prefect worker start` against the test server.

Production's several-worker topology (README, "Several workers") with the worker type of
serving/worker.py: the reception run executes on a thread of the worker process, waits for a
coordinator, takes an answer from the UI's form and waits again, each household still its own
flow run with its checklist and form.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.settings import PREFECT_API_URL

from flows.reception import reception
from serving.worker import KoereplanWorker
from tests.e2e.household import start_household, waits_then_takes_an_answer

REPO = Path(__file__).resolve().parents[2]
POOL = "koereplan-pool-test"
DEPLOYMENT = "reception-pool-test"


@pytest.fixture(scope="module")
def worker(koereplan_env: Path) -> Iterator[Path]:
    """A work pool of type `koereplan`, the reception deployment in it, one worker process."""
    with get_client(sync_client=True) as client:
        client.create_work_pool(
            WorkPoolCreate(
                name=POOL,
                type=KoereplanWorker.type,
                base_job_template=KoereplanWorker.get_default_base_job_template(),
            ),
            overwrite=True,
        )
    reception.to_deployment(name=DEPLOYMENT, work_pool_name=POOL).apply()
    log = koereplan_env / "worker.log"
    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    prefect = str(Path(sys.executable).with_name("prefect"))
    with log.open("ab") as out:
        process = subprocess.Popen(
            [prefect, "worker", "start", "--pool", POOL, "--type", "koereplan", "--limit", "4"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield log
    finally:  # Ctrl-C as an operator stops it; a worker that still waits after 5 s is killed
        process.send_signal(signal.SIGINT)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def test_the_worker_type_is_found_by_prefect() -> None:
    """`prefect worker start --type koereplan` finds the class through the entry point."""
    from prefect.workers.base import BaseWorker

    assert BaseWorker.get_worker_class_from_type("koereplan") is KoereplanWorker


def test_a_reception_run_on_a_worker_thread_waits_takes_an_answer_and_waits_again(
    worker: Path, koereplan_env: Path
) -> None:
    case, run_id = start_household(koereplan_env / "inbox", "UST-WORK-POOL-1", DEPLOYMENT)

    run = waits_then_takes_an_answer(case, run_id, "WP")

    assert run.infrastructure_pid is None  # no process was started for it: a thread
    deadline = time.monotonic() + 10  # the worker took it twice: the first turn, the answer
    while worker.read_text().count(f"submitting flow run '{run_id}'") < 2:
        assert time.monotonic() < deadline, worker.read_text()[-3000:]
        time.sleep(0.2)
