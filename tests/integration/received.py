"""Helpers for monitor tests: cases from the example notices, routing, and what arrived."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from devtools.sinks import MailSink, WebhookSink
from koereplan.danish import danish_date
from koereplan.definition import Definition
from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR
from notifications.apprise_sender import AppriseSender, FakeSender
from notifications.routing import load_routing
from services.dispatch import dispatch
from services.intake import receive_file
from settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFINITION: Definition = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
MAIL_DEPARTMENTS = ("koordinator", "familie-beskaeftigelse", "jobcenter-integration")
MAIL_DOMAIN = "aalborg.example"
# The single adult gets a CPR number, so the privacy check has one to look for.
CPR = "140298-1234"


def notices() -> dict[str, bytes]:
    """The example notices, the single adult's with a CPR number added."""
    files = {path.name: path.read_bytes() for path in sorted(EXAMPLES.glob("*.json"))}
    single = json.loads(files["enlig-voksen.json"])
    single["members"][0]["cpr"] = CPR
    files["enlig-voksen.json"] = json.dumps(single).encode()
    return files


def receive_cases(engine: Engine, *names: str) -> list[str]:
    """Intake the named notices, then deliver their first messages to a fake sender."""
    files = notices()
    refs = []
    for name in names:
        result = receive_file(engine, DEFINITION, Settings(), file_name=name, raw=files[name])
        assert result.case_ref is not None, result
        refs.append(result.case_ref)
    dispatch(engine, FakeSender(), DEFINITION)
    return refs


def mail_url(smtp_port: int, department: str) -> str:
    """The Apprise mailto URL of one department on the local SMTP server."""
    return (
        f"mailto://127.0.0.1:{smtp_port}?from=koereplan@{MAIL_DOMAIN}"
        f"&to={department}@{MAIL_DOMAIN}&cto=2"
    )


def real_sender(tmp_path: Path, smtp_port: int, http: WebhookSink) -> AppriseSender:
    """Mail departments through SMTP, every other department to `/hooks/<key>` over HTTP."""
    lines = ["version: 1", "urls:"]
    for key in DEFINITION.departments:
        url = (
            mail_url(smtp_port, key) if key in MAIL_DEPARTMENTS else http.json_url(f"/hooks/{key}")
        )
        lines += [f"  - {url}:", f"      - tag: {key}"]
    path = tmp_path / "apprise.yaml"
    path.write_text("\n".join(lines) + "\n")
    asylum_mail = f"mailto://127.0.0.1:{smtp_port}?from=koereplan@{MAIL_DOMAIN}&cto=2"
    return AppriseSender(load_routing(path), asylum_mail_url=asylum_mail)


def mails_to(smtp: MailSink, department: str) -> list[Any]:
    """The mails one department received."""
    address = f"{department}@{MAIL_DOMAIN}"
    return [m for m, rcpt in zip(smtp.messages, smtp.recipients, strict=True) if address in rcpt]


def mail_recipients(smtp: MailSink) -> list[str]:
    """Every department that got a mail, once per mail, sorted."""
    return sorted(r.split("@")[0] for rcpt in smtp.recipients for r in rcpt)


def mail_text(message: Any) -> str:
    """Subject and plain-text body of one mail."""
    return f"{message['subject']}\n{message.get_body(('plain',)).get_content()}"


def posts_to(http: WebhookSink, department: str) -> list[dict[str, Any]]:
    """The JSON bodies one department received."""
    return [
        r for r, p in zip(http.requests, http.paths, strict=True) if p == f"/hooks/{department}"
    ]


def everything_received(smtp: MailSink, http: WebhookSink) -> Iterator[str]:
    """Every mail (headers and all parts) and every HTTP body, as text."""
    for message in smtp.messages:
        yield message.as_string()
        for part in message.walk():
            if not part.is_multipart():
                yield str(part.get_content())
    for body in http.requests:
        yield json.dumps(body, ensure_ascii=False)


def personal_data() -> set[str]:
    """Names, CPR numbers and birth dates of the test notices, in the forms one writes them."""
    found: set[str] = set()
    for raw in notices().values():
        for member in json.loads(raw)["members"]:
            found |= {member["given_name"], member["family_name"]}
            born = date.fromisoformat(member["birth_date"])
            found |= {born.isoformat(), born.strftime("%d.%m.%Y"), born.strftime("%d-%m-%Y")}
            found.add(danish_date(born))
            if member.get("cpr"):
                found |= {member["cpr"], member["cpr"].replace("-", "")}
    return found


def personal_data_in(smtp: MailSink, http: WebhookSink) -> list[str]:
    """Every piece of personal data found in anything received: the test wants none."""
    needles = personal_data()
    return sorted({n for text in everything_received(smtp, http) for n in needles if n in text})
