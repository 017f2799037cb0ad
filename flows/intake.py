"""Intake: every notice in the inbox becomes a case (or is quarantined), then receptions start."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger

from services.receiving import receive_batch
from services.runtime import get_runtime
from tasks.dispatch import dispatch_outbox
from tasks.intake import (
    file_inbox_documents,
    receive_notice_file,
    start_receptions,
    take_inbox_files,
)
from tasks.wake import wake_receptions


@flow(name="intake", log_prints=False)
def intake(inbox: str | None = None, start: bool = True) -> dict[str, int]:
    """Read the inbox once; `start=False` leaves the reception runs to a later intake."""
    folder = Path(inbox) if inbox else get_runtime().settings.inbox
    batch = receive_batch(
        folder,
        taking=take_inbox_files,
        receiving=receive_notice_file,
        filing=file_inbox_documents,  # after the notices, so documents find their announcements
    )
    for error in batch.put_back:  # given back to the inbox; the next file was not its concern
        get_run_logger().warning("En fil lagt tilbage i indbakken: %s", error)
    outcomes = batch.outcomes()
    amended = batch.amended()
    if amended:
        wake_receptions(amended)  # waiting runs redraw their checklist and form
    if start:  # before sending: a new case's first messages then link to its run
        outcomes["started"] = len(start_receptions())
    dispatch_outbox()  # rejected notices reach the coordinators now
    get_run_logger().info("Indbakken: %s", dict(outcomes) or "tom")
    return dict(outcomes)
