"""A Prefect server that requires PREFECT_SERVER_API_AUTH_STRING: the reception path with it.

The server and both clients run in their own processes: Prefect reads its settings once
per process, and the session's test server (no auth) must stay as it is for other tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools.sinks import WebhookSink, routing_to
from tests.integration.received import DEFINITION

REPO = Path(__file__).resolve().parents[2]
PORTS = range(4230, 4240)  # this suite's own range on the shared machine
AUTH = "koereplan:e2e-Hemmelig-7"

RECEPTION_PATH = """
    import os, shutil, sys
    from pathlib import Path
    from cli.run import _answer, _case_runs, _wait_all
    from flows.intake import intake
    from devtools.local_prefect import runner_in_thread

    inbox = Path(sys.argv[1])
    shutil.copy(Path("examples/enlig-voksen.json"), inbox / "enlig-voksen.json")
    os.utime(inbox / "enlig-voksen.json", (0, 0))  # settled: not a file still being written
    with runner_in_thread(poll_seconds=0.5):
        told = intake()
        runs = _case_runs()
        _wait_all(runs.values(), "svar-0")
        [run_id] = runs.values()
        _answer(run_id, "Cpr-nr. bestilt", {"handling": "udført", "initialer": "KT"})
        _wait_all(runs.values(), "svar-1")
    print("modtaget", told, flush=True)
"""


def free_port_in_range() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 4230-4239")


@pytest.fixture
def server_with_auth(tmp_path: Path) -> Iterator[str]:
    """`prefect server start` with an auth string, on 127.0.0.1; yields the API URL."""
    port = free_port_in_range()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_API_AUTH_STRING": AUTH,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": "",
    }
    prefect = str(Path(sys.executable).parent / "prefect")
    server = subprocess.Popen(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, "prefect server exited"
            assert time.monotonic() < deadline, "prefect server did not start"
            time.sleep(0.5)
        yield api
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_reception_path(
    api: str, home: Path, webhooks: WebhookSink, auth: str | None
) -> subprocess.CompletedProcess[str]:
    """Intake one notice, wait for the reception run, answer it: in a process of its own."""
    (home / "inbox").mkdir(parents=True)
    (home / "apprise.yaml").write_text(routing_to(webhooks, DEFINITION))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PREFECT_", "KOEREPLAN_"))
    }
    env.update(
        PYTHONPATH=str(REPO),
        PREFECT_HOME=str(home / "prefect-client"),
        PREFECT_API_URL=api,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        KOEREPLAN_DATABASE_URL=f"sqlite:///{home}/koereplan.db",
        KOEREPLAN_INBOX=str(home / "inbox"),
        KOEREPLAN_APPRISE_CONFIG=str(home / "apprise.yaml"),
    )
    if auth is not None:
        env["PREFECT_API_AUTH_STRING"] = auth
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(RECEPTION_PATH), str(home / "inbox")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_reception_path_runs_against_a_server_that_requires_the_auth_string(
    server_with_auth: str, webhooks: WebhookSink, tmp_path: Path
) -> None:
    anonymous = httpx.post(f"{server_with_auth}/flows/filter", json={}, timeout=10)
    assert anonymous.status_code == 401

    refused = run_reception_path(server_with_auth, tmp_path / "uden", webhooks, auth=None)
    assert refused.returncode != 0
    assert "401" in refused.stderr

    result = run_reception_path(server_with_auth, tmp_path / "med", webhooks, auth=AUTH)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "'started': 1" in result.stdout
