"""A local Prefect server and a runner in a thread: for the demo, the tests and the benchmarks.

Not how Køreplan runs for real (`koereplan serve` against a Prefect server, or a work pool:
README, "Running it for real"); the runner serves the same deployments as serve does.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
from prefect.runner import Runner

from serving.serve import deployments, make_runner
from settings import get_settings


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
    get_settings.cache_clear()  # and for this process's settings (the CLI wakes runs with it)
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        APILogWorker.drain_all(timeout=10)
        EventsWorker.drain_all(timeout=10)
        server.stop()
        os.environ.pop("PREFECT_API_URL", None)
        get_settings.cache_clear()


@contextmanager
def runner_in_thread(
    poll_seconds: float = 0.5,
    limit: int | None = None,
    extra: Sequence[Any] = (),
    in_process: bool = False,
) -> Iterator[Runner]:
    """A runner polling every `poll_seconds` in a background thread, stopped on exit.

    `extra`: more deployments to serve beside the product's (the benchmarks' floor flow).
    `in_process`: reception runs on the runner's threads (`serving.inprocess`).
    """
    runner = make_runner(limit, poll_seconds, in_process)
    for deployment in [*deployments(schedules=False), *extra]:
        runner.add_deployment(deployment)
    with running(runner):
        yield runner


@contextmanager
def running(runner: Runner) -> Iterator[Runner]:
    """Start `runner` (its deployments added) in a background thread; stop it on exit."""
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
