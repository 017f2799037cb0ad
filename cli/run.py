"""`koereplan serve` and `koereplan demo`: the system running, for real and as a showcase.

Prefect, the database and the sinks are imported inside the commands: `koereplan --help`
assembles every command without them.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, require_demo_tools
from cli.render import print_checklist
from koereplan.paths import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"
# Udlændingestyrelsen amends the family's placement after the first answers: a newborn, a later
# arrival. It goes through the inbox like any notice.
DEMO_AMENDMENT = EXAMPLES / "aendringer" / "familie-nyfoedt.json"
DEMO_HOME = Path("data/demo")
DEMO_UI_URL = "http://127.0.0.1:4200"
SERVER_LOG = "prefect-server.log"
# What a coordinator does in the demo: (notice, step title, answer).
DEMO_ANSWERS = (
    ("UST-2026-100231", "Cpr-nr. bestilt", {"handling": "udført", "note": "Bestilt i CPR"}),
    ("UST-2026-100245", "Bolig fundet og indbo bestilt", {"handling": "udført"}),
    (
        "UST-2027-000112",
        "Cpr-nr. bestilt – barn",
        {"handling": "ikke relevant", "begrundelse": "Har allerede cpr-nr."},
    ),
)


# Udlændingestyrelsen withdraws the single adult's placement; the reunification case joining
# it stays active and is flagged to the coordinators.
DEMO_WITHDRAWN = "UST-2026-100231"


def serve(
    limit: Annotated[
        int | None,
        typer.Option(
            help="Kørsler, der udføres ad gangen (ventende tæller ikke); "
            "standard: `koereplan run-limit`."
        ),
    ] = None,
    in_process: Annotated[
        bool,
        typer.Option(
            "--in-process/--process",
            help="Modtagelseskørsler på tråde i denne proces (standard, hurtigst) "
            "eller en proces pr. kørsel og svar.",
        ),
    ] = True,
) -> None:
    """Kør intake, modtagelse og fristovervågning mod det indstillede Prefect-API."""
    from serving.limits import REQUEST_TIMEOUT_SECONDS

    # Before Prefect reads its settings; the runs' processes inherit it. An operator's wins.
    os.environ.setdefault("PREFECT_API_REQUEST_TIMEOUT", str(REQUEST_TIMEOUT_SECONDS))
    from models.private import private_dir
    from services.runtime import get_runtime
    from serving.serve import serve_forever

    runtime = get_runtime()  # settings validated and database migrated before anything runs
    private_dir(runtime.settings.inbox)
    console.print("Køreplan kører. Stop med Ctrl-C.")
    serve_forever(limit=limit, in_process=in_process)


def run_limit() -> None:
    """Hvor mange kørsler én runner eller worker her udfører ad gangen (ud fra kerner og RAM).

    `prefect worker start --pool koereplan --limit "$(koereplan run-limit)"`
    """
    from serving.limits import machine_run_limit

    print(machine_run_limit())


def demo() -> None:
    """Hele systemet på denne maskine: tre beskeder ind, kørsler venter, en koordinator svarer."""
    require_demo_tools("demo")
    from devtools.kept import MessageFolder
    from devtools.sinks import mail_sink, routing_to, webhook_sink
    from koereplan.definition_file import load_definition
    from services.runtime import use_settings
    from settings import get_settings

    started = time.monotonic()
    home = DEMO_HOME.resolve()
    shutil.rmtree(home, ignore_errors=True)
    (home / "inbox").mkdir(parents=True)
    keep = MessageFolder(home / "beskeder")
    with (
        webhook_sink(keep=keep) as webhooks,
        mail_sink(keep=keep) as mailbox,
        _prefect_server(home),
    ):
        definition = load_definition(get_settings().definition)
        (home / "apprise.yaml").write_text(routing_to(webhooks, definition))
        use_settings(
            KOEREPLAN_DATABASE_URL=f"sqlite:///{home}/koereplan.db",
            KOEREPLAN_INBOX=str(home / "inbox"),
            KOEREPLAN_INBOX_SETTLE_SECONDS="0",  # the demo copies whole files in
            KOEREPLAN_DOCUMENTS_DIR=str(home / "documents"),
            KOEREPLAN_APPRISE_CONFIG=str(home / "apprise.yaml"),
            KOEREPLAN_ASYLUM_MAIL_URL=mailbox.base_url,
            # The demo's server goes away with it; its links point where the printed command
            # below serves the same runs afterwards.
            PREFECT_UI_URL=DEMO_UI_URL,
        )
        for notice in sorted(EXAMPLES.glob("*.json")):
            shutil.copy(notice, home / "inbox" / notice.name)
        from devtools.local_prefect import runner_in_thread
        from flows.intake import intake

        with runner_in_thread(poll_seconds=0.5):
            console.print(f"Indbakke: {intake()}")
            runs = _case_runs()
            _wait_all(runs.values(), "svar-0")
            for notice_id, title, answer in DEMO_ANSWERS:
                _answer(runs[notice_id], title, {**answer, "initialer": "DEMO"})
            _wait_all(runs.values(), "svar-1")
            shutil.copy(DEMO_AMENDMENT, home / "inbox" / DEMO_AMENDMENT.name)
            console.print(f"Indbakke med en ændring: {intake()}")
            _wait_all([runs["UST-2026-100245"]], "svar-2")  # the amended run redrew its form
            _withdraw(home / "inbox", DEMO_WITHDRAWN, runs[DEMO_WITHDRAWN])
            from flows.overview import overview

            published = overview()["artifacts"]
            console.print(
                f"Oversigten er publiceret: {published} artefakter "
                "(oversigt, afdeling-<afdeling>, lovfrister)."
            )
        _print_cases()
        told = Counter(path.rsplit("/", 1)[1] for path in webhooks.paths)
        console.print(
            f"\n{sum(told.values())} beskeder til {len(told)} afdelinger (webhook), "
            f"{len(mailbox.messages)} flyttemeddelelser til asylcentre (e-mail)."
        )
    _explain_server_log(home / SERVER_LOG)
    console.print(
        f"Demoen tog {time.monotonic() - started:.0f} s. Data: {DEMO_HOME}/, beskederne i "
        f"{DEMO_HOME}/beskeder/. Se kørslerne i Prefect-UI'et ({DEMO_UI_URL}, som beskedernes "
        f"links peger på): PREFECT_HOME={DEMO_HOME}/prefect .venv/bin/prefect server start"
    )


def _explain_server_log(log: Path) -> None:
    """Say what the Prefect server's log holds instead of printing its tracebacks."""
    text = log.read_text(errors="replace") if log.exists() else ""
    locked = text.count("database is locked")
    if locked:
        console.print(
            f"Prefect-serverens baggrundsopgaver fandt dens SQLite optaget {locked} gang(e) "
            f"('database is locked', mens flere kørsler skrev på én gang); de prøver igen ved "
            f"næste runde, og kørslernes tilstand berøres ikke. Se {DEMO_HOME}/{SERVER_LOG}; "
            f"en Prefect-server med PostgreSQL undgår det."
        )


@contextmanager
def _prefect_server(home: Path) -> Iterator[str]:
    """A local Prefect server for the demo, with its database under the demo folder."""
    from devtools.local_prefect import local_prefect_server
    from services.runtime import use_settings

    use_settings(
        PREFECT_HOME=str(home / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        # Automations are not used; their periodic evaluation was one source of the
        # server's "database is locked" tracebacks on SQLite.
        PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED="false",
    )
    console.print("Starter en lokal Prefect-server …")
    with local_prefect_server(log=home / SERVER_LOG) as api:
        yield api


def _withdraw(inbox: Path, notice_id: str, run_id: str) -> None:
    """Drop a withdrawal notice in the inbox, take it in, and wait for the run to complete."""
    from flows.intake import intake
    from settings import get_settings

    notice = {
        "schema_version": 1,
        "notice_id": f"{notice_id}-T",
        "kind": "tilbagekaldelse",
        "issued_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "municipality_code": get_settings().municipality_code,
        "reference_notice_id": notice_id,
        "reason": "Demo: visiteringen er tilbagekaldt",
    }
    (inbox / "tilbagekaldelse.json").write_text(json.dumps(notice, indent=2))
    console.print(f"Indbakke (tilbagekaldelse af {notice_id}): {intake()}")
    _wait_done(run_id)


def _wait_done(run_id: str, timeout: float = 120) -> None:
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            state = client.read_flow_run(run_id).state  # type: ignore[arg-type]
            if state is not None and state.is_final():
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"flow run {run_id} did not complete")
            time.sleep(0.3)
    console.print(f"Modtagelsesflowet er afsluttet ({state.name}): {state.result()}")


def _case_runs() -> dict[str, str]:
    from models.db import session
    from services.runs import runs_by_notice
    from services.runtime import get_runtime

    with session(get_runtime().engine) as db:
        return runs_by_notice(db)


def _wait_all(run_ids: object, key: str, timeout: float = 120) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import StateType

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        for run_id in list(run_ids):  # type: ignore[call-overload]
            while True:
                state = client.read_flow_run(run_id).state
                if (
                    state
                    and state.type == StateType.PAUSED
                    and state.state_details.pause_key == key
                ):
                    break
                if state and state.type in (StateType.FAILED, StateType.CRASHED):
                    raise RuntimeError(f"flow run {run_id} {state.name}: {state.message}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"flow run {run_id} did not reach {key}")
                time.sleep(0.3)


def _answer(run_id: str, title: str, answer: dict[str, str]) -> None:
    """Answer the run's form the way the UI does: pick the step by its label, resume."""
    from prefect.flow_runs import resume_flow_run

    from koereplan.workdays import local_date
    from models.db import session
    from services.checklist import snapshot
    from services.runs import case_of_run
    from services.runtime import get_runtime

    runtime = get_runtime()
    with session(runtime.engine) as db:
        ref = case_of_run(db, run_id)
        view = snapshot(db, runtime.definition, ref, local_date())
    label = next(c.label for c in view.choices if c.label.startswith(title))
    resume_flow_run(run_id, run_input={"trin": label, **answer})  # type: ignore[arg-type]
    console.print(f"Koordinator i {ref}: {label} → {answer['handling']}")


def _print_cases() -> None:
    from koereplan.workdays import local_date
    from models.db import session
    from services.checklist import snapshot
    from services.runs import case_refs
    from services.runtime import get_runtime

    runtime = get_runtime()
    with session(runtime.engine) as db:
        for ref in case_refs(db):
            view = snapshot(db, runtime.definition, ref, local_date())
            console.print()
            heading = f"Sag {ref} · {view.status_text()} · {view.summary()}"
            print_checklist(console, heading, view.rows)
