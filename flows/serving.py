"""Serving the deployments: `koereplan serve` for real, a runner thread in tests and the demo."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import psutil
import yaml
from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.runner import Runner
from prefect.schedules import Cron, Interval, Schedule

from flows.intake import intake
from flows.limits import POLL_SECONDS, machine_run_limit
from flows.monitor import deadline_monitor
from flows.overview import overview
from flows.reception import reception
from settings import get_settings

# One intake at a time: a slow intake (a busy machine) otherwise piles up scheduled intakes that
# take every runner slot, and a resumed reception waits behind them.
ONE_INTAKE = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
PREFECT_YAML = Path(__file__).resolve().parent.parent / "prefect.yaml"


@lru_cache(maxsize=1)
def _yaml_deployments() -> dict[str, dict[str, Any]]:
    """The deployments written in prefect.yaml, by name."""
    return {d["name"]: d for d in yaml.safe_load(PREFECT_YAML.read_text())["deployments"]}


def schedules_of(name: str) -> list[Schedule]:
    """A deployment's schedules as prefect.yaml writes them: the one place they are kept."""
    found: list[Schedule] = []
    for entry in _yaml_deployments()[name].get("schedules") or []:
        if "cron" in entry:
            found.append(Cron(entry["cron"], timezone=entry.get("timezone")))
        else:
            found.append(Interval(entry["interval"], timezone=entry.get("timezone")))
    return found


def intake_schedules(schedules: bool = True) -> list[Schedule] | None:
    """prefect.yaml's intake schedule at the settings' interval (`KOEREPLAN_INTAKE_EVERY_S`)."""
    if not schedules:
        return None
    every = get_settings().intake_every_s
    return [Interval(every) if s.interval else s for s in schedules_of("intake")]


def deployments(*, schedules: bool = True) -> list[Any]:
    """The deployments of `prefect.yaml`, for serving without a work pool."""

    def of(name: str) -> list[Schedule] | None:
        return schedules_of(name) if schedules else None

    return [
        intake.to_deployment(
            name="intake",
            schedules=intake_schedules(schedules),
            tags=["koereplan"],
            concurrency_limit=ONE_INTAKE,
        ),
        reception.to_deployment(name="reception", tags=["koereplan"]),
        deadline_monitor.to_deployment(
            name="deadline-monitor", schedules=of("deadline-monitor"), tags=["koereplan"]
        ),
        overview.to_deployment(name="overview", schedules=of("overview"), tags=["koereplan"]),
    ]


def serve_forever(limit: int | None = None) -> None:
    """Serve every deployment until stopped (Ctrl-C); at most `limit` runs execute at once.

    The default limit and the polling interval are `flows.limits`, which the workers of a
    work pool use too (README, "Running it for real").
    """
    serve(
        *deployments(),
        limit=limit or machine_run_limit(),
        query_seconds=POLL_SECONDS,
    )


def flow_run_processes() -> list[psutil.Process]:
    """Flow-run processes this process's runner started (one per executing run)."""
    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            if "prefect.engine" in " ".join(process.cmdline()):
                found.append(process)
        except psutil.NoSuchProcess:
            continue
    return found


@contextmanager
def output_to(log: Path | None) -> Iterator[None]:
    """This process's stdout and stderr go to `log` meanwhile; subprocesses started now keep it."""
    if log is None:
        yield
        return
    with log.open("ab") as handle:
        saved = [os.dup(1), os.dup(2)]
        for fd in (1, 2):
            os.dup2(handle.fileno(), fd)
        try:
            yield
        finally:
            for fd, copy in zip((1, 2), saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)


@contextmanager
def local_prefect_server(timeout: int = 120, log: Path | None = None) -> Iterator[str]:
    """A local Prefect server in a subprocess (its SQLite under PREFECT_HOME); yields the API URL.

    For the demo and the benchmarks. Logs and events of flow runs in this process are
    flushed while the server still answers, so the process exits at once afterwards. With
    `log`, the server writes its output (tracebacks included) there instead of the terminal.
    """
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = SubprocessASGIServer()
    with output_to(log):
        server.start(timeout=timeout)
    os.environ["PREFECT_API_URL"] = server.api_url  # for the runner's flow-run processes
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        APILogWorker.drain_all(timeout=10)
        EventsWorker.drain_all(timeout=10)
        server.stop()
        os.environ.pop("PREFECT_API_URL", None)


@contextmanager
def runner_in_thread(
    poll_seconds: float = 0.5, limit: int | None = None, extra: Sequence[Any] = ()
) -> Iterator[Runner]:
    """A runner polling every `poll_seconds` in a background thread, stopped on exit.

    `extra`: more deployments to serve beside the product's (the benchmarks' floor flow).
    """
    runner = Runner(name="koereplan-runner", query_seconds=poll_seconds, limit=limit)
    for deployment in [*deployments(schedules=False), *extra]:
        runner.add_deployment(deployment)
    started = threading.Event()
    loops: dict[str, asyncio.AbstractEventLoop] = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        loops["loop"] = loop
        asyncio.set_event_loop(loop)
        loop.call_soon(started.set)
        loop.run_until_complete(runner.start())

    thread = threading.Thread(target=run, name="koereplan-runner", daemon=True)
    thread.start()
    started.wait(30)
    try:
        yield runner
    finally:
        # A run's process exits about a second after the run suspends; stopping the runner
        # before that would cancel a run that is only waiting.
        deadline = time.monotonic() + 30
        while flow_run_processes() and time.monotonic() < deadline:
            time.sleep(0.2)
        if runner.started:
            asyncio.run_coroutine_threadsafe(runner.astop(), loops["loop"]).result(30)
        thread.join(30)
