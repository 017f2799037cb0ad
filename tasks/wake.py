"""Waking a waiting reception run so it redraws its checklist and form after a change."""

from __future__ import annotations

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.flow_runs import resume_flow_run


def resume_waiting(flow_run_id: str) -> str:
    """Resume the run with an empty answer when it waits; say what happened, in Danish."""
    try:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(flow_run_id)  # type: ignore[arg-type]
        if run.state is None or run.state.type != StateType.PAUSED:
            return "Modtagelsesflowet kører allerede og tager ændringen med."
        resume_flow_run(flow_run_id, run_input={})  # type: ignore[arg-type]
    except Exception as error:  # the change is saved; the run catches up later
        return (
            f"Modtagelsesflowet kunne ikke vækkes ({type(error).__name__}); det opdateres senere."
        )
    return "Modtagelsesflowet er vækket og opdaterer tjeklisten."
