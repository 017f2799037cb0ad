"""The overview's artifacts as Prefect tasks: the services compute, the tasks publish."""

from __future__ import annotations

from datetime import date

from prefect.artifacts import create_markdown_artifact

from koereplan.compliance import months_back
from models.db import session
from notifications.overview_markdown import (
    COMPLIANCE_KEY,
    OVERVIEW_KEY,
    compliance_markdown,
    department_key,
    overview_markdown,
    queue_markdown,
)
from services.overview import ARTIFACT_LINES, all_queues, compliance, overview
from services.runtime import get_runtime
from tasks.common import koereplan_task


@koereplan_task()
def publish_overview(today: date) -> str:
    """The `oversigt` artifact: active cases by phase, arrivals, CPR waits, legal overdue."""
    runtime = get_runtime()
    with session(runtime.engine) as db:
        view = overview(db, today=today)
    names = {key: dept.name for key, dept in runtime.definition.departments.items()}
    create_markdown_artifact(
        key=OVERVIEW_KEY,
        markdown=overview_markdown(view, names),
        description="Aktive sager, ankomster, cpr-registrering og overskredne lovfrister",
    )
    return OVERVIEW_KEY


@koereplan_task()
def publish_queues(today: date) -> list[str]:
    """One `afdeling-<key>` artifact per department, also when its queue is empty."""
    runtime = get_runtime()
    with session(runtime.engine) as db:
        found = all_queues(db, runtime.definition, today=today, limit=ARTIFACT_LINES)
    keys = []
    for department, queue in found.items():
        key = department_key(department)
        create_markdown_artifact(
            key=key, markdown=queue_markdown(queue), description=f"Åbne trin: {queue.name}"
        )
        keys.append(key)
    return keys


@koereplan_task()
def publish_compliance(today: date) -> str:
    """The `lovfrister` artifact: legal deadlines met over the last 12 months, with a chart."""
    runtime = get_runtime()
    first, last = months_back(today)
    with session(runtime.engine) as db:
        view = compliance(db, runtime.definition, today=today, first=first, last=last)
    create_markdown_artifact(
        key=COMPLIANCE_KEY,
        markdown=compliance_markdown(view),
        description="Lovbestemte frister overholdt, de seneste 12 måneder",
    )
    return COMPLIANCE_KEY
