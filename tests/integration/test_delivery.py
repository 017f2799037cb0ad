"""Messages reach a real SMTP server and a real HTTP endpoint, or fail fast with a safe reason."""

from __future__ import annotations

import logging
import time
from datetime import date
from typing import TYPE_CHECKING

import pytest

from notifications.apprise_sender import (
    AppriseSender,
    DeliveryError,
    FakeSender,
    asylum_centre_url,
)
from notifications.contexts import MovingNoticeContext, NewStepsContext, StepLine
from notifications.messages import MessageType, RenderedMessage, render
from notifications.routing import Routing, parse_routing

if TYPE_CHECKING:
    from conftest import HttpReceiver, SmtpServer

STEPS = [
    StepLine("UST-2026-100245", "Integrationskontrakt udarbejdet", date(2027, 1, 7), legal=True),
    StepLine("UST-2026-100245", "Første møde på Jobcenter Integration", date(2026, 12, 21)),
]
MESSAGE = render(MessageType.NEW_STEPS, NewStepsContext("Jobcenter Integration, FB", STEPS))


def routing_for(smtp_port: int, http: HttpReceiver | None = None, extra: str = "") -> Routing:
    """Two mail departments on one SMTP server, optionally a json:// department."""
    base = f"mailto://127.0.0.1:{smtp_port}?from=koereplan@aalborg.example&cto=2"
    text = f"""version: 1
urls:
  - {base}&to=jobcenter@aalborg.example:
      - tag: jobcenter-integration
  - {base}&to=renovation@aalborg.example:
      - tag: renovation
"""
    if http is not None:
        text += (
            f"  - {http.json_url('/hooks/socialcenter')}:\n      - tag: socialcenter-integration\n"
        )
    return parse_routing(text + extra, "test.yaml")


def test_a_mail_reaches_only_its_department_with_the_danish_subject(
    smtp_server: SmtpServer,
) -> None:
    sender = AppriseSender(routing_for(smtp_server.port))

    sender.send("jobcenter-integration", MESSAGE)

    [mail] = smtp_server.messages
    assert smtp_server.recipients == [["jobcenter@aalborg.example"]]
    assert mail["To"] == "jobcenter@aalborg.example"
    assert mail["Subject"] == "2 nye opgaver i Køreplan (sag UST-2026-100245)"
    assert smtp_server.senders == ["koereplan@aalborg.example"]


def test_a_mail_carries_the_html_body_and_a_plain_text_alternative(
    smtp_server: SmtpServer,
) -> None:
    AppriseSender(routing_for(smtp_server.port)).send("jobcenter-integration", MESSAGE)

    [mail] = smtp_server.messages
    html = mail.get_body(preferencelist=("html",))
    plain = mail.get_body(preferencelist=("plain",))
    assert html is not None and "<strong>(lovkrav)</strong>" in html.get_content()
    assert plain is not None and "7. januar 2027" in plain.get_content()


def test_one_mail_send_to_a_local_smtp_server_is_quick(
    smtp_server: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    sender = AppriseSender(routing_for(smtp_server.port))
    timings = []
    for department in ["jobcenter-integration", "renovation"] * 3:
        started = time.perf_counter()
        sender.send(department, MESSAGE)
        timings.append(time.perf_counter() - started)

    with capsys.disabled():
        print(f"\nmail send: min {min(timings):.3f} s, max {max(timings):.3f} s")
    assert len(smtp_server.messages) == 6
    assert max(timings) < 2.0  # no 5.5 s throttle: each send uses a fresh Apprise service


def test_a_json_department_gets_one_post_with_title_and_body(
    smtp_server: SmtpServer, http_receiver: HttpReceiver
) -> None:
    sender = AppriseSender(routing_for(smtp_server.port, http_receiver))

    sender.send("socialcenter-integration", MESSAGE)

    [body] = http_receiver.requests
    assert http_receiver.paths == ["/hooks/socialcenter"]
    assert body["title"] == MESSAGE.subject
    assert body["message"] == MESSAGE.text.strip()
    assert "<" not in body["message"]  # chat and webhook receivers get the text, not the HTML
    assert smtp_server.messages == []


def test_a_department_without_a_url_raises_delivery_error(smtp_server: SmtpServer) -> None:
    sender = AppriseSender(routing_for(smtp_server.port))

    with pytest.raises(DeliveryError, match="no address"):
        sender.send("tandpleje", MESSAGE)


def test_an_http_error_from_the_receiver_raises_delivery_error(
    smtp_server: SmtpServer, http_receiver: HttpReceiver
) -> None:
    http_receiver.status = 500
    sender = AppriseSender(routing_for(smtp_server.port, http_receiver))

    with pytest.raises(DeliveryError) as caught:
        sender.send("socialcenter-integration", MESSAGE)

    assert caught.value.failed and not caught.value.delivered
    assert len(http_receiver.requests) == 1


def test_a_mail_server_that_is_down_fails_at_once(unused_port: int) -> None:
    sender = AppriseSender(routing_for(unused_port))

    started = time.perf_counter()
    with pytest.raises(DeliveryError) as caught:
        sender.send("jobcenter-integration", MESSAGE)

    assert time.perf_counter() - started < 5
    assert caught.value.department == "jobcenter-integration"


def test_a_mail_server_that_never_answers_times_out(silent_smtp_port: int) -> None:
    sender = AppriseSender(routing_for(silent_smtp_port))  # the URL says cto=2

    started = time.perf_counter()
    with pytest.raises(DeliveryError):
        sender.send("jobcenter-integration", MESSAGE)

    assert 1.5 < time.perf_counter() - started < 6


def test_the_sender_caps_a_long_configured_timeout(silent_smtp_port: int) -> None:
    routing = parse_routing(
        f"version: 1\nurls:\n  - mailto://127.0.0.1:{silent_smtp_port}"
        "?from=koereplan@aalborg.example&to=k@aalborg.example&cto=60:\n      - tag: koordinator\n"
    )
    sender = AppriseSender(routing, timeout_s=1.0)

    started = time.perf_counter()
    with pytest.raises(DeliveryError):
        sender.send("koordinator", MESSAGE)

    assert time.perf_counter() - started < 4


def test_a_failure_names_which_address_failed_and_which_got_the_message(
    smtp_server: SmtpServer, unused_port: int
) -> None:
    dead = unused_port
    extra = (
        f"  - mailto://127.0.0.1:{dead}?from=koereplan@aalborg.example&to=backup@aalborg.example:\n"
        "      - tag: jobcenter-integration\n"
    )
    sender = AppriseSender(routing_for(smtp_server.port, extra=extra))

    with pytest.raises(DeliveryError) as caught:
        sender.send("jobcenter-integration", MESSAGE)

    assert len(caught.value.delivered) == 1 and len(caught.value.failed) == 1
    assert str(dead) in caught.value.failed[0]
    assert smtp_server.recipients == [["jobcenter@aalborg.example"]]


def test_secrets_in_urls_reach_neither_the_error_nor_the_log(
    caplog: pytest.LogCaptureFixture, smtp_server: SmtpServer
) -> None:
    routing = parse_routing(  # the local server offers no AUTH, so the login fails
        f"version: 1\nurls:\n  - mailto://user:TopSecret99@127.0.0.1:{smtp_server.port}"
        "?from=koereplan@aalborg.example&to=k@aalborg.example:\n      - tag: koordinator\n"
    )
    caplog.set_level(logging.INFO)

    with pytest.raises(DeliveryError) as caught:
        AppriseSender(routing).send("koordinator", MESSAGE)

    assert "TopSecret99" not in str(caught.value)
    assert "user:****@" in str(caught.value)
    assert "TopSecret99" not in caplog.text
    assert logging.getLogger("apprise").getEffectiveLevel() >= logging.INFO


def test_the_moving_notice_reaches_the_asylum_centre_through_the_configured_smtp(
    smtp_server: SmtpServer,
) -> None:
    message = render(
        MessageType.MOVING_NOTICE,
        MovingNoticeContext(
            case_ref="UST-2026-100245",
            centre_name="Center Kongelunden",
            arrival=date(2027, 1, 7),
            household_size=4,
            household="2 voksne, 2 børn (1 i skolealderen, 1 under 6 år)",
        ),
    )
    url = asylum_centre_url(smtp_server.base_url, "kontor@kongelunden.example")

    AppriseSender(routing_for(smtp_server.port)).send("asylcenter", message, extra_urls=[url])

    [mail] = smtp_server.messages
    assert smtp_server.recipients == [["kontor@kongelunden.example"]]
    assert mail["Subject"] == (
        "Flyttemeddelelse UST-2026-100245: ankomst til Aalborg Kommune 7. januar 2027"
    )


def test_the_asylum_centre_url_replaces_any_configured_recipient() -> None:
    url = asylum_centre_url(
        "mailto://127.0.0.1:8025?from=koereplan@aalborg.example&to=other@aalborg.example",
        "kontor@kongelunden.example",
    )

    assert url.count("to=") == 1 and url.endswith("to=kontor@kongelunden.example")


@pytest.mark.parametrize("address", ["", "kontor", "a@b", "x@y.example?bcc=z@q.example"])
def test_an_invalid_asylum_centre_address_is_refused(address: str) -> None:
    with pytest.raises(ValueError):
        asylum_centre_url("mailto://127.0.0.1:8025?from=koereplan@aalborg.example", address)


def test_the_fake_sender_records_what_it_would_have_sent() -> None:
    fake = FakeSender()
    message = RenderedMessage("Emne", "tekst", "<p>tekst</p>")

    fake.send("renovation", message)
    fake.send("asylcenter", message, extra_urls=["mailto://x"])

    assert fake.to("renovation") == [message]
    assert fake.sent[1].extra_urls == ("mailto://x",)


def test_the_fake_sender_fails_like_the_real_one_when_told_to() -> None:
    fake = FakeSender(failing={"tandpleje"}, known={"renovation", "tandpleje"})
    message = RenderedMessage("Emne", "tekst", "<p>tekst</p>")

    with pytest.raises(DeliveryError, match="simulated"):
        fake.send("tandpleje", message)
    with pytest.raises(DeliveryError, match="no address"):
        fake.send("koordinator", message)
    assert fake.sent == []
