"""Reception runs executed on threads of the runner's own process (`koereplan serve`'s default).

A process per flow run pays Python's start and Prefect's and our imports every time (3-6 s of
CPU on this machine, `bench/profile_reception.py`), and a reception run is started again
after every answer. Here the runner executes the runs of the chosen deployments itself, with
`prefect.flow_engine.run_flow` on a worker thread, so those costs are paid once. Each run is
still its own Prefect flow run, one per household, with the same states, logs, artifact,
form and tags in the UI; a resumed run is picked up by the same poll as any scheduled run.
The runner's limit still caps how many execute at once.

What a thread cannot do that a process can: a run cannot be killed. Cancelling a reception
run from the UI is refused at its next state change; a run stuck in a call holds its thread
until the call returns. Other deployments (intake, the monitor, the overview) keep their
process: they run long and seldom, and a process isolates them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import anyio
import anyio.abc
import anyio.to_thread
from prefect import Flow
from prefect.client.schemas.objects import FlowRun
from prefect.runner import Runner
from prefect.runner._process_manager import ProcessHandle

log = logging.getLogger("koereplan.inprocess")


class ThreadRun:
    """Stands in for a flow-run process in the runner's bookkeeping: no pid, an exit code."""

    pid: int | None = None

    def __init__(self) -> None:
        self.returncode: int | None = None


def execute(flow: Flow[..., Any], flow_run_id: UUID) -> int:
    """Run one flow run to its end or its next wait, as `python -m prefect.engine` would.

    The exit code a process would have had: 0 when the run completed, suspended or was
    aborted by the server, 1 when it failed (its state is already Failed by then).
    """
    from prefect.exceptions import Abort, Pause
    from prefect.flow_engine import flow_run_logger, load_flow_run, run_flow

    try:
        flow_run = load_flow_run(flow_run_id=flow_run_id)
        logger = flow_run_logger(flow_run=flow_run)
        run_flow(flow, flow_run=flow_run, error_logger=logger)  # type: ignore[arg-type]
    except (Pause, Abort):
        return 0
    except Exception as error:
        log.warning("Flow run %s ended with %s", flow_run_id, type(error).__name__)
        return 1
    return 0


class ThreadStarter:
    """A runner's process starter that runs the flow on a worker thread instead."""

    def __init__(
        self, flow: Flow[..., Any], threads: anyio.CapacityLimiter, executed: list[UUID]
    ) -> None:
        self._flow = flow
        self._threads = threads
        self._executed = executed

    async def start(
        self,
        flow_run: FlowRun,
        task_status: anyio.abc.TaskStatus[ProcessHandle] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        """Signal the handle at once, then wait for the run's thread (the starter contract)."""
        run = ThreadRun()
        task_status.started(ProcessHandle(run))  # type: ignore[arg-type]
        self._executed.append(flow_run.id)
        run.returncode = await anyio.to_thread.run_sync(
            execute, self._flow, flow_run.id, limiter=self._threads
        )


class InProcessRunner(Runner):
    """A Prefect runner that executes the runs of some deployments (by name) on its threads."""

    def __init__(self, *, in_process: Mapping[str, Flow[..., Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._flows_by_name = dict(in_process)
        self._in_process: dict[UUID, Flow[..., Any]] = {}
        self._threads = anyio.CapacityLimiter(max(1, kwargs.get("limit") or 8))
        self.executed: list[UUID] = []  # the flow runs executed on a thread, in order

    async def aadd_deployment(self, deployment: Any) -> UUID:
        """Register the deployment as any runner does; remember it when it runs in-process."""
        deployment_id = await super().aadd_deployment(deployment)
        flow = self._flows_by_name.get(deployment.name)
        if flow is not None:
            self._in_process[deployment_id] = flow
        return deployment_id

    async def __aenter__(self) -> InProcessRunner:
        await super().__aenter__()
        poller = self._scheduled_run_poller
        in_a_process = poller._resolve_starter

        def resolve(flow_run: FlowRun) -> Any:
            flow = self._in_process.get(flow_run.deployment_id)  # type: ignore[arg-type]
            if flow is None:
                return in_a_process(flow_run)
            return ThreadStarter(flow, self._threads, self.executed)

        poller._resolve_starter = resolve
        return self
