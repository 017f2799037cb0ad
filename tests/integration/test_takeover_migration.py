"""The takeover data migration on a database made before IL § 4 was followed.

`fixtures/legacy-0001-samples.json` is the content of a database made by the code on main at
schema 0001: the three sample notices received with `koereplan intake`, then the single
adult's integration contract marked done. The schema migration must carry those rows, and
`migrate-takeover` must move exactly the unfinished takeover-anchored steps, once.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Date, Engine, LargeBinary, text
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlmodel import SQLModel, col, select

from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR
from models.columns import UTCDateTime
from models.db import alembic_config, migrate, session
from models.tables import AuditEntry, Case, OutboxMessage, Step
from services.casefile import load_case
from services.takeover_migration import migrate_takeover

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures/legacy-0001-samples.json"
DEFINITION = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")


def _value(column: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value["base64"])
    if isinstance(column.type, UTCDateTime):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value


def legacy_database(engine: Engine) -> None:
    """Schema 0001 holding the rows main's code wrote for the three samples."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    data = json.loads(FIXTURE.read_text())
    with engine.begin() as connection:
        for name, rows in data.items():
            table = SQLModel.metadata.tables[name]
            # Only the fixture's columns: later columns with defaults do not exist at 0001.
            stored = sorted({key for row in rows for key in row})
            legacy = sa_table(name, *(sa_column(key, table.c[key].type) for key in stored))
            connection.execute(
                legacy.insert(),
                [{k: _value(table.c[k], v) for k, v in row.items()} for row in rows],
            )
            if engine.dialect.name == "postgresql" and "id" in table.c:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), MAX(id))"
                        f" FROM {name}"
                    )
                )


def snapshot(engine: Engine) -> dict[tuple[str, str, str], tuple[str, date | None]]:
    with session(engine) as db:
        cases = {c.id: c.ref for c in db.exec(select(Case)).all()}
        return {
            (cases[s.case_id], s.key, s.person_id): (s.status, s.due)
            for s in db.exec(select(Step)).all()
        }


def test_the_migration_recomputes_the_stored_samples_once(engine: Engine) -> None:
    legacy_database(engine)
    migrate(engine)  # the schema migration carries the stored rows
    before = snapshot(engine)
    assert len(before) == 130

    dry = migrate_takeover(engine, DEFINITION, dry_run=True)
    assert snapshot(engine) == before  # a dry run stores nothing
    with session(engine) as db:
        assert db.exec(select(Case.takeover_basis)).all() == [None, None, None]

    report = migrate_takeover(engine, DEFINITION, dry_run=False)
    for figures in (dry, report):
        assert [c.ref for c in figures.changed] == ["KR-2026-0001", "KR-2026-0002", "KR-2027-0001"]
        assert [len(c.moved) for c in figures.cases] == [7, 22, 0]
        assert figures.digests == {"jobcenter-integration": 29}
    after = snapshot(engine)
    changed = {key for key in before if before[key] != after[key]}
    assert len(changed) == 29
    assert all(before[key][0] not in ("done", "not_applicable") for key in changed)
    done = ("KR-2026-0001", "integrationskontrakt", "P-77120")
    assert before[done] == after[done] == ("done", date(2027, 1, 9))  # done steps never change
    assert after[("KR-2026-0001", "erklaering", "P-77120")] == ("open", date(2027, 2, 4))
    assert after[("KR-2026-0002", "visitation", "P-80001")] == ("open", date(2027, 4, 4))
    with session(engine) as db:
        cases = db.exec(select(Case).order_by(col(Case.id))).all()
        assert [(c.takeover_date, c.takeover_basis, c.decision_date) for c in cases] == [
            (date(2027, 1, 4), "statutory", date(2026, 11, 23)),
            (date(2027, 1, 4), "statutory", date(2026, 11, 24)),
            (date(2027, 2, 1), "cpr_registration", date(2027, 1, 15)),
        ]
        audit = db.exec(select(AuditEntry).where(AuditEntry.action == "takeover")).all()
        assert [(a.who, a.old, a.new) for a in audit] == [
            ("migrate-takeover", "2026-12-09", "2027-01-04"),
            ("migrate-takeover", "2026-12-08", "2027-01-04"),
            ("migrate-takeover", "2027-02-01", "2027-02-01"),
        ]
        digests = db.exec(
            select(OutboxMessage).where(col(OutboxMessage.idempotency_key).startswith("migrate"))
        ).all()
        assert [d.department for d in digests] == ["jobcenter-integration"]
        assert "integrationsloven § 4" in digests[0].context["reason"]

    again = migrate_takeover(engine, DEFINITION, dry_run=False)
    assert again.changed == [] and again.digests == {}
    assert snapshot(engine) == after


def test_a_stored_quota_case_without_registration_gets_the_step_and_waits(
    engine: Engine,
) -> None:
    legacy_database(engine)
    migrate(engine)
    with session(engine) as db:
        raw = db.exec(text("SELECT raw FROM notices WHERE case_id = 1")).scalar_one()
        data = json.loads(raw)
        data["legal_basis"] = "kvote"  # as a newer sender would have said, ignored back then
        db.exec(  # type: ignore[call-overload]
            text("UPDATE notices SET raw = :raw WHERE case_id = 1"),
            params={"raw": json.dumps(data).encode()},
        )
    report = migrate_takeover(engine, DEFINITION, dry_run=False)
    first = report.cases[0]
    assert first.added == ["cpr_tilflyttet"]
    assert first.new == "ikke fastsat (venter på registrering i CPR)"
    with session(engine) as db:
        cf = load_case(db, "KR-2026-0001")
    keys = [s.key for s in cf.steps]
    assert keys.index("cpr_tilflyttet") == keys.index("ankomst_formalia") - 1
    by_key = {(s.key, s.person_id): s for s in cf.steps}
    assert by_key[("cpr_tilflyttet", "")].status == "open"
    assert by_key[("erklaering", "P-77120")].status == "waiting"
    assert by_key[("erklaering", "P-77120")].due is None
    assert by_key[("integrationskontrakt", "P-77120")].status == "done"  # done: kept
    assert migrate_takeover(engine, DEFINITION, dry_run=False).changed == []


def test_a_stored_member_aged_15_to_17_gets_the_digital_post_step(engine: Engine) -> None:
    legacy_database(engine)
    migrate(engine)
    with session(engine) as db:
        db.exec(  # type: ignore[call-overload]
            text("UPDATE members SET birth_date = :born WHERE person_id = 'P-80003'"),
            params={"born": date(2010, 1, 1)},  # 16 on the arrival date
        )
    report = migrate_takeover(engine, DEFINITION, dry_run=False)
    assert [c.added for c in report.cases] == [[], ["digital_post_revurdering (barn 1)"], []]
    with session(engine) as db:
        cf = load_case(db, "KR-2026-0002")
    digital = [s for s in cf.steps if s.key == "digital_post_revurdering"]
    assert [(s.person_id, s.status) for s in digital] == [
        ("P-80001", "open"),
        ("P-80002", "open"),
        ("P-80003", "open"),
        ("P-80005", "open"),
    ]
    assert [s.position for s in cf.steps] == list(range(len(cf.steps)))
    assert migrate_takeover(engine, DEFINITION, dry_run=False).changed == []
