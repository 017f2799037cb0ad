"""The work-pool worker type `koereplan`: a real `prefect worker start` against the test server.

Production's several-worker topology (README, "Several workers") with the worker type of
serving/worker.py: the reception run executes on a thread of the worker process, waits for a
coordinator, takes an answer from the UI's form and waits again, each household still its own
flow run with its checklist and form.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL
from sqlmodel import select

from flows.intake import intake
from flows.reception import reception
from models.db import session
from models.tables import Case, Step
from services.runs import record_started_run
from services.runtime import get_runtime
from serving.worker import KoereplanWorker
from tests.e2e.test_reception import artifact_table, form_choices, send_like_the_ui
from tests.e2e.waiting import suspended_at, wait_for_state

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
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
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_the_worker_type_is_found_by_prefect() -> None:
    """`prefect worker start --type koereplan` finds the class through the entry point."""
    from prefect.workers.base import BaseWorker

    assert BaseWorker.get_worker_class_from_type("koereplan") is KoereplanWorker


def test_a_reception_run_on_a_worker_thread_waits_takes_an_answer_and_waits_again(
    worker: Path, koereplan_env: Path
) -> None:
    inbox = koereplan_env / "inbox"
    inbox.mkdir(exist_ok=True)
    notice = json.loads((EXAMPLES / "familie.json").read_text())
    notice["notice_id"] = "UST-WORK-POOL-1"
    (inbox / "work-pool.json").write_text(json.dumps(notice))
    intake(start=False)
    with session(get_runtime().engine) as db:
        case = db.exec(select(Case).where(Case.notice_id == "UST-WORK-POOL-1")).one()
    run_id = run_deployment(  # type: ignore[union-attr]
        f"reception/{DEPLOYMENT}",
        parameters={"case_ref": case.ref},
        timeout=0,
        as_subflow=False,
    ).id
    record_started_run(get_runtime().engine, case.id or 0, str(run_id))

    run = wait_for_state(run_id, suspended_at("svar-0"), timeout=180)
    assert run.name == f"modtagelse-{case.ref}"
    assert run.infrastructure_pid is None  # no process was started for it: a thread
    assert "Integrationskontrakt" in artifact_table(f"koereplan-{case.ref.lower()}")
    chosen = next(c for c in form_choices(run_id)[1:] if not c.startswith("Bolig"))

    send_like_the_ui(run_id, {"trin": chosen, "handling": "udført", "initialer": "WP"})
    wait_for_state(run_id, suspended_at("svar-1"), timeout=180)

    with session(get_runtime().engine) as db:
        done = db.exec(select(Step).where(Step.case_id == case.id, Step.done_by == "WP")).all()
    assert [step.status for step in done] == ["done"]
    assert chosen not in form_choices(run_id)
    deadline = time.monotonic() + 10
    while worker.read_text().count(f"submitting flow run '{run_id}'") < 2:
        assert time.monotonic() < deadline, worker.read_text()[-3000:]
        time.sleep(0.2)
