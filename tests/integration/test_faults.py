"""Faults during a monitor run: a mail server that is down, processes killed mid-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from devtools.sinks import WebhookSink, free_port, mail_sink
from models.columns import utcnow
from models.db import session
from models.tables import AuditEntry, OutboxMessage
from services.dispatch import dispatch
from services.monitor import monitor
from tests.integration.received import (
    DEFINITION,
    mail_recipients,
    personal_data_in,
    real_sender,
    receive_cases,
)

REPO = Path(__file__).resolve().parents[2]
TUE_1_DEC = date(2026, 12, 1)
LATER = timedelta(minutes=11)  # past the first retry backoff and a stale claim


def statuses(engine: Engine, message_type: str | None = None) -> Counter[str]:
    """Outbox rows of the monitor (reminders and escalations) by delivery status."""
    kinds = [message_type] if message_type else ["reminder", "escalation"]
    with session(engine) as db:
        rows = db.exec(select(OutboxMessage).where(OutboxMessage.message_type.in_(kinds))).all()
    return Counter(row.status for row in rows)


def start_and_kill(db_url: str, script: str, *args: str) -> int:
    """Run `script` in a child process, wait for it to say `ready`, SIGKILL it; its pid."""
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), db_url, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return child.pid


MONITOR_THEN_HANG = """
    import sys, time
    from datetime import date
    from koereplan.definition_file import load_definition
    from koereplan.paths import CONFIG_DIR
    from models.db import make_engine
    from services.monitor import monitor

    engine = make_engine(sys.argv[1])
    definition = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
    monitor(engine, definition, today=date(2026, 12, 1), within_wd=3, every_wd=5)
    print("ready", flush=True)  # committed; the send that would follow never happens
    time.sleep(600)
"""

CLAIM_THEN_HANG = """
    import sys, time
    from models.db import make_engine
    from services.dispatch import claim

    rows = claim(make_engine(sys.argv[1]), worker="doomed")
    assert rows, "nothing to claim"
    print("ready", flush=True)  # rows are `sending`; the process dies before it sends
    time.sleep(600)
"""


def test_digests_wait_while_the_mail_server_is_down_and_go_out_once_when_it_is_back(
    engine: Engine, tmp_path: Path, http_receiver: WebhookSink
) -> None:
    receive_cases(engine, "familie.json", "enlig-voksen.json")
    port = free_port()  # nothing listens here yet: the mail server is down
    sender = real_sender(tmp_path, port, http_receiver)
    monitor(engine, DEFINITION, today=TUE_1_DEC, within_wd=3, every_wd=5)
    down = dispatch(engine, sender, DEFINITION)
    assert (down.messages, down.retried, down.failed) == (1, 2, 0)  # the webhook still works
    assert statuses(engine, "escalation") == {"pending": 2}
    assert http_receiver.paths == ["/hooks/socialcenter-integration"]
    with mail_sink(port) as smtp:
        assert dispatch(engine, sender, DEFINITION).messages == 0  # not before the backoff
        back = dispatch(engine, sender, DEFINITION, now=utcnow() + LATER)
        again = dispatch(engine, sender, DEFINITION, now=utcnow() + 2 * LATER)
        assert (back.messages, again.messages) == (2, 0)
        assert mail_recipients(smtp) == ["familie-beskaeftigelse", "koordinator"]
        assert statuses(engine) == {"sent": 3}
        assert http_receiver.paths == ["/hooks/socialcenter-integration"]
        assert personal_data_in(smtp, http_receiver) == []


def test_a_monitor_killed_between_commit_and_send_loses_and_doubles_nothing(
    engine: Engine, db_url: str, tmp_path: Path, http_receiver: WebhookSink
) -> None:
    receive_cases(engine, "familie.json", "enlig-voksen.json")
    start_and_kill(db_url, MONITOR_THEN_HANG)
    assert statuses(engine) == {"pending": 3}
    with mail_sink() as smtp:
        sender = real_sender(tmp_path, smtp.port, http_receiver)
        report = monitor(engine, DEFINITION, today=TUE_1_DEC, within_wd=3, every_wd=5)
        assert (report.reminded, report.escalated) == (0, 0)  # the killed run's work stands
        first = dispatch(engine, sender, DEFINITION)
        second = dispatch(engine, sender, DEFINITION, now=utcnow() + LATER)
        assert (first.messages, second.messages) == (3, 0)
        assert mail_recipients(smtp) == ["familie-beskaeftigelse", "koordinator"]
        assert http_receiver.paths == ["/hooks/socialcenter-integration"]
        assert personal_data_in(smtp, http_receiver) == []


def test_a_dispatcher_killed_while_sending_is_taken_over_once_its_claim_is_stale(
    engine: Engine, db_url: str, tmp_path: Path, http_receiver: WebhookSink
) -> None:
    receive_cases(engine, "familie.json", "enlig-voksen.json")
    monitor(engine, DEFINITION, today=TUE_1_DEC, within_wd=3, every_wd=5)
    start_and_kill(db_url, CLAIM_THEN_HANG)
    assert statuses(engine) == {"sending": 3}
    with mail_sink() as smtp:
        sender = real_sender(tmp_path, smtp.port, http_receiver)
        assert dispatch(engine, sender, DEFINITION).messages == 0  # the claim is still fresh
        taken_over = dispatch(engine, sender, DEFINITION, now=utcnow() + LATER)
        after = dispatch(engine, sender, DEFINITION, now=utcnow() + 2 * LATER)
        assert (taken_over.messages, after.messages) == (3, 0)
        assert mail_recipients(smtp) == ["familie-beskaeftigelse", "koordinator"]
        assert http_receiver.paths == ["/hooks/socialcenter-integration"]
        assert statuses(engine) == {"sent": 3}


def test_two_monitors_started_at_once_write_each_digest_once(engine: Engine) -> None:
    receive_cases(engine, "familie.json", "enlig-voksen.json")
    start = threading.Barrier(4)

    def run_monitor() -> int:
        start.wait()
        report = monitor(engine, DEFINITION, today=TUE_1_DEC, within_wd=3, every_wd=5)
        return report.reminder_messages + report.escalation_messages

    with ThreadPoolExecutor(4) as pool:
        written = sorted(pool.map(lambda _: run_monitor(), range(4)))
    assert written == [0, 0, 0, 3]
    assert statuses(engine) == {"pending": 3}
    with session(engine) as db:
        audit = db.exec(select(AuditEntry).where(AuditEntry.who == "deadline-monitor")).all()
    assert len(audit) == 19  # 17 reminders and 2 escalations, each recorded once
