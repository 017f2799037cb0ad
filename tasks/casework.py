"""Reception tasks: link the run to its case, show the checklist, apply a coordinator's answer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from prefect import get_run_logger
from prefect.client.orchestration import get_client
from prefect.runtime import flow_run

from koereplan.answers import REFUSED, was_refused
from koereplan.run_names import status_tags
from koereplan.workdays import local_date
from models.db import session
from models.faults import reduced_database_errors
from services import answers, runs
from services.casefile import load_case
from services.checklist import Snapshot, snapshot
from services.runtime import get_runtime
from tasks.artifacts import publish_checklist
from tasks.common import koereplan_task
from tasks.dispatch import dispatch_outbox


@koereplan_task()
@reduced_database_errors
def link_flow_run(case_ref: str) -> None:
    """Remember which run drives the case, so the CLI and messages can point at it."""
    run_id = flow_run.get_id()
    if not run_id:
        return
    runs.link_run(get_runtime().engine, case_ref, run_id)


@koereplan_task()
@reduced_database_errors
def refresh_case(case_ref: str, note: str | None = None) -> Snapshot:
    """Send what is pending for the case, then publish its checklist as the run's artifact."""
    runtime = get_runtime()
    with session(runtime.engine) as db:
        case_id = load_case(db, case_ref).case.id
    dispatch_outbox.fn(case_id)
    with session(runtime.engine) as db:
        view = snapshot(db, runtime.definition, case_ref, local_date())
    publish_checklist(view, note)
    tag_run(view.status)
    return view


def tag_run(status: str) -> None:
    """Keep the current run's `status:` tag equal to the case status."""
    run_id = flow_run.get_id()
    current = list(flow_run.get_tags())  # as the run was loaded: no API call when unchanged
    tags = status_tags(current, status)
    if not run_id or tags == current:
        return
    try:
        with get_client(sync_client=True) as client:
            client.update_flow_run(UUID(run_id), tags=tags)
    except Exception as error:  # a tag is a filter aid: the checklist and the wait go on
        get_run_logger().warning("Statusmærket blev ikke opdateret (%s)", type(error).__name__)


@koereplan_task()
@reduced_database_errors
def apply_answer(case_ref: str, number: int, answer: dict[str, Any]) -> str:
    """Apply one answer from the Prefect UI form exactly once; say what happened, in Danish."""
    runtime = get_runtime()
    input_key = f"{flow_run.get_id()}:svar-{number}"
    note = answers.apply_answer(
        runtime.engine, runtime.definition, case_ref, number, answer, input_key
    )
    if was_refused(note):
        get_run_logger().warning("Registreringen blev ikke gennemført: %s", note[len(REFUSED) :])
    return note
