"""A database error during an intake run reaches Prefect (logs, states, its database) nameless."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.logging.handlers import APILogWorker
from prefect.runner import Runner
from prefect.settings import get_current_settings
from sqlalchemy import text

from flows.intake import intake
from services.runtime import get_runtime
from tests.integration.received import notices, personal_data


def prefect_database_bytes() -> bytes:
    """The Prefect server's SQLite database (and its WAL), as stored on disk."""
    url = get_current_settings().server.database.connection_url
    raw = url.get_secret_value() if url is not None else ""
    path = Path(raw.split("///", 1)[1])
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def everything_prefect_knows(flow_run_id: UUID) -> list[str]:
    """Log lines and state messages of the run and its task runs."""
    APILogWorker.drain_all(timeout=15)
    with get_client(sync_client=True) as client:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
        )
        run = client.read_flow_run(flow_run_id)
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    states = [run.state, *(task.state for task in tasks)]
    return [log.message for log in logs] + [s.message or "" for s in states if s is not None]


def test_a_database_error_in_intake_reaches_prefect_without_names(
    runner: Runner, koereplan_env: Path, tmp_path: Path
) -> None:
    engine = get_runtime().engine
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TRIGGER injected_fault BEFORE INSERT ON members "
                "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
            )
        )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "familie.json").write_bytes(notices()["familie.json"])
    try:
        state = intake(inbox=str(inbox), start=False, return_state=True)
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TRIGGER injected_fault"))

    told = everything_prefect_knows(state.state_details.flow_run_id)  # type: ignore[arg-type]
    joined = "\n".join(told)
    assert told  # the run is recorded (the file itself is put back or quarantined, §1)
    assert sorted(n for n in personal_data() if n in joined) == []
    stored = prefect_database_bytes()
    assert sorted(n for n in personal_data() if n.encode() in stored) == []
