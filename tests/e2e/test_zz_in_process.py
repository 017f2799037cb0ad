"""`koereplan serve --in-process`: reception runs on the runner's threads, as the UI sees them.

The runner here serves the reception flow under a deployment of its own, so the session's
process runner (conftest) never takes these runs: every run below is executed on a thread.
Named to run last: flows executed inside the pytest process leave its captured output
streams unusable for the session runner's flow-run processes started afterwards (their
output is streamed there), which crashed later e2e runs when this module ran first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from sqlmodel import select

from devtools.local_prefect import running
from flows.intake import intake
from flows.reception import reception
from models.db import session
from models.tables import Case, Step
from services.runs import record_started_run
from services.runtime import get_runtime
from serving.inprocess import InProcessRunner
from tests.e2e.test_reception import artifact_table, form_choices, send_like_the_ui
from tests.e2e.waiting import suspended_at, wait_for_state

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
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
    inbox = koereplan_env / "inbox"
    inbox.mkdir(exist_ok=True)
    notice = json.loads((EXAMPLES / "familie.json").read_text())
    notice["notice_id"] = "UST-IN-PROCESS-1"
    (inbox / "in-process.json").write_text(json.dumps(notice))
    intake(start=False)
    with session(get_runtime().engine) as db:
        case = db.exec(select(Case).where(Case.notice_id == "UST-IN-PROCESS-1")).one()
    run_id = run_deployment(  # type: ignore[union-attr]
        f"reception/{DEPLOYMENT}",
        parameters={"case_ref": case.ref},
        timeout=0,
        as_subflow=False,
    ).id
    record_started_run(get_runtime().engine, case.id or 0, str(run_id))

    run = wait_for_state(run_id, suspended_at("svar-0"), timeout=180)
    assert run.name == f"modtagelse-{case.ref}"
    assert "status:active" in run.tags
    assert "Integrationskontrakt" in artifact_table(f"koereplan-{case.ref.lower()}")
    # Not the housing step: the session's webhook sink must not hear of renovation
    # (test_reception checks that a single adult's housing step tells it only later).
    choices = form_choices(run_id)
    chosen = next(c for c in choices[1:] if not c.startswith("Bolig"))

    send_like_the_ui(run_id, {"trin": chosen, "handling": "udført", "initialer": "KT"})
    wait_for_state(run_id, suspended_at("svar-1"), timeout=180)

    with session(get_runtime().engine) as db:
        done = db.exec(select(Step).where(Step.case_id == case.id, Step.done_by == "KT")).all()
    assert [step.status for step in done] == ["done"]
    assert chosen not in form_choices(run_id)
    assert "udført" in artifact_table(f"koereplan-{case.ref.lower()}")
    assert in_process_runner.executed.count(run_id) == 2  # the first turn and the resumed one
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(run_id).state.type.value == "PAUSED"  # type: ignore[union-attr]
