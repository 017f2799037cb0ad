"""The checklist artifact: one per reception run, updated in place as the case moves on.

The run's Artifacts tab lists every artifact of the run in random order (uuid4 ids), so a new
version per change buried the current checklist among stale cards. One artifact per run,
rewritten when its text changes, keeps one card there and one current entry under its key.
"""

from __future__ import annotations

from uuid import UUID

from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import ArtifactUpdate
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
)
from prefect.client.schemas.sorting import ArtifactSort
from prefect.runtime import flow_run

from koereplan.answers import was_refused
from koereplan.checklist_markdown import checklist_markdown, headline
from services.checklist import Snapshot


def artifact_key(case_ref: str) -> str:
    """The checklist artifact's key: `koereplan-kr-2026-0001`."""
    return f"koereplan-{case_ref.lower()}"


def checklist_texts(view: Snapshot, note: str | None = None) -> tuple[str, str]:
    """(markdown, description); a refused answer leads the description, which the card shows."""
    warning = note if was_refused(note) else None
    markdown = checklist_markdown(view.rows, None if warning else note)
    summary = f"sagen er {view.status_text()} · {view.takeover_text()} · {view.summary()}"
    return markdown, headline(view.ref, view.rows, summary, warning)


def publish_checklist(view: Snapshot, note: str | None = None) -> None:
    """Create the run's checklist artifact, or rewrite it when its text changed."""
    markdown, description = checklist_texts(view, note)
    key = artifact_key(view.ref)
    run_id = flow_run.get_id()
    if run_id:
        with get_client(sync_client=True) as client:
            found = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=[key]),
                    flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(run_id)]),
                ),
                sort=ArtifactSort.CREATED_DESC,
                limit=1,
            )
            if found:
                if (found[0].data, found[0].description) != (markdown, description):
                    client.update_artifact(
                        found[0].id, ArtifactUpdate(data=markdown, description=description)
                    )
                return
    create_markdown_artifact(key=key, markdown=markdown, description=description)
