"""Intake: every notice in the inbox becomes a case (or is quarantined), then receptions start."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from prefect import flow, get_run_logger

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
    outcomes: Counter[str] = Counter()
    amended: list[str] = []
    taken = take_inbox_files(folder)
    outcomes.update(result.outcome for result in taken.refused)
    for claimed in taken.claimed:
        try:
            result = receive_notice_file(folder, claimed)
        except Exception as error:  # given back to the inbox; the next file is not its concern
            get_run_logger().warning("En fil lagt tilbage i indbakken: %s", type(error).__name__)
            outcomes["lagt tilbage"] += 1
            continue
        outcomes[result.outcome] += 1
        if result.outcome == "amended" and result.case_ref:
            amended.append(result.case_ref)
    if taken.waiting:
        outcomes["venter"] = taken.waiting
    file_inbox_documents(folder)  # after the notices, so documents find their announcements
    if amended:
        wake_receptions(amended)  # waiting runs redraw their checklist and form
    if start:  # before sending: a new case's first messages then link to its run
        outcomes["started"] = len(start_receptions())
    dispatch_outbox()  # rejected notices reach the coordinators now
    get_run_logger().info("Indbakken: %s", dict(outcomes) or "tom")
    return dict(outcomes)
