"""Waking a waiting reception run so it redraws its checklist and form after a change."""

from __future__ import annotations

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.flow_runs import resume_flow_run

from koereplan.answers import WAKE_ANSWER
from models.db import session
from services.runs import run_ids
from services.runtime import get_runtime
from tasks.common import koereplan_task


def resume_waiting(flow_run_id: str) -> str:
    """Resume the run with an answer that changes nothing when it waits; say so, in Danish."""
    try:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(flow_run_id)  # type: ignore[arg-type]
        if run.state is None or run.state.type != StateType.PAUSED:
            return "Modtagelsesflowet kører allerede og tager ændringen med."
        resume_flow_run(flow_run_id, run_input=dict(WAKE_ANSWER))  # type: ignore[arg-type]
    except Exception as error:  # the change is saved; the run catches up later
        return (
            f"Modtagelsesflowet kunne ikke vækkes ({type(error).__name__}); det opdateres senere."
        )
    return "Modtagelsesflowet er vækket og opdaterer tjeklisten."


@koereplan_task()
def wake_receptions(case_refs: list[str]) -> int:
    """Wake the waiting runs of cases an amendment changed; how many runs were asked."""
    with session(get_runtime().engine) as db:
        waiting = run_ids(db, case_refs)
    for run_id in waiting:
        resume_waiting(run_id)
    return len(waiting)
