"""End to end: an amendment dropped in the inbox redraws a waiting run's checklist and form."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.runner import Runner
from prefect.settings import get_current_settings

from devtools.sinks import MailSink, WebhookSink
from flows.intake import intake
from tests.e2e.test_reception import EXAMPLES, artifact_table, case_for, form_choices
from tests.e2e.waiting import suspended_at, wait_for_state

BABY = {
    "person_id": "P-80009",
    "role": "barn",
    "given_name": "Nour",
    "family_name": "Haddad",
    "birth_date": "2026-11-20",
}


def artifact_description(key: str) -> str:
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
        )
    latest = max(artifacts, key=lambda a: a.created)  # type: ignore[arg-type, return-value]
    return latest.description or ""


def test_an_amendment_in_the_inbox_changes_the_waiting_checklist_and_form(
    runner: Runner, koereplan_env: Path
) -> None:
    inbox = koereplan_env / "inbox"
    inbox.mkdir(exist_ok=True)
    family = json.loads((EXAMPLES / "familie.json").read_text())
    (inbox / "familie.json").write_text(json.dumps(family))
    assert intake() == {"accepted": 1, "started": 1}
    case = case_for(family["notice_id"])
    wait_for_state(case.flow_run_id, suspended_at("svar-0"), timeout=300)
    key = f"koereplan-{case.ref.lower()}"
    before = form_choices(case.flow_run_id)
    assert any(label.startswith("Hjælp ift. særlige") for label in before)
    assert not any("barn 3" in label for label in before)

    members = [m for m in family["members"] if m["person_id"] != "P-80005"] + [BABY]
    amendment = {
        "schema_version": 1,
        "notice_id": "UST-2026-100245-AE1",
        "kind": "aendring",
        "issued_at": "2026-11-25T09:00:00+01:00",
        "municipality_code": "851",
        "reference_notice_id": family["notice_id"],
        "members": members,
    }
    (inbox / "aendring.json").write_text(json.dumps(amendment))
    assert intake() == {"amended": 1, "started": 0}
    assert (inbox / "processed" / "aendring.json").exists()

    wait_for_state(case.flow_run_id, suspended_at("svar-1"), timeout=300)
    after = form_choices(case.flow_run_id)
    assert not any(label.startswith("Hjælp ift. særlige") for label in after)
    assert any(label.startswith("Cpr-nr. bestilt – barn 3") for label in after)
    table = artifact_table(key)
    assert "barn 3" in table and "ikke relevant" in table
    assert "Ændret" in artifact_description(key)
    assert "Nour" not in table + "".join(after)


def test_documents_beside_a_notice_never_reach_prefect_or_messages(
    runner: Runner, koereplan_env: Path, webhooks: WebhookSink, mailbox: MailSink
) -> None:
    inbox = koereplan_env / "inbox"
    inbox.mkdir(exist_ok=True)
    content = b"Opholdstilladelse for Zainab Qaderi, fortroligt dokumentindhold 7731"
    notice = json.loads((EXAMPLES / "enlig-voksen.json").read_text())
    notice["notice_id"] = "UST-2026-DOK-1"
    notice["members"][0].update(given_name="Zainab", family_name="Qaderi")
    notice["documents"] = [
        {"filename": "tilladelse.pdf", "sha256": hashlib.sha256(content).hexdigest()},
        {"filename": "mangler.pdf", "sha256": "0" * 64},
    ]
    (inbox / "tilladelse.pdf").write_bytes(content)
    (inbox / "dok.json").write_text(json.dumps(notice))
    assert intake() == {"accepted": 1, "started": 1}
    case = case_for("UST-2026-DOK-1")
    wait_for_state(case.flow_run_id, suspended_at("svar-0"), timeout=300)
    filed = koereplan_env / "documents" / case.ref / "tilladelse.pdf"
    assert filed.read_bytes() == content
    assert "dokumenter: 1 af 2 modtaget" in artifact_description(f"koereplan-{case.ref.lower()}")

    url = get_current_settings().server.database.connection_url
    assert url is not None
    prefect_db = Path(url.get_secret_value().split("///")[-1])
    stored = b"".join(p.read_bytes() for p in prefect_db.parent.glob(prefect_db.name + "*"))
    home = Path(get_current_settings().home)
    stored += b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    received = str(webhooks.requests) + "".join(str(m) for m in mailbox.messages)
    for secret in ("Zainab", "Qaderi", "fortroligt dokumentindhold"):
        assert secret.encode() not in stored, secret
        assert secret not in received, secret
