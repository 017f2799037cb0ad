"""Waiting on a flow run's state through the Prefect API."""

from __future__ import annotations

import time
from collections.abc import Callable

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun, State, StateType


def wait_for_state(
    flow_run_id: object, ok: Callable[[State], bool], timeout: float = 90
) -> FlowRun:
    """Poll the API until the run's state passes `ok`; fail fast on a crash."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            run = client.read_flow_run(flow_run_id)  # type: ignore[arg-type]
            state = run.state
            assert state is not None
            if ok(state):
                return run
            assert state.type not in (StateType.FAILED, StateType.CRASHED), state.message
            if time.monotonic() > deadline:
                raise TimeoutError(f"{run.name}: still {state.name}")
            time.sleep(0.2)


def suspended_at(key: str) -> Callable[[State], bool]:
    """The run waits for the answer with this key."""
    return lambda s: s.type == StateType.PAUSED and s.state_details.pause_key == key
