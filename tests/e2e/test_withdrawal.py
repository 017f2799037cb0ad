"""End to end on a real Prefect server: a withdrawal or a closing completes the waiting run."""

from __future__ import annotations

import json
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.runner import Runner

from flows.intake import intake
from koereplan.answers import NO_STEP
from koereplan.danish import danish_date
from koereplan.workdays import local_date
from models.db import session
from services.casefile import load_case
from services.ending import reopen_case
from services.runtime import get_runtime
from tasks.intake import start_pending_receptions
from tests.e2e.test_reception import EXAMPLES, artifact_table, case_for, send_like_the_ui
from tests.e2e.waiting import suspended_at, wait_for_state


def withdrawal(reference: str) -> str:
    """A withdrawal notice for the case opened by `reference`, with a reason never sent."""
    return json.dumps(
        {
            "schema_version": 1,
            "notice_id": f"{reference}-T",
            "kind": "tilbagekaldelse",
            "issued_at": "2026-11-25T09:00:00+01:00",
            "municipality_code": "851",
            "reference_notice_id": reference,
            "reason": "Visiteret til Viborg Kommune",
        }
    )


def test_a_withdrawal_dropped_in_the_inbox_completes_the_waiting_run(
    runner: Runner, koereplan_env: Path
) -> None:
    inbox = koereplan_env / "inbox"
    inbox.mkdir(exist_ok=True)
    family = json.loads((EXAMPLES / "familie.json").read_text())
    family["notice_id"] = "UST-2026-100245-W"  # its own household: the e2e database is shared
    (inbox / "familie.json").write_text(json.dumps(family))
    assert intake() == {"accepted": 1, "started": 1}
    case = case_for("UST-2026-100245-W")
    run = wait_for_state(case.flow_run_id, suspended_at("svar-0"))
    assert "status:active" in run.tags

    (inbox / "tilbagekaldelse.json").write_text(withdrawal("UST-2026-100245-W"))
    assert intake() == {"withdrawn": 1, "started": 0}

    run = wait_for_state(case.flow_run_id, lambda s: s.type == StateType.COMPLETED)
    assert run.state is not None
    today = danish_date(local_date())
    assert run.state.result() == (
        f"{case.ref}: sagen er tilbagekaldt {today} (visitering tilbagekaldt)"
    )
    with get_client(sync_client=True) as client:
        tags = client.read_flow_run(run.id).tags
    assert "status:withdrawn" in tags and "status:active" not in tags
    with session(get_runtime().engine) as db:
        stored = load_case(db, case.ref)
    assert stored.case.status == "withdrawn"
    assert all(s.status in ("done", "not_applicable") for s in stored.steps)
    table = artifact_table(f"koereplan-{case.ref.lower()}")
    assert "ikke relevant" in table and "Visiteret til Viborg" not in table


def test_closing_from_the_ui_form_completes_the_run_and_reopening_starts_another(
    runner: Runner, koereplan_env: Path
) -> None:
    inbox = koereplan_env / "inbox"
    inbox.mkdir(exist_ok=True)
    notice = json.loads((EXAMPLES / "familie.json").read_text())
    notice["notice_id"] = "UST-2026-199999"
    (inbox / "familie-2.json").write_text(json.dumps(notice))
    assert intake() == {"accepted": 1, "started": 1}
    case = case_for("UST-2026-199999")
    wait_for_state(case.flow_run_id, suspended_at("svar-0"))

    send_like_the_ui(
        case.flow_run_id,
        {"trin": NO_STEP, "handling": "udført", "initialer": "KT", "luk_sagen": "udrejst"},
    )

    run = wait_for_state(case.flow_run_id, lambda s: s.type == StateType.COMPLETED)
    assert run.state is not None
    assert run.state.result().endswith("(sagen lukket: udrejst)")
    with session(get_runtime().engine) as db:
        reopen_case(db, get_runtime().definition, ref=case.ref, by="KT")
    assert case.ref in start_pending_receptions()
    again = case_for("UST-2026-199999")
    assert again.flow_run_id != case.flow_run_id
    # The closing was answer 0 of the case, so the new run waits for answer 1.
    second = wait_for_state(again.flow_run_id, suspended_at("svar-1"))
    assert second.name == f"modtagelse-{case.ref}-2"
    assert "status:active" in second.tags
