"""Links into the Prefect UI for messages and the CLI: a case's run, an artifact."""

from __future__ import annotations

from settings import get_settings


def flow_run_url(flow_run_id: str | None, ui_url: str | None = None) -> str | None:
    """Link to a flow run in the Prefect UI (`PREFECT_UI_URL`), or None when unknown."""
    base = ui_url or get_settings().prefect_ui_url
    if not flow_run_id or not base:
        return None
    return f"{base.rstrip('/')}/runs/flow-run/{flow_run_id}"


def artifact_url(key: str, ui_url: str | None = None) -> str | None:
    """Link to the latest version of an artifact in the Prefect UI, or None when unknown."""
    base = ui_url or get_settings().prefect_ui_url
    return f"{base.rstrip('/')}/artifacts/key/{key}" if base else None
