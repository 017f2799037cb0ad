"""Per-address delivery: a retry goes only where it failed; every repeat carries the same key."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlmodel import select

from devtools.sinks import MailSink, WebhookSink, free_port, mail_sink, routing_to
from models.columns import utcnow
from models.db import alembic_config, session
from models.tables import OutboxMessage
from notifications.apprise_sender import AppriseSender
from notifications.routing import Routing, parse_routing
from services.dispatch import dispatch
from services.intake import receive_file
from settings import Settings, get_settings
from tests.integration.received import DEFINITION, notices

REPO = Path(__file__).resolve().parents[2]
LATER = timedelta(minutes=11)  # past the first backoff and a stale claim
MAILED = "jobcenter-integration"  # the department that also has a mail address


def receive(engine: Engine, name: str = "familie.json") -> str:
    result = receive_file(engine, DEFINITION, Settings(), file_name=name, raw=notices()[name])
    assert result.case_ref is not None
    return result.case_ref


def routing(http: WebhookSink, extra: str = "") -> Routing:
    """Every department on the webhook sink, plus `extra` routing lines."""
    return parse_routing(routing_to(http, DEFINITION) + extra, "test.yaml")


def mail_line(port: int, department: str = MAILED) -> str:
    return (
        f"  - mailto://127.0.0.1:{port}?from=koereplan@aalborg.example"
        f"&to=backup@aalborg.example&cto=2:\n      - tag: {department}\n"
    )


def statuses(engine: Engine) -> Counter[str]:
    """Rows by status; the moving notice is left out (these senders have no asylum SMTP)."""
    with session(engine) as db:
        rows = db.exec(select(OutboxMessage).where(OutboxMessage.department != "asylcenter"))
        return Counter(row.status for row in rows.all())


def posts(http: WebhookSink, department: str) -> list[dict]:
    return [r for r, p in zip(http.requests, http.paths, strict=True) if p.endswith(department)]


def test_a_department_with_one_address_down_gets_one_message_on_each(
    engine: Engine, http_receiver: WebhookSink
) -> None:
    receive(engine)
    down = free_port()
    sender = AppriseSender(routing(http_receiver, mail_line(down)))

    first = dispatch(engine, sender, DEFINITION)
    assert len(posts(http_receiver, MAILED)) == 1
    assert first.retried >= 1
    with mail_sink(port=down) as back:
        for _ in range(3):  # the dispatcher runs again and again until the mail server is back
            dispatch(engine, sender, DEFINITION, now=utcnow() + LATER)
        assert len(back.messages) == 1

    assert len(posts(http_receiver, MAILED)) == 1
    assert statuses(engine)["sent"] == sum(statuses(engine).values())
    [mail] = back.messages
    assert mail["Message-ID"] == f"<{posts(http_receiver, MAILED)[0]['idempotency_key']}@koereplan>"


def test_a_webhook_that_answers_after_12_seconds_receives_the_message_once(
    engine: Engine, http_receiver: WebhookSink
) -> None:
    receive(engine, "enlig-voksen.json")
    http_receiver.delay_s = 12.0
    only = "socialcenter-integration"
    sender = AppriseSender(
        parse_routing(
            f"version: 1\nurls:\n  - {http_receiver.json_url('/hooks/' + only)}:\n"
            f"      - tag: {only}\n"
        )
    )

    dispatch(engine, sender, DEFINITION, case_id=None)
    http_receiver.delay_s = 0.0
    dispatch(engine, sender, DEFINITION, now=utcnow() + LATER)

    assert len(posts(http_receiver, only)) == 1
    with session(engine) as db:
        rows = db.exec(select(OutboxMessage).where(OutboxMessage.department == only)).all()
    assert [row.status for row in rows] == ["sent"]


def test_every_webhook_post_and_mail_carries_the_idempotency_key(
    smtp_server: MailSink, http_receiver: WebhookSink
) -> None:
    sender = AppriseSender(routing(http_receiver, mail_line(smtp_server.port)))
    from notifications.messages import RenderedMessage

    sender.send(MAILED, RenderedMessage("Emne", "tekst", "<p>tekst</p>"), key="kr-abc123")

    [body] = http_receiver.requests
    assert body["idempotency_key"] == "kr-abc123"
    assert http_receiver.headers[0]["Idempotency-Key"] == "kr-abc123"
    [mail] = smtp_server.messages
    assert mail.get_all("Message-ID") == ["<kr-abc123@koereplan>"]


def test_a_retry_after_a_failure_carries_the_same_key(
    engine: Engine, http_receiver: WebhookSink
) -> None:
    receive(engine, "enlig-voksen.json")
    sender = AppriseSender(routing(http_receiver))
    http_receiver.status = 500
    dispatch(engine, sender, DEFINITION)
    failed = {
        p: r["idempotency_key"]
        for r, p in zip(http_receiver.requests, http_receiver.paths, strict=True)
    }
    http_receiver.status = 200
    http_receiver.requests.clear()
    http_receiver.paths.clear()

    dispatch(engine, sender, DEFINITION, now=utcnow() + LATER)

    again = {
        p: r["idempotency_key"]
        for r, p in zip(http_receiver.requests, http_receiver.paths, strict=True)
    }
    assert again == failed and len(again) >= 3


KILL_AFTER_SEND = """
    import os, signal, sys
    from koereplan.definition_file import load_definition
    from koereplan.paths import CONFIG_DIR
    from models.db import make_engine
    from notifications.apprise_sender import AppriseSender
    from notifications.routing import load_routing
    from services.dispatch import dispatch

    deliver = AppriseSender._deliver

    def deliver_then_die(self, *args, **kwargs):
        reason = deliver(self, *args, **kwargs)
        if reason is None:  # the receiver has it; the outbox does not know yet
            os.kill(os.getpid(), signal.SIGKILL)
        return reason

    AppriseSender._deliver = deliver_then_die
    definition = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
    dispatch(make_engine(sys.argv[1]), AppriseSender(load_routing(sys.argv[2])), definition)
"""


def test_a_kill_between_send_and_record_resends_with_the_same_key(
    db_url: str, engine: Engine, http_receiver: WebhookSink, tmp_path: Path
) -> None:
    receive(engine)
    routing_file = tmp_path / "apprise.yaml"
    routing_file.write_text(routing_to(http_receiver, DEFINITION))

    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILL_AFTER_SEND), db_url, str(routing_file)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL
    [first] = http_receiver.requests
    [path] = http_receiver.paths
    assert statuses(engine)["sending"] >= 1

    dispatch(engine, AppriseSender(routing(http_receiver)), DEFINITION, now=utcnow() + LATER)

    repeated = [
        r for r, p in zip(http_receiver.requests, http_receiver.paths, strict=True) if p == path
    ]
    assert len(repeated) == 2  # at least once: the window between send and record is real
    assert repeated[1]["idempotency_key"] == first["idempotency_key"]
    assert Counter(http_receiver.paths).most_common(2)[1][1] == 1  # nobody else twice
    assert statuses(engine)["sent"] == sum(statuses(engine).values())


def test_the_outbox_stores_a_reference_not_the_smtp_password(
    engine: Engine, smtp_server: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_url = f"mailto://user:Hemmelig42@127.0.0.1:{smtp_server.port}?from=k@aalborg.example"
    monkeypatch.setenv("KOEREPLAN_ASYLUM_MAIL_URL", secret_url)
    get_settings.cache_clear()
    try:
        receive(engine)
    finally:
        get_settings.cache_clear()

    with session(engine) as db:
        rows = db.exec(select(OutboxMessage)).all()
    [moving] = [row for row in rows if row.message_type == "moving_notice"]
    assert moving.extra_urls == ["asylcenter-mail:kontor@kongelunden.example"]
    assert not [row for row in rows if "Hemmelig42" in repr(row.model_dump())]

    sender = AppriseSender(
        parse_routing("version: 1\nurls: []\n"), asylum_mail_url=smtp_server.base_url
    )
    dispatch(engine, sender, DEFINITION)
    assert smtp_server.recipients == [["kontor@kongelunden.example"]]


BEFORE_OUTBOX_PER_ADDRESS = (
    ScriptDirectory.from_config(alembic_config())
    .get_revision("0006_outbox_per_address")
    .down_revision
)


def test_the_migration_turns_stored_smtp_urls_into_references(engine: Engine) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE_OUTBOX_PER_ADDRESS)
        connection.execute(
            text(
                "INSERT INTO outbox (department, message_type, idempotency_key, context, "
                "extra_urls, step_ids, status, attempts, next_attempt_at, created_at) VALUES "
                "('asylcenter', 'moving_notice', 'k1', '{}', :urls, '[]', 'sent', 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"urls": '["mailto://u:Hemmelig42@smtp.example?from=a@b.example&to=c@d.example"]'},
        )
        command.upgrade(config, "head")

    with session(engine) as db:
        [row] = db.exec(select(OutboxMessage)).all()
    assert row.extra_urls == ["asylcenter-mail:c@d.example"]
    assert row.delivered_to == [] and row.delivery_key is None
