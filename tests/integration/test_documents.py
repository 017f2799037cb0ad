"""Documents beside a notice: filed with the case, waited for, quarantined or reported."""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR
from koereplan.workdays import local_date
from models.columns import utcnow
from models.db import session
from models.tables import CaseDocument, OutboxMessage
from services import inbox as inbox_files
from services.checklist import snapshot
from services.documents import file_documents
from services.intake import receive_file
from settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFINITION = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
SECRET = b"PAS Rami Haddad 1985-06-30 fortroligt indhold"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def settings(tmp_path: Path, wait: int = 3600, missing: int = 86400) -> Settings:
    return Settings(
        documents_dir=tmp_path / "data" / "documents",
        document_wait_seconds=wait,
        document_missing_seconds=missing,
    )


def file_all(engine: Engine, config: Settings, inbox: Path, later: timedelta = timedelta()):
    paths = inbox_files.document_files(inbox)
    return file_documents(engine, DEFINITION, config, inbox, paths, now=utcnow() + later)


def coordinator_messages(engine: Engine) -> list[OutboxMessage]:
    with session(engine) as db:
        query = select(OutboxMessage).where(OutboxMessage.message_type == "document_problem")
        return list(db.exec(query).all())


def test_documents_are_filed_with_their_case_counted_and_reported(
    engine: Engine, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = settings(tmp_path)
    notice = json.loads((EXAMPLES / "familie.json").read_text())
    notice["documents"] = [
        {"filename": "pas.pdf", "sha256": sha(SECRET)},
        {"filename": "afgoerelse.pdf", "sha256": sha(b"afgoerelse")},
        {"filename": "vielsesattest.pdf", "sha256": sha(b"attest")},
    ]
    (inbox / "pas.pdf").write_bytes(SECRET)  # the document comes before its notice
    inode = (inbox / "pas.pdf").stat().st_ino
    assert file_all(engine, config, inbox)["wait"] == 1
    assert (inbox / "pas.pdf").exists()

    raw = json.dumps(notice).encode()
    result = receive_file(engine, DEFINITION, config, file_name="familie.json", raw=raw)
    (inbox / "afgoerelse.pdf").write_bytes(b"noget andet")  # another checksum
    outcomes = file_all(engine, config, inbox)
    assert (outcomes["file"], outcomes["mismatch"], outcomes["missing"]) == (1, 1, 0)

    filed = config.documents_dir / str(result.case_ref) / "pas.pdf"
    assert filed.read_bytes() == SECRET and filed.stat().st_ino == inode  # moved, not copied
    assert stat.S_IMODE(filed.stat().st_mode) == 0o600
    assert stat.S_IMODE(filed.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(config.documents_dir.stat().st_mode) == 0o700
    assert (inbox / "quarantine" / "afgoerelse.pdf").read_bytes() == b"noget andet"
    with session(engine) as db:
        stored = {d.filename: d for d in db.exec(select(CaseDocument)).all()}
        view = snapshot(db, DEFINITION, str(result.case_ref), local_date())
    assert stored["pas.pdf"].path == str(filed) and stored["pas.pdf"].sha256 == sha(SECRET)
    assert "dokumenter: 1 af 3 modtaget" in view.summary()

    day_later = file_all(engine, config, inbox, timedelta(hours=24, minutes=1))
    again = file_all(engine, config, inbox, timedelta(hours=48))
    assert (day_later["missing"], again["missing"]) == (2, 0)  # reported once each
    told = coordinator_messages(engine)
    texts = json.dumps([m.context for m in told], ensure_ascii=False)
    assert sorted(m.context["file_name"] for m in told) == [
        "afgoerelse.pdf",
        "afgoerelse.pdf",
        "vielsesattest.pdf",
    ]
    assert {m.context["case_ref"] for m in told} == {result.case_ref}
    assert "Rami" not in texts and "fortroligt" not in texts and "1985" not in texts


def test_a_document_no_notice_names_waits_then_goes_to_quarantine(
    engine: Engine, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = settings(tmp_path, wait=3600)
    (inbox / "ukendt.pdf").write_bytes(SECRET)
    assert file_all(engine, config, inbox)["wait"] == 1
    assert inbox_files.pending_files(inbox) == []  # a document is never read as a notice
    assert file_all(engine, config, inbox, timedelta(hours=1))["quarantine"] == 1
    error = json.loads((inbox / "quarantine" / "ukendt.pdf.error.json").read_text())
    assert error["problemer"] == [{"felt": "fil", "problem": "dokument uden besked"}]
    assert (inbox / "quarantine" / "ukendt.pdf").read_bytes() == SECRET
    [told] = coordinator_messages(engine)
    assert (told.context["file_name"], told.context["case_ref"]) == ("ukendt.pdf", None)
