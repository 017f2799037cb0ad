"""Telling a waiting reception run that the case changed outside the Prefect UI."""

from __future__ import annotations


def prefect_configured() -> bool:
    """Only talk to Prefect when an API is configured: else a temporary server would start."""
    from settings import get_settings

    return bool(get_settings().prefect_api_url)


def wake_reception(flow_run_id: str | None) -> str:
    """Resume the waiting run with an answer that changes nothing, so it redraws its checklist."""
    if not flow_run_id:
        return "Sagen har endnu intet modtagelsesflow."
    if not prefect_configured():
        return "PREFECT_API_URL er ikke sat: flowet opdateres ved næste registrering i UI'et."
    from tasks.wake import resume_waiting  # Prefect is imported only when it is needed

    return resume_waiting(flow_run_id)
