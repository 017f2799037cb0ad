"""One turn of a reception run: take the waiting answer, send, redraw; one task per turn.

A turn is what happens between two waits. On the run's first execution it links the run,
sends what intake queued and draws the checklist; after a resume it also applies the answer
the coordinator gave. Doing that in one task, reading the answer straight from the run's
inputs, spares a resumed run the replay of the old wait (a refused suspension and a second
read) and a second look at the outbox and the artifact: per answer one task, one dispatch,
one artifact update (`bench/profile_reception.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from prefect.context import FlowRunContext

from models.faults import reduced_database_errors
from services.checklist import Snapshot
from services.runs import answers_applied
from services.runtime import get_runtime
from tasks.casework import apply_answer, link_flow_run, refresh_case
from tasks.common import koereplan_task

ANSWER_KEY = "svar-{}"  # the wait's pause key; the form's answer is `suspended-svar-N-response`


@dataclass(frozen=True)
class Turn:
    """What a turn leaves for the wait: the case as it is now and what became of the answer."""

    view: Snapshot
    note: str | None = None


def answer_key(number: int) -> str:
    """The pause key of the wait for answer `number` (0, 1, …): `svar-0`."""
    return ANSWER_KEY.format(number)


def waiting_answer(number: int) -> dict[str, Any] | None:
    """The answer given to wait `number`, if this run has waited there and was resumed.

    Prefect records every pause key a run has waited under (`empirical_policy.pause_keys`),
    so a run on its first execution, or one still to wait for this answer, costs no API call.
    """
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    if run is None or answer_key(number) not in (run.empirical_policy.pause_keys or set()):
        return None
    from prefect.input.actions import read_flow_run_input

    value = read_flow_run_input(f"suspended-{answer_key(number)}-response", UUID(str(run.id)))
    return dict(value) if isinstance(value, dict) else None


@koereplan_task()
@reduced_database_errors
def take_turn(case_ref: str, answer: dict[str, Any] | None = None) -> Turn:
    """Link the run, apply the answer it was resumed with (once), send, redraw the checklist.

    `answer` is one the flow already holds (a wait Prefect refused because its key was used);
    without it the turn looks for the answer the run was resumed with.
    """
    link_flow_run.fn(case_ref)
    number = answers_applied(get_runtime().engine, case_ref)
    note = None
    given = answer if answer is not None or number is None else waiting_answer(number)
    if given is not None and number is not None:  # no case: the redraw says so, as before
        note = apply_answer.fn(case_ref, number, given)
    return Turn(refresh_case.fn(case_ref, note), note)
