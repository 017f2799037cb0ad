"""Hostile and careless inboxes, run through `koereplan intake` as an operator would.

Every file is handled on its own: an odd one is quarantined with a reason and the
coordinators are told once, and the rest of the batch goes on.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import Engine, insert
from sqlmodel import select
from typer.testing import CliRunner

from cli.main import app
from devtools.sinks import MailSink, WebhookSink
from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR
from models.db import session
from models.tables import ArrivalBooking, Case, NoticeRecord
from services.runtime import get_runtime
from tests.integration.test_faults import start_and_kill

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
DEFINITION = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
NAMES = ("Yonas", "Tesfay", "1998-02-14")
runner = CliRunner()


def notice(notice_id: str, **changes: Any) -> bytes:
    """The single adult's notice under another id, with fields changed."""
    data = json.loads((EXAMPLES / "enlig-voksen.json").read_text())
    data["notice_id"] = notice_id
    data.update(changes)
    return json.dumps(data).encode()


@pytest.fixture
def inbox(
    db_url: str,
    tmp_path: Path,
    http_receiver: WebhookSink,
    smtp_server: MailSink,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Path]:
    """An inbox folder, the CLI pointed at it and at real receivers; every department on HTTP."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    routing = ["version: 1", "urls:"]
    for key in DEFINITION.departments:
        routing += [f"  - {http_receiver.json_url(f'/hooks/{key}')}:", f"      - tag: {key}"]
    (tmp_path / "apprise.yaml").write_text("\n".join(routing) + "\n")
    for name, value in {
        "KOEREPLAN_DATABASE_URL": db_url,
        "KOEREPLAN_INBOX": str(folder),
        "KOEREPLAN_APPRISE_CONFIG": str(tmp_path / "apprise.yaml"),
        "KOEREPLAN_ASYLUM_MAIL_URL": smtp_server.base_url,
        "KOEREPLAN_INBOX_SETTLE_SECONDS": "0",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    get_runtime.cache_clear()
    yield folder
    get_runtime.cache_clear()


def koereplan(*args: str) -> Result:
    """Run the CLI in-process, as the operator would, and never hide a traceback."""
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def mentions(http: WebhookSink, name: str) -> int:
    """How many messages to the coordinators named this file (they may come as one digest)."""
    return sum(name in message for message in told_coordinators(http))


def told_coordinators(http: WebhookSink) -> list[str]:
    """The messages the coordinators received, as text."""
    return [
        json.dumps(body, ensure_ascii=False)
        for body, path in zip(http.requests, http.paths, strict=True)
        if path == "/hooks/koordinator"
    ]


def quarantined(folder: Path) -> dict[str, list[str]]:
    """Each quarantined entry and the problems in its error file."""
    out: dict[str, list[str]] = {}
    for error_file in sorted((folder / "quarantine").glob("*.error.json")):
        data = json.loads(error_file.read_text())
        out[data["fil"]] = [f"{p['felt']}: {p['problem']}" for p in data["problemer"]]
    return out


def left_claimed(folder: Path) -> list[Path]:
    """Anything still in the claim folder: nothing should be."""
    claims = folder / ".behandles"
    return (
        [p for p in claims.rglob("*") if p.is_file() and p.name != ".ejer"]
        if claims.exists()
        else []
    )


def outcomes(engine: Engine) -> list[tuple[str, str]]:
    with session(engine) as db:
        rows = db.exec(select(NoticeRecord).order_by(NoticeRecord.id)).all()
        return [(r.file_name, r.outcome) for r in rows]


# --- §1 one bad file never stops the inbox -------------------------------------------------


def test_a_245_byte_file_name_is_received_and_the_batch_goes_on(
    inbox: Path, engine: Engine
) -> None:
    long_name = "n" * 240 + ".json"
    (inbox / long_name).write_bytes(notice("UST-LONG-1"))
    (inbox / "zz-efter.json").write_bytes(notice("UST-LONG-2"))
    result = koereplan("intake")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == [long_name, "zz-efter.json"]
    assert left_claimed(inbox) == []


def test_a_file_name_that_is_not_utf8_is_received_under_a_readable_name(
    inbox: Path, engine: Engine
) -> None:
    (inbox / os.fsdecode(b"caf\xe9.json")).write_bytes(notice("UST-LATIN1"))
    (inbox / "zz-efter.json").write_bytes(notice("UST-LATIN2"))
    result = koereplan("intake")
    assert result.exit_code == 0, result.output
    assert outcomes(engine) == [("caf\ufffd.json", "accepted"), ("zz-efter.json", "accepted")]
    assert left_claimed(inbox) == []


def test_a_file_named_like_the_claim_folder_is_quarantined_and_the_rest_received(
    inbox: Path, engine: Engine, http_receiver: WebhookSink
) -> None:
    (inbox / ".behandles").write_text("not a folder")
    (inbox / "processed").write_text("not a folder either")
    (inbox / "god.json").write_bytes(notice("UST-CLAIMNAME"))
    result = koereplan("intake")
    assert (inbox / "processed" / "god.json").exists(), result.output
    problems = quarantined(inbox)
    assert set(problems) == {".behandles", "processed"}
    assert "indbakkens egne mapper" in problems[".behandles"][0]
    assert mentions(http_receiver, ".behandles") == mentions(http_receiver, "processed") == 1


def test_an_unreadable_file_is_quarantined_with_a_reason_and_the_batch_goes_on(
    inbox: Path, engine: Engine, http_receiver: WebhookSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, who reads any file whatever its mode: the refusal is simulated at
    # the system call (both the open() of today's code and os.open of the fixed code).
    real_os_open, real_io_open = os.open, io.open

    def refuse(path: Any) -> None:
        if str(path).endswith("laases-ikke.json"):
            raise PermissionError(13, "Permission denied", str(path))

    def os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        refuse(path)
        return real_os_open(path, *args, **kwargs)

    def io_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        refuse(path)
        return real_io_open(path, *args, **kwargs)

    (inbox / "a-laases-ikke.json").write_bytes(notice("UST-PERM-1"))
    (inbox / "b-god.json").write_bytes(notice("UST-PERM-2"))
    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(io, "open", io_open)
    result = koereplan("intake")
    assert result.exit_code == 2, result.output
    assert quarantined(inbox) == {
        "a-laases-ikke.json": ["fil: intern fejl: PermissionError (Permission denied)"]
    }
    assert (inbox / "processed" / "b-god.json").exists()
    assert mentions(http_receiver, "a-laases-ikke.json") == 1
    assert mentions(http_receiver, "intern fejl: PermissionError") == 1


def test_an_unexpected_error_quarantines_only_that_file_without_personal_data(
    inbox: Path, engine: Engine, http_receiver: WebhookSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    import services.intake

    real_plan = services.intake.plan_case

    def plan_case(notice: Any, *args: Any, **kwargs: Any) -> Any:
        if notice.notice_id == "UST-BOOM":
            raise RuntimeError("Yonas Tesfay 1998-02-14 broke the planner")
        return real_plan(notice, *args, **kwargs)

    monkeypatch.setattr(services.intake, "plan_case", plan_case)
    (inbox / "a-boom.json").write_bytes(notice("UST-BOOM"))
    (inbox / "b-god.json").write_bytes(notice("UST-FINE"))
    result = koereplan("intake")
    assert result.exit_code == 2
    assert quarantined(inbox) == {"a-boom.json": ["fil: intern fejl: RuntimeError"]}
    assert (inbox / "processed" / "b-god.json").exists()
    assert outcomes(engine) == [("a-boom.json", "rejected"), ("b-god.json", "accepted")]
    told = told_coordinators(http_receiver)
    assert mentions(http_receiver, "a-boom.json") == 1
    everything = result.output + (inbox / "quarantine" / "a-boom.json.error.json").read_text()
    everything += "".join(told)
    assert [n for n in NAMES if n in everything] == []


@pytest.mark.parametrize("email", ["a:b@x.example", "a?to=evil@x.example", "a b@x.example"])
def test_an_asylum_centre_address_that_is_no_address_is_rejected_by_name(
    inbox: Path, engine: Engine, email: str
) -> None:
    centre = {"name": "Center Sandholm", "email": email}
    (inbox / "a-adresse.json").write_bytes(notice("UST-MAIL-1", asylum_centre=centre))
    (inbox / "b-god.json").write_bytes(notice("UST-MAIL-2"))
    result = koereplan("intake")
    assert result.exit_code == 2
    assert quarantined(inbox) == {
        "a-adresse.json": ["asylum_centre.email: er ikke en gyldig e-mailadresse"]
    }
    assert (inbox / "processed" / "b-god.json").exists()


def test_a_date_in_year_9999_is_rejected_and_the_batch_goes_on(inbox: Path, engine: Engine) -> None:
    (inbox / "a-9999.json").write_bytes(notice("UST-9999", expected_arrival="9999-12-31"))
    (inbox / "b-god.json").write_bytes(notice("UST-NOT9999"))
    result = koereplan("intake")
    assert result.exit_code == 2
    [problem] = quarantined(inbox)["a-9999.json"]
    assert problem == "expected_arrival: skal ligge mellem 1900-01-01 og 2099-12-31"
    assert (inbox / "processed" / "b-god.json").exists()


def test_a_full_arrival_calendar_gives_a_case_with_a_flagged_arrival(
    inbox: Path, engine: Engine, http_receiver: WebhookSink
) -> None:
    data = json.loads(notice("UST-FULL"))
    del data["expected_arrival"]
    start = date(2026, 11, 23)
    with session(engine) as db:
        db.execute(
            insert(ArrivalBooking),
            [{"day": start + timedelta(days=n), "households": 2} for n in range(800)],
        )
    (inbox / "fuld.json").write_text(json.dumps(data))
    result = koereplan("intake")
    assert result.exit_code == 0, result.output
    with session(engine) as db:
        case = db.exec(select(Case)).one()
    assert case.arrival_overbooked
    assert case.arrival_date == date(2026, 12, 7)  # notice + 10 working days, over capacity
    assert "ankomstkalenderen er fuld" in koereplan("show", case.ref).stdout
    assert "over kapacitet" in koereplan("status").stdout
    assert mentions(http_receiver, "ankomstkalenderen er fuld") == 1


def test_plan_and_reschedule_answer_a_year_9999_date_with_a_message(
    inbox: Path, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "9999.json"
    path.write_bytes(notice("UST-PLAN9999", expected_arrival="9999-12-31"))
    planned = koereplan("plan", str(path))
    assert planned.exit_code == 2 and "expected_arrival" in planned.output
    (inbox / "god.json").write_bytes(notice("UST-RESCHED"))
    koereplan("intake")
    moved = koereplan("reschedule", "KR-2026-0001", "--arrival", "9999-12-31", "--af", "KT")
    assert moved.exit_code == 2
    assert "ligger mere end 2 år efter beskedens dato" in moved.output


KILLED_INTAKE = """
    import sys, time
    from pathlib import Path
    from services import inbox

    folder = Path(sys.argv[1])
    claimed = [inbox.claim(p) for p in inbox.pending_files(folder, settle_seconds=0)]
    assert all(claimed)
    print("ready", flush=True)  # files claimed; the process dies before receiving them
    time.sleep(600)
"""


def test_files_claimed_by_a_killed_intake_show_in_status_and_are_taken_back_at_once(
    inbox: Path, engine: Engine
) -> None:
    (inbox / "a.json").write_bytes(notice("UST-KILLED-1"))
    (inbox / "b.json").write_bytes(notice("UST-KILLED-2"))
    pid = start_and_kill(str(inbox), KILLED_INTAKE)
    assert len(left_claimed(inbox)) == 2
    status = koereplan("status").stdout
    assert "2 filer" in status and f"pid {pid}" in status and "stoppet" in status
    started = time.monotonic()
    result = koereplan("intake")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 60
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["a.json", "b.json"]
    assert left_claimed(inbox) == []
    assert "stoppet" not in koereplan("status").stdout


# --- §2 inbox files are what they claim to be ----------------------------------------------


def test_links_are_quarantined_never_followed(
    inbox: Path, engine: Engine, tmp_path: Path, http_receiver: WebhookSink
) -> None:
    outside = tmp_path / "udenfor.json"
    outside.write_bytes(notice("UST-OUTSIDE"))
    (inbox / "environ.json").symlink_to("/proc/self/environ")
    (inbox / "passwd.json").symlink_to("/etc/passwd")
    (inbox / "udenfor.json").symlink_to(outside)
    (inbox / "dokument.pdf").symlink_to("/etc/passwd")
    result = koereplan("intake")
    assert result.exit_code == 2
    reason = ["fil: er et symbolsk link; kun almindelige filer modtages"]
    assert quarantined(inbox) == {
        "dokument.pdf": reason,
        "environ.json": reason,
        "passwd.json": reason,
        "udenfor.json": reason,
    }
    assert (inbox / "quarantine" / "passwd.json").is_symlink()
    with session(engine) as db:
        assert db.exec(select(Case)).all() == []
        raws = [r.raw for r in db.exec(select(NoticeRecord)).all()]
    assert raws == [b""] * 4
    for name in ("dokument.pdf", "environ.json", "passwd.json", "udenfor.json"):
        assert mentions(http_receiver, name) == 1


def test_directories_fifos_are_quarantined_and_the_inbox_own_folders_are_not(
    inbox: Path, engine: Engine, http_receiver: WebhookSink
) -> None:
    (inbox / "processed").mkdir()
    (inbox / "quarantine").mkdir()
    (inbox / "undermappe").mkdir()
    (inbox / "undermappe" / "gemt.json").write_bytes(notice("UST-SUB"))
    os.mkfifo(inbox / "roer.json")
    (inbox / "god.json").write_bytes(notice("UST-DIRS"))
    result = koereplan("intake")
    assert result.exit_code == 2
    assert quarantined(inbox) == {
        "roer.json": ["fil: er en navngiven pipe (FIFO); kun almindelige filer modtages"],
        "undermappe": ["fil: er en mappe; læg beskeder direkte i indbakken"],
    }
    assert (inbox / "quarantine" / "undermappe" / "gemt.json").exists()
    assert (inbox / "processed" / "god.json").exists()
    assert mentions(http_receiver, "roer.json") == mentions(http_receiver, "undermappe") == 1


def test_files_still_being_written_and_documents_are_left_alone(
    inbox: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOEREPLAN_INBOX_SETTLE_SECONDS", "30")
    (inbox / "skrives.json.part").write_bytes(notice("UST-PART")[:40])
    (inbox / "frisk.json").write_bytes(notice("UST-FRESH"))
    (inbox / "pas.pdf").write_bytes(b"%PDF-1.7 not a notice")
    stable = inbox / "stabil.json"
    stable.write_bytes(notice("UST-STABLE"))
    old = time.time() - 60
    os.utime(stable, (old, old))
    result = koereplan("intake")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == [
        "frisk.json",
        "pas.pdf",
        "skrives.json.part",
    ]
    assert [p.name for p in (inbox / "processed").iterdir()] == ["stabil.json"]
    assert not (inbox / "quarantine").exists() or quarantined(inbox) == {}
    assert "1 fil venter" in result.output


# --- §6 smaller ----------------------------------------------------------------------------


def test_intake_of_a_missing_file_or_a_folder_answers_with_a_message(
    inbox: Path, engine: Engine, tmp_path: Path
) -> None:
    good = tmp_path / "god.json"
    good.write_bytes(notice("UST-ARGS"))
    result = koereplan("intake", str(tmp_path / "findes-ikke.json"), str(tmp_path), str(good))
    assert result.exit_code == 2
    assert "findes-ikke.json: findes ikke" in result.output
    assert "er en mappe" in result.output
    assert outcomes(engine) == [("god.json", "accepted")]


def test_reschedule_into_the_past_needs_an_explicit_flag(inbox: Path, engine: Engine) -> None:
    (inbox / "god.json").write_bytes(notice("UST-PAST", issued_at="2025-01-06T10:00:00+01:00"))
    koereplan("intake")
    refused = koereplan("reschedule", "KR-2025-0001", "--arrival", "2025-02-03", "--af", "KT")
    assert refused.exit_code == 2
    assert "ligger i fortiden" in refused.output and "--tilladt-fortid" in refused.output
    allowed = koereplan(
        "reschedule", "KR-2025-0001", "--arrival", "2025-02-03", "--af", "KT", "--tilladt-fortid"
    )
    assert allowed.exit_code == 0, allowed.output
    assert "ankomst" in allowed.output


def test_marking_a_waiting_step_done_is_allowed_and_the_answer_says_so(
    inbox: Path, engine: Engine
) -> None:
    (inbox / "god.json").write_bytes(notice("UST-EARLY"))
    koereplan("intake")
    result = koereplan("done", "KR-2026-0001", "skattekort_bestilt", "--person", "P-77120")
    assert result.exit_code == 0, result.output
    assert "var ikke åbent endnu" in result.output


def test_an_entry_that_cannot_be_moved_is_told_once_however_often_intake_runs(
    inbox: Path, engine: Engine, http_receiver: WebhookSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    import services.inbox

    real_move = services.inbox._move

    def move(home: Path, path: Path, folder_name: str) -> Path:
        if path.name == "monteret":  # a mount point: rename gives EBUSY (simulated here)
            raise OSError(16, "Device or resource busy")
        return real_move(home, path, folder_name)

    monkeypatch.setattr(services.inbox, "_move", move)
    (inbox / "monteret").mkdir()
    first = koereplan("intake")
    second = koereplan("intake")
    assert first.exit_code == second.exit_code == 2
    assert (inbox / "monteret").is_dir()
    assert mentions(http_receiver, "monteret") == 1
    assert outcomes(engine) == [("monteret", "rejected")]
