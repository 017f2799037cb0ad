"""`koereplan sinks`: what the local receivers get is kept as files a person can read."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from devtools.kept import MessageFolder
from devtools.sinks import mail_sink, webhook_sink
from notifications.apprise_sender import AppriseSender
from notifications.contexts import CaseCreatedContext, CaseSummary
from notifications.messages import MessageType, render
from notifications.routing import parse_routing

LINK = "http://127.0.0.1:4200/runs/flow-run/3f2c-run"
CASE = CaseSummary("KR-2026-0001", "opholdstilladelse", date(2026, 12, 9), None, "1 voksen",
                   flow_run_url=LINK)  # fmt: skip
MESSAGE = render(MessageType.CASE_CREATED, CaseCreatedContext("Koordinatorer", CASE))


def test_a_mail_and_a_webhook_call_become_numbered_files(tmp_path: Path) -> None:
    keep = MessageFolder(tmp_path / "beskeder")
    with mail_sink(keep=keep) as smtp, webhook_sink(keep=keep) as hooks:
        routing = parse_routing(
            "version: 1\nurls:\n"
            f"  - mailto://127.0.0.1:{smtp.port}?from=k@aalborg.example&to=koordinator@aalborg.example:\n"
            "      - tag: koordinator\n"
            f"  - {hooks.json_url('/hooks/jobcenter-integration')}:\n"
            "      - tag: jobcenter-integration\n"
        )
        sender = AppriseSender(routing)
        sender.send("koordinator", MESSAGE)
        sender.send("jobcenter-integration", MESSAGE)

    files = sorted(p.name for p in (tmp_path / "beskeder").iterdir())
    assert files == ["0001-mail-koordinator.txt", "0002-webhook-jobcenter-integration.json"]
    mail = (tmp_path / "beskeder" / files[0]).read_text()
    assert mail.startswith("Til: koordinator@aalborg.example\n")
    assert "Emne: Ny sag KR-2026-0001" in mail
    assert LINK in mail  # the plain-text part keeps the link's address
    hook = json.loads((tmp_path / "beskeder" / files[1]).read_text())
    assert hook["title"].startswith("Ny sag KR-2026-0001") and LINK in hook["message"]


def test_numbering_continues_after_a_restart(tmp_path: Path) -> None:
    (tmp_path / "0007-webhook-renovation.json").write_text("{}")
    assert MessageFolder(tmp_path).webhook("/hooks/by-landskab", {}).name == (
        "0008-webhook-by-landskab.json"
    )


def test_a_port_in_use_is_a_clear_danish_message(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            app, ["sinks", "--mail-port", str(port), "--folder", str(tmp_path)]
        )
    assert result.exit_code == 1
    assert f"Port {port} på 127.0.0.1 er optaget" in result.output
