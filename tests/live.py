"""The system as the README runs it: `prefect server start`, `koereplan sinks`, `koereplan serve`.

Each is a real process with its own settings, as on a coordinator's machine; the tests drop
notice files and read the database, the Prefect API, the UI and the received messages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from devtools.sinks import free_port, routing_to_port
from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR, REPO_ROOT
from models.db import make_engine, session
from models.tables import Case

BIN = Path(sys.executable).parent


@dataclass
class Stack:
    """The running system: where to drop notices, where messages land, how to reach the API."""

    home: Path
    api_url: str
    ui_url: str
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def received(self) -> Path:
        """Where `koereplan sinks` keeps each message (`NNNN-webhook-<department>.json`)."""
        return self.home / "beskeder"

    def drop(self, example: str, **changes: Any) -> str:
        """Put a sample notice (with changes) into the inbox; its notice id."""
        notice = json.loads((REPO_ROOT / "examples" / example).read_text()) | changes
        staged = self.home / f".{notice['notice_id']}.json"
        staged.write_text(json.dumps(notice))
        staged.rename(self.inbox / f"{notice['notice_id']}.json")  # appears whole
        return str(notice["notice_id"])

    def case(self, notice_id: str, timeout: float = 240) -> Case:
        """The case of a notice once its reception run is started."""
        engine = make_engine(self.env["KOEREPLAN_DATABASE_URL"])
        try:
            return wait_for(lambda: self._case(engine, notice_id), timeout, f"case {notice_id}")
        finally:
            engine.dispose()

    @staticmethod
    def _case(engine: Any, notice_id: str) -> Case | None:
        if not inspect(engine).has_table("cases"):  # `koereplan serve` migrates at start
            return None
        try:
            with session(engine) as db:
                case = db.exec(select(Case).where(Case.notice_id == notice_id)).first()
        except DBAPIError:  # a column of a later migration is not there yet: serve is migrating
            return None
        return case if case is not None and case.flow_run_id else None

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        """One call to the Prefect API, retried while the server is busy (503, slow answer)."""
        for attempt in range(10):
            try:
                response = httpx.request(method, f"{self.api_url}{path}", timeout=60, **kwargs)
            except httpx.TransportError:
                if attempt == 9:
                    raise
                time.sleep(2)
                continue
            if response.status_code != 503:
                break
            time.sleep(1)
        response.raise_for_status()
        return response.json() if response.content else None

    def koereplan(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the CLI as a coordinator would, against this system."""
        return subprocess.run(
            [str(BIN / "koereplan"), *args],
            env=self.env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def messages(self, pattern: str = "*") -> dict[str, str]:
        """Received messages by file name, oldest first."""
        return {p.name: p.read_text() for p in sorted(self.received.glob(pattern))}


def wait_for(probe: Callable[[], Any], timeout: float, what: str, every: float = 0.5) -> Any:
    """Poll `probe` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(every)


def _start(stack: Stack, name: str, *command: str) -> None:
    log = (stack.home / f"{name}.log").open("wb")
    process = subprocess.Popen(
        command, env=stack.env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    stack.processes.append(process)


def _healthy(stack: Stack) -> bool:
    for process in stack.processes:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
    try:
        return httpx.get(f"{stack.api_url}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def live_stack(home: Path, *, intake_every_s: int = 20) -> Iterator[Stack]:
    """Start server, receivers and `koereplan serve` as the README says; stop them on exit."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "inbox").mkdir(exist_ok=True)
    port, mail, hooks = free_port(), free_port(), free_port()
    routing = home / "apprise.yaml"
    routing.write_text(
        routing_to_port(hooks, load_definition(CONFIG_DIR / "koereplan.aalborg.yaml"))
    )
    env = {
        **os.environ,
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_UI_URL": f"http://127.0.0.1:{port}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "KOEREPLAN_DATABASE_URL": f"sqlite:///{home}/koereplan.db",
        "KOEREPLAN_INBOX": str(home / "inbox"),
        "KOEREPLAN_APPRISE_CONFIG": str(routing),
        "KOEREPLAN_ASYLUM_MAIL_URL": f"mailto://127.0.0.1:{mail}?from=koereplan@aalborg.example",
        "KOEREPLAN_INTAKE_EVERY_S": str(intake_every_s),
    }
    stack = Stack(home, env["PREFECT_API_URL"], env["PREFECT_UI_URL"], env)
    try:
        _start(stack, "server", str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
               "--port", str(port))  # fmt: skip
        _start(stack, "sinks", str(BIN / "koereplan"), "sinks", "--mail-port", str(mail),
               "--webhook-port", str(hooks), "--folder", str(stack.received))  # fmt: skip
        wait_for(lambda: _healthy(stack), 240, "the Prefect server", every=1)
        _start(stack, "serve", str(BIN / "koereplan"), "serve")
        yield stack
    finally:
        for process in reversed(stack.processes):
            process.terminate()
        for process in stack.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
