"""Two intakes over one inbox, and one notice in two files: one case each, no file lost."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR
from models.db import make_engine, session
from models.tables import Case, NoticeRecord
from services import inbox
from settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFINITION = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
WORKERS = 4
NOTICES = 24
TWINS = 6  # notices delivered twice, in two files with other names


def fill_inbox(folder: Path) -> None:
    folder.mkdir()
    sample = json.loads((EXAMPLES / "familie.json").read_text())
    for n in range(NOTICES):
        sample["notice_id"] = f"UST-RACE-{n:03d}"
        (folder / f"notice-{n:03d}.json").write_text(json.dumps(sample))
        if n < TWINS:
            (folder / f"kopi-{n:03d}.json").write_text(json.dumps(sample, indent=2))


def intake_worker(url: str, folder: Path, errors: list[BaseException]) -> None:
    """One intake process: its own engine and connections, the same inbox."""
    engine = make_engine(url)
    try:
        for path in inbox.pending_files(folder):
            claimed = inbox.claim(path)
            if claimed is not None:
                inbox.receive_claimed(engine, DEFINITION, Settings(), folder, claimed)
    except BaseException as error:  # reported by the test
        errors.append(error)
    finally:
        engine.dispose()


def test_concurrent_intakes_make_one_case_per_notice_and_lose_no_file(
    db_url: str, engine: object, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    fill_inbox(folder)
    errors: list[BaseException] = []
    workers = [
        threading.Thread(target=intake_worker, args=(db_url, folder, errors))
        for _ in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert errors == []

    filed = sorted(p.name for p in (folder / "processed").iterdir())
    assert len(filed) == NOTICES + TWINS
    assert not [p for p in folder.iterdir() if p.is_file()]
    assert not list((folder / inbox.CLAIMED).iterdir())
    assert not (folder / "quarantine").exists()

    with session(make_engine(db_url)) as db:
        cases = db.exec(select(func.count()).select_from(Case)).one()
        outcomes = db.exec(select(NoticeRecord.outcome)).all()
    assert cases == NOTICES
    assert sorted(outcomes) == ["accepted"] * NOTICES + ["duplicate"] * TWINS
