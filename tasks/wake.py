"""Telling a waiting reception run that the case changed outside the Prefect UI."""

from __future__ import annotations

import os

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.flow_runs import resume_flow_run

WOKEN = "Modtagelsesflowet er vækket og opdaterer tjeklisten."


def prefect_configured() -> bool:
    """Only talk to Prefect when an API is configured: else a temporary server would start."""
    return bool(os.environ.get("PREFECT_API_URL"))


def wake_reception(flow_run_id: str | None) -> str:
    """Resume the waiting run with an empty answer so it redraws its checklist and form."""
    if not flow_run_id:
        return "Sagen har endnu intet modtagelsesflow."
    if not prefect_configured():
        return "PREFECT_API_URL er ikke sat: flowet opdateres ved næste registrering i UI'et."
    return resume_waiting(flow_run_id)


def is_waiting(flow_run_id: str) -> bool:
    """True when the run is suspended, waiting for an answer."""
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)  # type: ignore[arg-type]
    return run.state is not None and run.state.type == StateType.PAUSED


def resume_waiting(flow_run_id: str) -> str:
    """Resume a suspended reception run (from a flow, where Prefect is always configured)."""
    try:
        if not is_waiting(flow_run_id):
            return "Modtagelsesflowet kører allerede og tager ændringen med."
        resume_flow_run(flow_run_id, run_input={})  # type: ignore[arg-type]
    except Exception as error:  # the change is saved; the run catches up later
        return (
            f"Modtagelsesflowet kunne ikke vækkes ({type(error).__name__}); det opdateres senere."
        )
    return WOKEN
