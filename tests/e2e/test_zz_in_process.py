"""`koereplan serve` (its default): reception runs on the runner's threads, as the UI sees them.

The runner here serves the reception flow under a deployment of its own, so the session's
process runner (conftest) never takes these runs: every run below is executed on a thread.
Named to run last: flows executed inside the pytest process leave its captured output
streams unusable for the session runner's flow-run processes started afterwards (their
output is streamed there), which crashed later e2e runs when this module ran first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client

from devtools.local_prefect import running
from flows.reception import reception
from serving.inprocess import InProcessRunner
from tests.e2e.household import start_household, waits_then_takes_an_answer

DEPLOYMENT = "reception-in-process"


@pytest.fixture(scope="module")
def in_process_runner(koereplan_env: Path) -> Iterator[InProcessRunner]:
    runner = InProcessRunner(
        in_process={DEPLOYMENT: reception}, name="in-process", query_seconds=0.5, limit=4
    )
    runner.add_deployment(reception.to_deployment(name=DEPLOYMENT))
    with running(runner):
        yield runner


def test_a_reception_run_on_a_thread_waits_takes_an_answer_and_waits_again(
    in_process_runner: InProcessRunner, koereplan_env: Path
) -> None:
    case, run_id = start_household(koereplan_env / "inbox", "UST-IN-PROCESS-1", DEPLOYMENT)

    run = waits_then_takes_an_answer(case, run_id, "KT")

    assert "status:active" in run.tags
    assert in_process_runner.executed.count(run_id) == 2  # the first turn and the resumed one
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(run_id).state.type.value == "PAUSED"  # type: ignore[union-attr]
