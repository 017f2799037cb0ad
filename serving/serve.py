"""`koereplan serve`: the deployments of prefect.yaml, served in one process without a work pool.

prefect.yaml is the one place the deployments' schedules and concurrency limits are written
(for `prefect deploy --all`); serve reads them from there, so the two cannot drift apart
(tests/flows/test_deployments.py compares them). The runner's limit and polling interval
are `serving.limits`, which the workers of a work pool use too.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from functools import lru_cache
from typing import Any

import yaml
from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.runner import Runner
from prefect.schedules import Cron, Interval, Schedule

from flows.intake import intake
from flows.monitor import deadline_monitor
from flows.overview import overview
from flows.reception import reception
from koereplan.paths import REPO_ROOT
from serving.limits import POLL_SECONDS, machine_run_limit
from settings import get_settings

PREFECT_YAML = REPO_ROOT / "prefect.yaml"


@lru_cache(maxsize=1)
def _yaml_deployments() -> dict[str, dict[str, Any]]:
    """The deployments written in prefect.yaml, by name."""
    return {d["name"]: d for d in yaml.safe_load(PREFECT_YAML.read_text())["deployments"]}


def schedules_of(name: str) -> list[Schedule]:
    """A deployment's schedules as prefect.yaml writes them (timezone, parameters, active)."""
    found: list[Schedule] = []
    for entry in _yaml_deployments()[name].get("schedules") or []:
        common = {
            "timezone": entry.get("timezone"),
            "active": entry.get("active", True),
            "parameters": entry.get("parameters"),
        }
        if "cron" in entry:
            found.append(Cron(entry["cron"], day_or=entry.get("day_or", True), **common))
        else:
            found.append(Interval(entry["interval"], **common))
    return found


def concurrency_of(name: str) -> ConcurrencyLimitConfig | int | None:
    """A deployment's concurrency limit as prefect.yaml writes it (intake: one at a time)."""
    written = _yaml_deployments()[name].get("concurrency_limit")
    if not isinstance(written, dict):
        return written
    strategy = written.get("collision_strategy")
    return ConcurrencyLimitConfig(
        limit=written["limit"],
        collision_strategy=ConcurrencyLimitStrategy(strategy) if strategy else None,
    )


def intake_schedules(schedules: bool = True) -> list[Schedule] | None:
    """prefect.yaml's intake schedule at the settings' interval (`KOEREPLAN_INTAKE_EVERY_S`)."""
    if not schedules:
        return None
    every = get_settings().intake_every_s
    return [
        Interval(every, timezone=s.timezone, active=s.active, parameters=s.parameters)
        if s.interval
        else s
        for s in schedules_of("intake")
    ]


def deployments(*, schedules: bool = True) -> list[Any]:
    """The deployments of `prefect.yaml`, for serving without a work pool."""

    def of(name: str) -> dict[str, Any]:
        written = _yaml_deployments()[name]
        return {
            "name": name,
            "tags": written.get("tags"),
            "parameters": written.get("parameters"),
            "concurrency_limit": concurrency_of(name),
            "schedules": schedules_of(name) if schedules else None,
        }

    return [
        intake.to_deployment(**{**of("intake"), "schedules": intake_schedules(schedules)}),
        reception.to_deployment(**of("reception")),
        deadline_monitor.to_deployment(**of("deadline-monitor")),
        overview.to_deployment(**of("overview")),
    ]


def serve_forever(limit: int | None = None, in_process: bool = True) -> None:
    """Serve every deployment until stopped (Ctrl-C); at most `limit` runs execute at once.

    The default limit and the polling interval are `serving.limits`, which the workers of a
    work pool use too (README, "Running it for real"). `in_process` (the default): reception
    runs execute on threads of this process (`serving.inprocess`); without it, a process
    each, started again for every answer (bench/README.md has both figures).
    """
    if not in_process:
        serve(*deployments(), limit=limit or machine_run_limit(), query_seconds=POLL_SECONDS)
        return
    from prefect.exceptions import TerminationSignal

    runner = make_runner(limit or machine_run_limit(), POLL_SECONDS, in_process=True)
    for deployment in deployments():
        runner.add_deployment(deployment)
    with suppress(KeyboardInterrupt, TerminationSignal):
        asyncio.run(runner.start())


def make_runner(limit: int | None, poll_seconds: float, in_process: bool = False) -> Runner:
    """A Prefect runner; with `in_process`, one that runs reception runs on its own threads."""
    if not in_process:
        return Runner(name="koereplan-runner", query_seconds=poll_seconds, limit=limit)
    from serving.inprocess import InProcessRunner

    return InProcessRunner(
        in_process={"reception": reception},
        name="koereplan-runner",
        query_seconds=poll_seconds,
        limit=limit,
    )
