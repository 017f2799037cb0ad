"""One household through a reception deployment: the notice in, the run started, one answer.

Shared by the tests of the places a reception run can execute (a runner's threads, a
work-pool worker's threads), which differ only in what runs the deployment.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from sqlmodel import select

from flows.intake import intake
from models.db import session
from models.tables import Case, Step
from services.runs import record_started_run
from services.runtime import get_runtime
from tests.e2e.test_reception import artifact_table, form_choices, send_like_the_ui
from tests.e2e.waiting import suspended_at, wait_for_state

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def start_household(inbox: Path, notice_id: str, deployment: str) -> tuple[Case, Any]:
    """The example family as `notice_id`, taken in (no run started), its run on `deployment`."""
    inbox.mkdir(exist_ok=True)
    notice = json.loads((EXAMPLES / "familie.json").read_text())
    notice["notice_id"] = notice_id
    (inbox / f"{notice_id}.json").write_text(json.dumps(notice))
    intake(start=False)
    with session(get_runtime().engine) as db:
        case = db.exec(select(Case).where(Case.notice_id == notice_id)).one()
    run_id = run_deployment(  # type: ignore[union-attr]
        f"reception/{deployment}",
        parameters={"case_ref": case.ref},
        timeout=0,
        as_subflow=False,
    ).id
    record_started_run(get_runtime().engine, case.id or 0, str(run_id))
    return case, run_id


def waits_then_takes_an_answer(case: Case, run_id: Any, initials: str) -> FlowRun:
    """The run waits with its checklist; one step answered as the UI does; it waits again.

    Returns the run as it first waited. Not the housing step: the session's webhook sink must
    not hear of renovation (test_reception checks that a single adult's housing step tells it
    only later).
    """
    run = wait_for_state(run_id, suspended_at("svar-0"), timeout=180)
    assert run.name == f"modtagelse-{case.ref}"
    assert "Integrationskontrakt" in artifact_table(f"koereplan-{case.ref.lower()}")
    chosen = next(c for c in form_choices(run_id)[1:] if not c.startswith("Bolig"))

    send_like_the_ui(run_id, {"trin": chosen, "handling": "udført", "initialer": initials})
    wait_for_state(run_id, suspended_at("svar-1"), timeout=180)

    with session(get_runtime().engine) as db:
        done = db.exec(select(Step).where(Step.case_id == case.id, Step.done_by == initials)).all()
    assert [step.status for step in done] == ["done"]
    assert chosen not in form_choices(run_id)
    assert "udført" in artifact_table(f"koereplan-{case.ref.lower()}")
    return run
