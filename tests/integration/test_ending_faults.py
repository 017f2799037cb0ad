"""A process killed between ending a case and sending its messages: each is delivered once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from devtools.sinks import WebhookSink, mail_sink
from models.columns import utcnow
from services.dispatch import dispatch
from tests.integration.received import (
    DEFINITION,
    mail_recipients,
    personal_data_in,
    real_sender,
    receive_cases,
)
from tests.integration.test_ending import ended_messages
from tests.integration.test_faults import LATER, start_and_kill, statuses

WITHDRAW_THEN_HANG = """
    import json, sys, time
    from koereplan.definition_file import load_definition
    from koereplan.paths import CONFIG_DIR
    from settings import Settings
    from models.db import make_engine
    from services.intake import receive_file

    raw = json.dumps({
        "schema_version": 1, "notice_id": "UST-T-9", "kind": "tilbagekaldelse",
        "issued_at": "2026-11-25T09:00:00+01:00", "municipality_code": "851",
        "reference_notice_id": "UST-2026-100245",
    }).encode()
    definition = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
    result = receive_file(make_engine(sys.argv[1]), definition, Settings(),
                          file_name="tilbage.json", raw=raw)
    assert result.outcome == "withdrawn", result
    print("ready", flush=True)  # committed; the dispatch that would follow never happens
    time.sleep(600)
"""


def test_a_withdrawal_killed_before_dispatch_delivers_every_message_once(
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    http_receiver: WebhookSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receive_cases(engine, "familie.json")  # first messages delivered to a fake sender
    with mail_sink() as smtp:
        monkeypatch.setenv("KOEREPLAN_ASYLUM_MAIL_URL", smtp.base_url)
        start_and_kill(db_url, WITHDRAW_THEN_HANG)
        ended = ended_messages(engine)
        assert statuses(engine, "case_ended") == {"pending": len(ended)}
        sender = real_sender(tmp_path, smtp.port, http_receiver)
        first = dispatch(engine, sender, DEFINITION)
        second = dispatch(engine, sender, DEFINITION, now=utcnow() + LATER)
        assert second.messages == 0 and first.messages >= len(ended)
        assert statuses(engine, "case_ended") == {"sent": len(ended)}
        told = [p.rsplit("/", 1)[1] for p in http_receiver.paths] + mail_recipients(smtp)
        # Each department once; the asylum centre also at its own address from the notice.
        assert sorted(told) == sorted([*ended, "kontor"])
        assert personal_data_in(smtp, http_receiver) == []
