"""Shared helpers for the benchmarks: a private environment, synthetic notices, sinks, RSS.

Prefect is imported lazily (inside functions) so that `private_env()` sets PREFECT_HOME and
the analytics switches before Prefect reads its settings.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

LANGUAGES = ("ar", "ti", "uk", "fa", "prs", "so", "ku", "ps")
CENTRES = (
    ("Center Sandholm", "modtagelse@sandholm.example"),
    ("Center Kongelunden", "kontor@kongelunden.example"),
    ("Center Jelling", "info@jelling.example"),
    ("Center Tønder", "post@toender.example"),
)
# Household shapes of new residence permits, by weight (reunifications are added separately).
SHAPES = (("single", 45), ("couple", 15), ("family", 40))
REUNIFICATION_SHARE = 0.10


def private_env(prefix: str) -> Path:
    """A fresh temp home; Prefect's home, analytics and tracking switched to private/off."""
    home = Path(tempfile.mkdtemp(prefix=f"koereplan-{prefix}-"))
    os.environ.update(
        PREFECT_HOME=str(home / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_LOGGING_LEVEL=os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
    )
    os.environ.pop("PREFECT_API_URL", None)
    return home


def load_average() -> str:
    """`uptime`'s load averages, to print beside every figure."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


class CpuMeter:
    """Machine-wide CPU use since the meter started (all cores; from /proc/stat via psutil)."""

    def __init__(self) -> None:
        import psutil

        self._start = psutil.cpu_times()
        self.cores = psutil.cpu_count() or 1

    def utilisation(self) -> str:
        """`81 % of 2 cores (user 70 %, system 11 %)` since the start."""
        import psutil

        now = psutil.cpu_times()
        spent = {f: getattr(now, f) - getattr(self._start, f) for f in now._fields}
        total = sum(spent.values()) or 1.0
        idle = spent.get("idle", 0.0) + spent.get("iowait", 0.0)
        user, system = (100 * spent[f] / total for f in ("user", "system"))
        return (
            f"{100 * (1 - idle / total):.0f} % of {self.cores} cores "
            f"(user {user:.0f} %, system {system:.0f} %)"
        )


@contextmanager
def cpu_meter() -> Iterator[CpuMeter]:
    """Measure the machine's CPU utilisation over a block: print it beside every figure."""
    yield CpuMeter()


def peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tree_rss_mib(pid: int) -> tuple[float, int]:
    """RSS of a process and all its descendants (MiB), and the number of descendants."""
    import psutil

    proc = psutil.Process(pid)
    procs = [proc, *proc.children(recursive=True)]
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20, len(procs) - 1


# --- synthetic notices ---------------------------------------------------------------------


def _birth(rng: random.Random, today: date, low: int, high: int) -> str:
    """A birth date giving an age in [low, high] years today."""
    days = rng.randint(low * 365 + 1, high * 365 + 300)
    return (today - timedelta(days=days)).isoformat()


def _member(rng: random.Random, pid: str, role: str, born: str, **flags: bool) -> dict[str, Any]:
    family = rng.choice(("Haddad", "Tesfay", "Ahmadi", "Kovalenko", "Hussein", "Mohamed"))
    given = rng.choice(("Rami", "Lina", "Omar", "Maya", "Yonas", "Selam", "Olena", "Abel"))
    member: dict[str, Any] = {
        "person_id": pid,
        "role": role,
        "given_name": given,
        "family_name": family,
        "birth_date": born,
    }
    member.update({k: v for k, v in flags.items() if v})
    return member


def _children(rng: random.Random, n: int, today: date, prefix: str, start: int) -> list[dict]:
    # Ages spread over health visitors (0-1), day care (1-5), school (6-16) and youth (17).
    bands = ((0, 0), (1, 2), (3, 5), (6, 9), (10, 13), (14, 16), (17, 17))
    kids = []
    for i in range(n):
        low, high = rng.choice(bands)
        kids.append(
            _member(
                rng,
                f"{prefix}-{start + i}",
                "barn",
                _birth(rng, today, low, high),
                special_needs=rng.random() < 0.05,
            )
        )
    return kids


def make_notices(n: int, seed: int = 2026, today: date | None = None) -> list[dict[str, Any]]:
    """`n` valid notices: a seeded mix of singles, couples, families and reunifications.

    Every reunification references an earlier notice of the list (never another reunification),
    so the files, named in list order, arrive after what they reference.
    """
    rng = random.Random(seed)
    today = today or date.today()
    notices: list[dict[str, Any]] = []
    households: list[str] = []
    weights = [w for _, w in SHAPES]
    shapes = [s for s, _ in SHAPES]
    for i in range(n):
        notice_id = f"BENCH-{seed}-{i:06d}"
        pid = f"P-{seed}-{i:06d}"
        issued = datetime.now(UTC) - timedelta(
            days=rng.randint(0, 27), hours=rng.randint(0, 20), minutes=rng.randint(0, 59)
        )
        notice: dict[str, Any] = {
            "schema_version": 1,
            "notice_id": notice_id,
            "issued_at": issued.isoformat(timespec="seconds"),
            "municipality_code": rng.choice(("851", "0851")),
        }
        reunify = households and rng.random() < REUNIFICATION_SHARE
        if reunify:
            notice["kind"] = "familiesammenfoering"
            notice["reference_notice_id"] = rng.choice(households)
            members = []
            if rng.random() < 0.7:
                members.append(
                    _member(
                        rng,
                        f"{pid}-1",
                        "aegtefaelle",
                        _birth(rng, today, 20, 45),
                        self_supporting=rng.random() < 0.5,
                    )
                )
            members += _children(rng, rng.randint(0 if members else 1, 3), today, pid, 2)
        else:
            notice["kind"] = "opholdstilladelse"
            shape = rng.choices(shapes, weights)[0]
            members = [
                _member(
                    rng,
                    f"{pid}-1",
                    "hovedperson",
                    _birth(rng, today, 18, 60),
                    formal_education=rng.random() < 0.3,
                    special_needs=rng.random() < 0.08,
                )
            ]
            if shape in ("couple", "family") and rng.random() < (1 if shape == "couple" else 0.8):
                members.append(
                    _member(
                        rng,
                        f"{pid}-2",
                        "aegtefaelle",
                        _birth(rng, today, 18, 55),
                        formal_education=rng.random() < 0.3,
                    )
                )
            if shape == "family":
                members += _children(rng, rng.randint(1, 5), today, pid, 3)
                if rng.random() < 0.1:
                    members.append(
                        _member(
                            rng, f"{pid}-9", "anden", _birth(rng, today, 60, 80), special_needs=True
                        )
                    )
            households.append(notice_id)
        notice["members"] = members
        if rng.random() < 0.5:
            notice_day = issued.date()
            notice["expected_arrival"] = (
                notice_day + timedelta(days=rng.randint(7, 60))
            ).isoformat()
        if rng.random() < 0.6:
            name, mail = rng.choice(CENTRES)
            notice["asylum_centre"] = {"name": name, "email": mail}
        if rng.random() < 0.8:
            notice["interpreter_language"] = rng.choice(LANGUAGES)
        notices.append(notice)
    return notices


def write_notices(inbox: Path, notices: list[dict[str, Any]]) -> list[Path]:
    """One file per notice, named so that the inbox's name order is the list order."""
    inbox.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, notice in enumerate(notices):
        path = inbox / f"{i:06d}-{notice['notice_id']}.json"
        # Written as .part then renamed, the way a drop should deliver files.
        part = path.with_name(path.name + ".part")
        part.write_text(json.dumps(notice, ensure_ascii=False, indent=1))
        os.rename(part, path)
        paths.append(path)
    return paths


# --- the system's surroundings -------------------------------------------------------------


@dataclass
class Surroundings:
    """A temp home with the Køreplan settings applied, the sinks and the Prefect API."""

    home: Path
    api_url: str
    webhooks: Any  # devtools.sinks.WebhookSink
    mailbox: Any  # devtools.sinks.MailSink
    env: dict[str, str]


DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"  # this machine's


def fresh_postgres(admin_url: str, name: str, template: str | None = None) -> str:
    """(Re)create an empty database, or a copy of `template`, and return its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        copy = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres(admin_url: str, *names: str) -> None:
    """Remove the benchmark databases again."""
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def surroundings(
    home: Path, *, prefect_postgres: bool = False, app_postgres: bool = False
) -> Iterator[Surroundings]:
    """Sinks, a Prefect server and settings: every department to the webhook, centres to mail.

    `prefect_postgres`: the Prefect server keeps its state in a fresh PostgreSQL database
    (`koereplan_bench_prefect`) instead of SQLite under PREFECT_HOME; `app_postgres`: the
    Køreplan database is `koereplan_bench_app` on PostgreSQL. Both are dropped at the end.
    """
    from devtools.local_prefect import local_prefect_server
    from devtools.sinks import mail_sink, routing_to, webhook_sink
    from koereplan.definition_file import load_definition
    from koereplan.paths import CONFIG_DIR
    from services.runtime import use_settings

    (home / "inbox").mkdir(parents=True, exist_ok=True)
    from sqlalchemy.engine import make_url

    databases = []
    if prefect_postgres:
        databases.append("koereplan_bench_prefect")
        prefect_db = make_url(fresh_postgres(DEFAULT_POSTGRES, databases[-1]))
        os.environ["PREFECT_API_DATABASE_CONNECTION_URL"] = prefect_db.set(
            drivername="postgresql+asyncpg"
        ).render_as_string(hide_password=False)
    app_url = f"sqlite:///{home}/koereplan.db"
    if app_postgres:
        databases.append("koereplan_bench_app")
        app_url = fresh_postgres(DEFAULT_POSTGRES, databases[-1])
    try:
        with webhook_sink() as webhooks, mail_sink() as mailbox, local_prefect_server() as api:
            routing = home / "apprise.yaml"
            routing.write_text(
                routing_to(webhooks, load_definition(CONFIG_DIR / "koereplan.aalborg.yaml"))
            )
            env = {
                "KOEREPLAN_DATABASE_URL": app_url,
                "KOEREPLAN_INBOX": str(home / "inbox"),
                "KOEREPLAN_INBOX_SETTLE_SECONDS": "0",  # notices are written whole first
                "KOEREPLAN_APPRISE_CONFIG": str(routing),
                "KOEREPLAN_ASYLUM_MAIL_URL": mailbox.base_url,
                "PREFECT_UI_URL": api.removesuffix("/api"),
            }
            use_settings(**env)
            yield Surroundings(home, api, webhooks, mailbox, env)
    finally:
        os.environ.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)
        if databases:
            drop_postgres(DEFAULT_POSTGRES, *databases)


def stored_cases() -> int:
    """Cases in the Køreplan database of the current settings."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from models.db import session
    from models.tables import Case
    from services.runtime import get_runtime

    with session(get_runtime().engine) as db:
        return db.exec(select(func.count(col(Case.id)))).one()


def unsent_first_messages() -> int:
    """`case_created` outbox rows not yet sent: the first messages still owed."""
    from sqlalchemy import func
    from sqlmodel import col, select

    from models.db import session
    from models.tables import OutboxMessage
    from services.runtime import get_runtime

    with session(get_runtime().engine) as db:
        return db.exec(
            select(func.count(col(OutboxMessage.id))).where(
                OutboxMessage.message_type == "case_created", OutboxMessage.status != "sent"
            )
        ).one()


def count_runs(deployment: str, types: list[Any]) -> int:
    """Flow runs of a deployment (by its name) in any of the state types."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )

    with get_client(sync_client=True) as client:
        return client.count_flow_runs(
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=types))
            ),
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[deployment])),
        )


def wait_until(check: Any, timeout: float, every: float = 0.2, what: str = "condition") -> float:
    """Poll `check()` until true; the seconds it took. TimeoutError after `timeout`."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"{what} not reached within {timeout:.0f} s")
        time.sleep(every)
    return time.monotonic() - start


# --- koereplan serve as a subprocess, and what the runs' state histories say ---------------


def deployments_ready(names: tuple[str, ...] = ("intake/intake", "reception/reception")) -> bool:
    """True when the server knows every deployment in `names` (serve has registered them)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            for name in names:
                client.read_deployment_by_name(name)
        except ObjectNotFound:
            return False
    return True


def stop_process(proc: Any) -> None:
    """Ctrl-C, then SIGTERM after 20 s, SIGKILL after 10 more (a subprocess.Popen)."""
    import signal
    import subprocess

    for sig, wait in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def serve_subprocess(
    sink: Surroundings, args: list[str], env: dict[str, str] | None = None
) -> Iterator[Any]:
    """`koereplan serve ARGS` against the sink's server, its output in `<home>/serve.log`.

    Yields once its deployments are registered; stopped (Ctrl-C first) on exit.
    """
    import subprocess

    full_env = {**os.environ, **sink.env, "PREFECT_API_URL": sink.api_url, **(env or {})}
    with (sink.home / "serve.log").open("ab") as log:
        proc = subprocess.Popen(
            [str(REPO / ".venv/bin/koereplan"), "serve", *args],
            cwd=sink.home,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(deployments_ready, 180, 0.5, "serve's deployments")
            yield proc
        finally:
            stop_process(proc)


def resume_like_the_ui(api_url: str, run_id: Any, run_input: dict[str, Any] | None) -> float:
    """POST /flow_runs/{id}/resume (with `run_input`): the UI's Resume call; its seconds.

    A busy test server answers 503; the UI's user tries again, so this does too.
    """
    import httpx

    body = {"run_input": run_input} if run_input is not None else {}
    start = time.perf_counter()
    for _ in range(10):
        response = httpx.post(f"{api_url}/flow_runs/{run_id}/resume", json=body, timeout=60)
        if response.status_code != 503:
            break
        time.sleep(1)
    response.raise_for_status()
    if response.json()["status"] != "ACCEPT":
        raise RuntimeError(response.text)
    return time.perf_counter() - start


def runs_of(deployment: str) -> list[Any]:
    """Every flow run of a deployment (by its name), oldest first."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    found: list[Any] = []
    with get_client(sync_client=True) as client:
        while True:
            page = client.read_flow_runs(
                deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[deployment])),
                sort=FlowRunSort.EXPECTED_START_TIME_ASC,
                offset=len(found),
                limit=200,
            )
            found += page
            if len(page) < 200:
                return found


def stage_times(run_ids: list[Any], pause_key: str | None = None) -> dict[str, list[float]]:
    """Per run, from its state history: the first SCHEDULED → PENDING (waiting for a runner
    slot and the poll), PENDING → RUNNING (process start and imports), RUNNING → PAUSED
    (`pause_key`, or the first pause; the run's own work), all in seconds.
    """
    from prefect.client.orchestration import get_client

    stages: dict[str, list[float]] = {"slot": [], "start": [], "to_suspended": []}
    with get_client(sync_client=True) as client:
        for run_id in run_ids:
            states = sorted(client.read_flow_run_states(run_id), key=lambda s: s.timestamp)
            paused = next(
                (
                    s
                    for s in states
                    if s.type.value == "PAUSED"
                    and (pause_key is None or s.state_details.pause_key == pause_key)
                ),
                None,
            )
            if paused is None:
                continue
            before = [s for s in states if s.timestamp <= paused.timestamp]
            running = max((s for s in before if s.type.value == "RUNNING"), key=_at)
            pending = max((s for s in before if s.type.value == "PENDING"), key=_at, default=None)
            scheduled = [s for s in before if s.type.value == "SCHEDULED"]
            if pending is not None and scheduled:
                stages["slot"].append(_gap(scheduled[0], pending))
            if pending is not None:
                stages["start"].append(_gap(pending, running))
            stages["to_suspended"].append(_gap(running, paused))
    return stages


def _at(state: Any) -> Any:
    return state.timestamp


def _gap(earlier: Any, later: Any) -> float:
    return (later.timestamp - earlier.timestamp).total_seconds()


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (0.5 = median) by nearest rank; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def describe(values: list[float]) -> str:
    """`p50 1.23 s, p90 2.34 s, max 3.45 s (n=20)`."""
    if not values:
        return "no samples"
    return (
        f"p50 {percentile(values, 0.5):.2f} s, p90 {percentile(values, 0.9):.2f} s, "
        f"max {max(values):.2f} s (n={len(values)})"
    )
