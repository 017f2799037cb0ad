"""The overview flow: every working-day morning (and on demand) the coordinators' first screen."""

from __future__ import annotations

from datetime import date

from prefect import flow

from koereplan.workdays import local_date
from tasks.overview import publish_compliance, publish_overview, publish_queues


@flow(name="overview", log_prints=False)
def overview(today: date | None = None) -> dict[str, int]:
    """Publish `oversigt`, `afdeling-<key>` and `lovfrister`, each updated in place by its key.

    Case references only. Runs on holidays too when started: it tells nobody anything.
    """
    day = today or local_date()
    publish_overview(day)
    queues = publish_queues(day)
    publish_compliance(day)
    return {"artifacts": len(queues) + 2}
