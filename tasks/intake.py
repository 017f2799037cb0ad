"""Intake tasks: take files from the inbox, receive each, file it away, start receptions."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import httpx
from prefect import get_run_logger
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.exceptions import PrefectHTTPStatusError

from koereplan.run_names import reception_run_name
from models.columns import utcnow
from models.db import session
from models.faults import reduced_database_errors
from services import inbox, receiving, runs
from services.intake import Received
from services.lifecycle import ended_since
from services.runtime import get_runtime
from tasks.common import koereplan_task
from tasks.wake import resume_waiting

RECEPTION_DEPLOYMENT = "reception/reception"
# Pauses before starting one case's run again when the Prefect server is busy (503) or away.
START_PAUSES = (2.0, 5.0, 15.0)


@koereplan_task()
@reduced_database_errors
def take_inbox_files(folder: Path) -> inbox.Taken:
    """Claim every settled notice, refuse what is no file; another intake's claims are its own."""
    return receiving.take(folder)


@koereplan_task(task_run_name="modtag-fil")
@reduced_database_errors
def receive_notice_file(folder: Path | None, claimed: Path) -> Received:
    """Receive one claimed file, then file it as processed or quarantined."""
    result = receiving.receive_one(folder, claimed)
    if result.wake_run:  # a withdrawn case: its waiting run sees the status and completes
        get_run_logger().info("Sag %s: %s", result.case_ref, resume_waiting(result.wake_run))
    return result


@koereplan_task(task_run_name="dokumenter")
def file_inbox_documents(folder: Path) -> dict[str, int]:
    """File the documents beside received notices; counts only, never a file name."""
    return dict(receiving.file_documents(folder))


@koereplan_task(retries=3, retry_delay_seconds=[2, 5, 15])
@reduced_database_errors
def start_receptions() -> list[str]:
    """One reception run per active case that has none yet; the idempotency key stops doubles."""
    wake_ended_receptions()
    return start_pending_receptions()


def wake_ended_receptions(window: timedelta = timedelta(days=1)) -> list[str]:
    """Wake runs of cases ended lately that still wait: a wake that failed or lost a race.

    Cases ended within `window` are looked at; their references are returned.
    """
    with session(get_runtime().engine) as db:
        ended = ended_since(db, utcnow() - window)
    for _, run_id in ended:
        resume_waiting(run_id)  # a run that is not waiting is left alone
    return [ref for ref, _ in ended]


def start_pending_receptions() -> list[str]:
    """Start the reception runs intake owes (also called by `koereplan intake`)."""
    engine = get_runtime().engine
    started = []
    for case in runs.runs_to_start(engine):
        run = start_reception(case)
        runs.record_started_run(engine, case.case_id, str(run.id))
        started.append(case.ref)
    return started


def start_reception(case: runs.RunToStart) -> FlowRun:
    """One case's reception run, started again after a pause while the server is busy.

    A busy server (5xx, unreachable) is retried here, per case, not by retrying the whole
    task: a task retry starts the rest but counts only its own starts. The idempotency key
    makes a repeat of a start that did reach the server return the same run.
    """
    name = reception_run_name(case.ref, case.reception_number)
    for pause in (*START_PAUSES, None):
        try:
            return run_deployment(  # type: ignore[return-value]  # sync call: not a coroutine
                RECEPTION_DEPLOYMENT,
                parameters={"case_ref": case.ref},
                timeout=0,
                as_subflow=False,
                tags=[case.kind, f"status:{case.status}"],
                flow_run_name=name,
                idempotency_key=name,
            )
        except (httpx.TransportError, PrefectHTTPStatusError) as error:
            response = getattr(error, "response", None)
            if pause is None or (response is not None and response.status_code < 500):
                raise
            time.sleep(pause)
    raise AssertionError("unreachable: the last pause is None")
