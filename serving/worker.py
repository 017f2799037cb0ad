"""A work-pool worker type `koereplan`: reception runs on threads, everything else as `process`.

`koereplan serve` runs reception runs on threads of its own process; this is the same
for the production topology, where workers of a work pool execute the runs
(README, "Several workers"). Prefect finds the type through the `prefect.collections` entry
point in pyproject.toml (loading this module registers the class), so after `pip install`:

    prefect work-pool create koereplan --type koereplan
    prefect worker start --pool koereplan --type koereplan --limit "$(koereplan run-limit)"

A run whose deployment's entrypoint is in `IN_PROCESS` executes with
`prefect.flow_engine.run_flow` on one of the worker's threads: the imports and Python's start
are paid once per worker, not once per run and answer. Intake, the deadline monitor and the
overview keep a process each, exactly as the `process` type runs them (this class is that
worker), and the pool's job template is the process template. Each household is still its own
flow run in the UI. What a thread cannot do: be killed. Cancelling a reception run takes
effect at its next state change (for a waiting run: at once, it holds no thread).
"""

from __future__ import annotations

import importlib
from typing import Any
from uuid import UUID

import anyio
import anyio.abc
import anyio.to_thread
from prefect import Flow
from prefect.client.schemas.objects import FlowRun
from prefect.workers.process import ProcessJobConfiguration, ProcessWorker, ProcessWorkerResult

from serving.inprocess import execute

# Deployment entrypoints (as prefect.yaml writes them, or ending so) run on a thread: the flow.
IN_PROCESS = {"flows/reception.py:reception": ("flows.reception", "reception")}


def in_process_flow(entrypoint: str | None) -> Flow[..., Any] | None:
    """The flow to run on a thread for a deployment's entrypoint, or None: run it in a process.

    An entrypoint may be relative to the checkout (`prefect deploy`) or absolute (a deployment
    made from Python elsewhere); the flow is imported from the installed package either way.
    """
    written = (entrypoint or "").replace("\\", "/")
    for suffix, (module, name) in IN_PROCESS.items():
        if written == suffix or written.endswith("/" + suffix):
            return getattr(importlib.import_module(module), name)
    return None


class KoereplanWorker(ProcessWorker):
    """The process worker, except that reception runs execute on this worker's threads."""

    type = "koereplan"
    _display_name = "Køreplan"
    _description = (
        "Executes Køreplan's reception runs on threads of the worker process (imports paid "
        "once); other flow runs as subprocesses, like the process worker."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._threads = anyio.CapacityLimiter(max(1, self._limit or 8))
        self._entrypoints: dict[UUID, str | None] = {}

    async def _entrypoint(self, flow_run: FlowRun) -> str | None:
        """The entrypoint of the run's deployment (asked once per deployment)."""
        deployment_id = flow_run.deployment_id
        if deployment_id is None:
            return None
        if deployment_id not in self._entrypoints:
            deployment = await self.client.read_deployment(deployment_id)
            self._entrypoints[deployment_id] = deployment.entrypoint
        return self._entrypoints[deployment_id]

    async def run(
        self,
        flow_run: FlowRun,
        configuration: ProcessJobConfiguration,
        task_status: anyio.abc.TaskStatus[int] | None = None,
    ) -> ProcessWorkerResult:
        """Reception runs on a thread (to the end or the next wait); others in a process."""
        flow = in_process_flow(await self._entrypoint(flow_run))
        if flow is None:
            return await super().run(flow_run, configuration, task_status)
        if task_status is not None:
            task_status.started(0)  # no process: the identifier says "this worker's thread"
        code = await anyio.to_thread.run_sync(execute, flow, flow_run.id, limiter=self._threads)
        return ProcessWorkerResult(status_code=code, identifier=f"thread:{flow_run.id}")
