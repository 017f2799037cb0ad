"""End to end on a real Prefect server: notice file in, a waiting run, a UI answer, messages."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.objects import StateType
from prefect.runner import Runner
from prefect.settings import PREFECT_API_URL, get_current_settings
from sqlmodel import select

from devtools.local_prefect import flow_run_processes
from devtools.sinks import MailSink, WebhookSink
from flows.intake import intake
from models.db import session
from models.tables import Case, Step
from services.runtime import get_runtime
from tests.e2e.waiting import suspended_at, wait_for_state

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CPR = "140298-1234"
PERSONAL = [
    CPR,
    CPR.replace("-", ""),
    "Yonas",
    "Tesfay",
    "1998-02-14",
    "Rami",
    "Haddad",
    "1985-06-30",
    "Samira",
    "1956-11-02",
]


def case_for(notice_id: str) -> Case:
    with session(get_runtime().engine) as db:
        return db.exec(select(Case).where(Case.notice_id == notice_id)).one()


def artifact_table(key: str) -> str:
    """The run's checklist as a person reads it: one artifact, updated in place; cells joined."""
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
        )
    assert len(artifacts) == 1, [a.description for a in artifacts]
    return str(artifacts[0].data).replace("<br>", " ")


def form_choices(flow_run_id: object) -> list[str]:
    """The drop-down the UI shows: the enum of `trin` in the run's input schema."""
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)  # type: ignore[arg-type]
        keyset = run.state.state_details.run_input_keyset  # type: ignore[union-attr]
        schema = client.read_flow_run_input(flow_run_id, keyset["schema"])  # type: ignore[arg-type,index]
    trin = json.loads(schema)["properties"]["trin"]
    options = trin.get("anyOf", [trin])
    return [value for option in options for value in option.get("enum", [])]


def send_like_the_ui(flow_run_id: object, run_input: dict) -> None:
    """POST /flow_runs/{id}/resume with {"run_input": …}: the call the UI's form makes.

    The test server's SQLite answers 503 when it is busy; the coordinator (and Prefect's own
    client) simply tries again, so the test does too, a few times.
    """
    for _ in range(5):
        response = httpx.post(
            f"{PREFECT_API_URL.value()}/flow_runs/{flow_run_id}/resume",
            json={"run_input": run_input},
            timeout=30,
        )
        if response.status_code != 503:
            break
        time.sleep(1)
    response.raise_for_status()
    assert response.json()["status"] == "ACCEPT", response.text


def test_a_notice_becomes_a_waiting_run_and_a_ui_answer_moves_the_case_on(
    runner: Runner, koereplan_env: Path, webhooks: WebhookSink, mailbox: MailSink
) -> None:
    inbox = koereplan_env / "inbox"
    inbox.mkdir(exist_ok=True)
    notice = json.loads((EXAMPLES / "enlig-voksen.json").read_text())
    notice["members"][0]["cpr"] = CPR  # so the privacy check below has a CPR number to look for
    (inbox / "enlig-voksen.json").write_text(json.dumps(notice))

    assert intake() == {"accepted": 1, "started": 1}
    assert (inbox / "processed" / "enlig-voksen.json").exists()

    case = case_for("UST-2026-100231")
    run = wait_for_state(case.flow_run_id, suspended_at("svar-0"))
    assert run.name == f"modtagelse-{case.ref}"
    assert run.parameters == {"case_ref": case.ref}
    assert "opholdstilladelse" in run.tags

    table = artifact_table(f"koereplan-{case.ref.lower()}")
    assert "Bolig fundet og indbo bestilt" in table and "Integrationskontrakt" in table
    assert "Cpr-nr. bestilt" not in table  # the notice carried a CPR number

    told = {path.rsplit("/", 1)[1] for path in webhooks.paths}
    assert {"socialcenter-integration", "jobcenter-integration", "by-landskab"} <= told
    assert "renovation" not in told  # its step waits for the housing step
    assert any("modtagelse@sandholm.example" in r for rs in mailbox.recipients for r in rs)

    choices = form_choices(case.flow_run_id)
    housing = next(label for label in choices if label.startswith("Bolig fundet"))
    before = len(webhooks.requests)
    send_like_the_ui(case.flow_run_id, {"trin": housing, "handling": "udført", "initialer": "KT"})
    wait_for_state(case.flow_run_id, suspended_at("svar-1"))

    with session(get_runtime().engine) as db:
        steps = {s.key: s for s in db.exec(select(Step).where(Step.case_id == case.id)).all()}
    assert (steps["bolig_indbo"].status, steps["bolig_indbo"].done_by) == ("done", "KT")
    assert steps["affald"].status == "open"
    new = list(zip(webhooks.paths[before:], webhooks.requests[before:], strict=True))
    told_about_waste = sorted(path for path, body in new if "Affald bortskaffet" in str(body))
    assert told_about_waste == ["/hooks/renovation", "/hooks/socialcenter-integration"]
    assert housing not in form_choices(case.flow_run_id)
    assert "udført" in artifact_table(f"koereplan-{case.ref.lower()}")

    # Privacy: nothing personal in Prefect's database or results, nor in any message.
    url = get_current_settings().server.database.connection_url
    assert url is not None
    prefect_db = Path(url.get_secret_value().split("///")[-1])
    assert prefect_db.exists()
    stored = b"".join(p.read_bytes() for p in prefect_db.parent.glob(prefect_db.name + "*"))
    home = Path(get_current_settings().home)
    stored += b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    received = str(webhooks.requests) + "".join(str(m) for m in mailbox.messages)
    for personal in PERSONAL:
        assert personal.encode() not in stored, personal
        assert personal not in received, personal


def test_fifty_waiting_households_hold_no_process(runner: Runner, koereplan_env: Path) -> None:
    inbox = koereplan_env / "inbox"
    inbox.mkdir(exist_ok=True)
    sample = json.loads((EXAMPLES / "enlig-voksen.json").read_text())
    for n in range(50):
        sample["notice_id"] = f"UST-BULK-{n:03d}"
        (inbox / f"bulk-{n:03d}.json").write_text(json.dumps(sample))
    # The busy test server may answer 503: each start is asked again, so the count holds.
    assert intake() == {"accepted": 50, "started": 50}
    with session(get_runtime().engine) as db:
        runs = [
            c.flow_run_id for c in db.exec(select(Case)).all() if c.notice_id.startswith("UST-BULK")
        ]
    assert len(runs) == 50 and all(runs)
    for run_id in runs:
        wait_for_state(run_id, lambda s: s.type == StateType.PAUSED, timeout=300)
    # A run's process exits about a second after the run suspends (heartbeat thread join).
    deadline = time.monotonic() + 60
    while (engines := flow_run_processes()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert engines == []
    assert not runner._flow_run_process_map


def test_a_quota_household_waits_for_its_cpr_registration_recorded_in_the_ui(
    runner: Runner, koereplan_env: Path, webhooks: WebhookSink
) -> None:
    inbox = koereplan_env / "inbox"
    inbox.mkdir(exist_ok=True)
    notice = json.loads((EXAMPLES / "enlig-voksen.json").read_text())
    notice.update(notice_id="UST-2026-KVOTE-1", legal_basis="kvote")
    (inbox / "kvote.json").write_text(json.dumps(notice))
    assert intake() == {"accepted": 1, "started": 1}

    case = case_for("UST-2026-KVOTE-1")
    assert (case.takeover_date, case.takeover_basis) == (None, "cpr_registration")
    wait_for_state(case.flow_run_id, suspended_at("svar-0"))
    artifact = f"koereplan-{case.ref.lower()}"
    table = artifact_table(artifact)
    assert "venter på registrering i CPR" in table
    choices = form_choices(case.flow_run_id)
    registration = next(c for c in choices if c.startswith("Registreret i CPR som tilflyttet"))

    before = len(webhooks.requests)
    send_like_the_ui(
        case.flow_run_id,
        {
            "trin": registration,
            "handling": "udført",
            "initialer": "KT",
            "registreringsdato_cpr": "2026-11-24",
        },
    )
    wait_for_state(case.flow_run_id, suspended_at("svar-1"))

    with session(get_runtime().engine) as db:
        stored = db.exec(select(Case).where(Case.id == case.id)).one()
        steps = {s.key: s for s in db.exec(select(Step).where(Step.case_id == case.id)).all()}
    assert (stored.takeover_date.isoformat(), stored.takeover_basis) == (  # type: ignore[union-attr]
        "2026-11-24",
        "cpr_registration",
    )
    assert steps["cpr_tilflyttet"].done_by == "KT"
    contract = steps["integrationskontrakt"]
    assert (contract.status, contract.due.isoformat()) == ("open", "2026-12-24")  # type: ignore[union-attr]
    new = list(zip(webhooks.paths[before:], webhooks.requests[before:], strict=True))
    told = [path for path, body in new if "Integrationskontrakt" in str(body)]
    assert told == ["/hooks/jobcenter-integration"]  # one message for the department
    assert "venter på registrering i CPR" not in artifact_table(artifact)
