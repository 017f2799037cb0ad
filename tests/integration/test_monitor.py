"""The deadline monitor on a real database, with digests delivered to real SMTP and HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlmodel import select

from devtools.sinks import MailSink, WebhookSink
from models.db import session
from models.tables import AuditEntry, Case, OutboxMessage, Step
from notifications.apprise_sender import AppriseSender
from services.dispatch import DispatchReport
from services.monitor import MonitorReport, remind
from services.monitor_summary import summary_da
from services.steps import mark_step
from tests.integration.received import (
    DEFINITION,
    mail_recipients,
    mail_text,
    mails_to,
    personal_data_in,
    posts_to,
    real_sender,
    receive_cases,
)

TUE_1_DEC = date(2026, 12, 1)


@dataclass
class Receivers:
    """The real SMTP server and HTTP endpoint, and a sender routed to them."""

    smtp: MailSink
    http: WebhookSink
    sender: AppriseSender

    def count(self) -> int:
        return len(self.smtp.messages) + len(self.http.requests)


@pytest.fixture
def receivers(
    tmp_path: Path, smtp_server: MailSink, http_receiver: WebhookSink
) -> Iterator[Receivers]:
    """Real receivers; afterwards, everything they got is searched for personal data."""
    yield Receivers(
        smtp_server, http_receiver, real_sender(tmp_path, smtp_server.port, http_receiver)
    )
    assert personal_data_in(smtp_server, http_receiver) == []


def run(engine: Engine, receivers: Receivers, today: date) -> tuple[MonitorReport, DispatchReport]:
    return remind(engine, DEFINITION, receivers.sender, today=today, within_wd=3, every_wd=5)


@pytest.fixture
def two_cases(engine: Engine) -> list[str]:
    """A family (notice 24 Nov 2026) and a single adult (23 Nov), first messages sent."""
    return receive_cases(engine, "familie.json", "enlig-voksen.json")


def test_each_department_gets_only_its_own_reminders_and_escalations(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    report, sent = run(engine, receivers, TUE_1_DEC)
    assert (report.reminded, report.escalated) == (17, 2)
    assert sent.errors == []
    assert mail_recipients(receivers.smtp) == ["familie-beskaeftigelse", "koordinator"]
    assert mails_to(receivers.smtp, "jobcenter-integration") == []
    assert receivers.http.paths == ["/hooks/socialcenter-integration"]
    [late] = mails_to(receivers.smtp, "familie-beskaeftigelse")
    assert late["subject"] == "Overskredet frist: 2 opgaver i 2 sager"
    text = mail_text(late)
    assert (
        "Boligbehov meldt (husstandens størrelse og ankomstdato) – frist 26. november 2026" in text
    )
    assert "5 dage over" in text and "6 dage over" in text
    [soon] = posts_to(receivers.http, "socialcenter-integration")
    assert soon["title"] == "Påmindelse: 17 opgaver med frist snart (2 sager)"
    assert "Cpr-nr. bestilt (barn 2) – frist 1. december 2026" in soon["message"]


def test_a_digest_gathers_the_steps_of_several_cases_under_each_case_once(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    run(engine, receivers, TUE_1_DEC)
    [soon] = posts_to(receivers.http, "socialcenter-integration")
    body = soon["message"]
    for ref in two_cases:
        assert body.count(f"Sag {ref}") == 1
    [overview] = mails_to(receivers.smtp, "koordinator")
    assert all(f"Sag {ref}" in mail_text(overview) for ref in two_cases)


def test_the_coordinators_see_every_escalation_across_departments(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    report, _ = run(engine, receivers, date(2026, 12, 10))
    assert report.escalated > report.reminded > 0
    [overview] = mails_to(receivers.smtp, "koordinator")
    lines = [
        line
        for line in mail_text(overview).splitlines()
        if line.endswith((" dag over", " dage over"))
    ]
    assert len(lines) == report.escalated
    # The departments responsible get their own share: one over HTTP, one by mail.
    assert receivers.http.paths == ["/hooks/socialcenter-integration"]
    assert len(mails_to(receivers.smtp, "familie-beskaeftigelse")) == 1


def test_a_second_run_the_same_day_sends_and_changes_nothing(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    run(engine, receivers, TUE_1_DEC)
    delivered = receivers.count()
    with session(engine) as db:
        rows, audit = (
            len(db.exec(select(OutboxMessage)).all()),
            len(db.exec(select(AuditEntry)).all()),
        )
    again, sent = run(engine, receivers, TUE_1_DEC)
    assert (again.reminded, again.escalated, sent.messages) == (0, 0, 0)
    assert receivers.count() == delivered
    with session(engine) as db:
        assert len(db.exec(select(OutboxMessage)).all()) == rows
        assert len(db.exec(select(AuditEntry)).all()) == audit


def test_an_escalation_is_repeated_after_five_working_days_and_not_in_between(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    run(engine, receivers, TUE_1_DEC)
    for day in (date(2026, 12, 2), date(2026, 12, 7)):
        run(engine, receivers, day)
    assert len(mails_to(receivers.smtp, "familie-beskaeftigelse")) == 1
    run(engine, receivers, date(2026, 12, 8))  # 1 Dec + 5 working days
    _, second = mails_to(receivers.smtp, "familie-beskaeftigelse")
    assert "(opgjort 8. december 2026)" in mail_text(second)
    assert "Boligbehov meldt" in mail_text(second)


def test_legal_deadlines_are_marked_as_such_in_escalations(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    run(engine, receivers, date(2027, 2, 8))  # the takeover is the law's: 4 Jan 2027
    [late] = mails_to(receivers.smtp, "jobcenter-integration")
    assert late["subject"].endswith("(heraf lovkrav)")
    lines = mail_text(late).splitlines()
    contract = "- Integrationskontrakt udarbejdet og underskrevet (hovedperson)"
    assert f"{contract} – frist 4. februar 2027 (lovkrav), 4 dage over" in lines
    internal = [line for line in lines if line.startswith("- Første møde på Jobcenter")]
    assert internal and not any("lovkrav" in line for line in internal)


def test_steps_marked_done_are_neither_reminded_nor_escalated(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    family, single = two_cases
    with session(engine) as db:
        mark_step(
            db, DEFINITION, ref=family, key="boligbehov", person_id=None, action="done", by="AB"
        )
    run(engine, receivers, TUE_1_DEC)
    [late] = mails_to(receivers.smtp, "familie-beskaeftigelse")
    assert late["subject"] == f"Overskredet frist: 1 opgave i sag {single}"
    assert f"Sag {family}" not in mail_text(late)


def test_a_completed_case_is_left_alone(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    family, single = two_cases
    with session(engine) as db:
        db.execute(update(Case).where(Case.ref == family).values(status="completed"))
    run(engine, receivers, TUE_1_DEC)
    assert receivers.count() == 3
    for text in [mail_text(m) for m in receivers.smtp.messages] + [
        r["message"] for r in receivers.http.requests
    ]:
        assert family not in text and single in text


def test_nothing_is_sent_on_a_saturday_or_on_christmas_eve(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    for day in (date(2026, 12, 5), date(2026, 12, 24)):
        report, _ = run(engine, receivers, day)
        assert report.skipped
    assert receivers.count() == 0


def test_each_reminder_and_escalation_is_in_the_audit_log(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    report, _ = run(engine, receivers, TUE_1_DEC)
    with session(engine) as db:
        entries = db.exec(select(AuditEntry).where(AuditEntry.who == "deadline-monitor")).all()
    actions = sorted(entry.action for entry in entries)
    assert actions == ["escalated"] * report.escalated + ["reminded"] * report.reminded


def test_the_summary_tells_the_coordinator_what_was_found_and_sent(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    report, sent = run(engine, receivers, TUE_1_DEC)
    assert summary_da(report, sent).splitlines() == [
        "Fristovervågning 1. december 2026 (påmindelse ved frist til og med 4. december 2026):",
        "- 17 opgaver fik en påmindelse (1 besked)",
        "- 2 opgaver med overskredet frist blev rykket (2 beskeder)",
        "- Sendt: 3 samlede beskeder",
    ]
    weekend, _ = run(engine, receivers, date(2026, 12, 5))
    assert summary_da(weekend).startswith("5. december 2026 er ikke en arbejdsdag")


def test_a_step_that_comes_due_after_the_morning_run_is_reminded_by_a_later_run_that_day(
    engine: Engine, two_cases: list[str], receivers: Receivers
) -> None:
    family, _ = two_cases
    run(engine, receivers, TUE_1_DEC)
    before = len(posts_to(receivers.http, "sundhed-kultur"))
    with session(engine) as db:
        case_id = db.exec(select(Case.id).where(Case.ref == family)).one()
        db.execute(
            update(Step)
            .where(Step.case_id == case_id, Step.key == "lokalomraade")
            .values(due=date(2026, 12, 3))
        )
    again, _ = run(engine, receivers, TUE_1_DEC)
    assert (before, again.reminded, again.escalated) == (0, 1, 0)
    [soon] = posts_to(receivers.http, "sundhed-kultur")
    assert soon["title"] == f"Påmindelse: 1 opgave med frist snart (sag {family})"
    assert "Introduktion til lokalområdet" in soon["message"]
