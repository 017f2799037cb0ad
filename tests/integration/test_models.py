"""The schema, constraints and column types behave the same on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from koereplan.status import (
    CaseKind,
    MemberRole,
    NoticeOutcome,
    OutboxStatus,
    Phase,
    StepKind,
    StepStatus,
)
from models import (
    ArrivalBooking,
    AuditEntry,
    Case,
    Member,
    NoticeRecord,
    OutboxMessage,
    Step,
    book_arrival,
    book_day,
    bookings,
    format_case_ref,
    make_engine,
    migrate,
    next_case_ref,
    release_arrival,
    session,
)
from models.db import alembic_config, database_url
from notifications.messages import MessageType
from settings import get_settings

ALL_TABLES = {
    "notices",
    "cases",
    "members",
    "steps",
    "audit_log",
    "arrival_bookings",
    "case_counters",
    "outbox",
}


def make_case(notice_id: str = "N-1", ref: str = "KR-2026-0001") -> Case:
    """Build a minimal valid case."""
    return Case(
        ref=ref,
        notice_id=notice_id,
        notice_sha256="0" * 64,
        kind=CaseKind.OPHOLDSTILLADELSE,
        notice_date=date(2026, 11, 20),
        arrival_date=date(2026, 12, 7),
        takeover_date=date(2026, 12, 7),
    )


def make_step(case_id: int, key: str = "sag_oprettet", person_id: str = "") -> Step:
    """Build a minimal valid step."""
    return Step(
        case_id=case_id,
        position=1,
        key=key,
        person_id=person_id,
        phase=Phase.FOER,
        title="Besked modtaget",
        kind=StepKind.TASK,
        responsible="socialcenter-integration",
        due=date(2026, 12, 1),
    )


def saved_case(db: Session, notice_id: str = "N-1", ref: str = "KR-2026-0001") -> Case:
    """Store a case and return it with its id."""
    case = make_case(notice_id, ref)
    db.add(case)
    db.commit()
    return case


def every_working_day(_: date) -> bool:
    """Treat every day as a working day."""
    return True


def test_migrations_create_every_table(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= ALL_TABLES


def test_migrations_match_the_models_exactly(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    migrate(engine)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert version == head


def test_migrations_downgrade_to_an_empty_database(engine: Engine) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not ALL_TABLES & set(inspect(engine).get_table_names())
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= ALL_TABLES


def test_a_second_case_with_the_same_notice_id_is_rejected(db: Session) -> None:
    saved_case(db)
    db.add(make_case("N-1", ref="KR-2026-0002"))
    with pytest.raises(IntegrityError):
        db.commit()


def test_a_second_case_with_the_same_ref_is_rejected(db: Session) -> None:
    saved_case(db)
    db.add(make_case("N-2", ref="KR-2026-0001"))
    with pytest.raises(IntegrityError):
        db.commit()


def test_notice_records_may_repeat_or_lack_a_notice_id(db: Session) -> None:
    for notice_id, outcome in [("N-1", "accepted"), ("N-1", "conflict"), (None, "rejected")]:
        db.add(
            NoticeRecord(
                file_name="x.json", raw=b"{}", sha256="a" * 64, notice_id=notice_id, outcome=outcome
            )
        )
    db.commit()
    assert len(db.exec(select(NoticeRecord)).all()) == 3


def test_raw_notice_bytes_come_back_unchanged(db: Session) -> None:
    raw = b'\xef\xbb\xbf{"navn": "S\xc3\xb8ren"}\x00\xff'
    db.add(NoticeRecord(file_name="n.json", raw=raw, sha256="b" * 64, outcome="rejected"))
    db.commit()
    db.expire_all()
    assert db.exec(select(NoticeRecord.raw)).one() == raw


def test_a_household_step_cannot_be_stored_twice(db: Session) -> None:
    case = saved_case(db)
    assert case.id is not None
    db.add(make_step(case.id))
    db.commit()
    db.add(make_step(case.id))
    with pytest.raises(IntegrityError):
        db.commit()


def test_the_same_step_key_is_allowed_once_per_member(db: Session) -> None:
    case = saved_case(db)
    assert case.id is not None
    for person_id in ["", "P-1", "P-2"]:
        db.add(make_step(case.id, "moede_jobcenter", person_id))
    db.commit()
    db.add(make_step(case.id, "moede_jobcenter", "P-1"))
    with pytest.raises(IntegrityError):
        db.commit()


def test_a_member_appears_once_per_case(db: Session) -> None:
    case = saved_case(db)
    assert case.id is not None
    for position in (1, 2):
        db.add(
            Member(
                case_id=case.id,
                position=position,
                person_id="P-1",
                role=MemberRole.HOVEDPERSON,
                given_name="Amina",
                family_name="Haddad",
                birth_date=date(1990, 1, 1),
            )
        )
    with pytest.raises(IntegrityError):
        db.commit()


def test_foreign_keys_are_enforced(db: Session) -> None:
    db.add(make_step(case_id=999))
    with pytest.raises(IntegrityError):
        db.commit()


def test_replaying_one_coordinator_input_is_rejected_by_the_audit_log(db: Session) -> None:
    case = saved_case(db)
    assert case.id is not None
    db.add(AuditEntry(case_id=case.id, who="koordinator", action="done", input_key="in-1"))
    db.commit()
    db.add(AuditEntry(case_id=case.id, who="koordinator", action="done", input_key="in-1"))
    with pytest.raises(IntegrityError):
        db.commit()


def test_audit_entries_without_an_input_key_may_repeat(db: Session) -> None:
    case = saved_case(db)
    assert case.id is not None
    db.add(AuditEntry(case_id=case.id, who="system", action="created"))
    db.add(AuditEntry(case_id=case.id, who="system", action="created"))
    db.commit()


def test_outbox_idempotency_keys_are_unique(db: Session) -> None:
    for _ in range(2):
        db.add(
            OutboxMessage(
                department="koordinator",
                message_type=MessageType.CASE_CREATED,
                idempotency_key="case_created:KR-2026-0001:koordinator",
            )
        )
    with pytest.raises(IntegrityError):
        db.commit()


def test_json_columns_round_trip(db: Session) -> None:
    case = saved_case(db)
    assert case.id is not None
    step = make_step(case.id)
    step.notify = ["jobcenter-integration", "tandpleje"]
    message = OutboxMessage(
        department="asylcenter",
        message_type=MessageType.MOVING_NOTICE,
        case_id=case.id,
        idempotency_key="moving",
        context={"ref": "KR-2026-0001", "steps": [{"key": "bolig", "due": "2026-12-01"}], "n": 2},
        extra_urls=["mailto://center@example.org"],
    )
    notice = NoticeRecord(
        file_name="bad.json",
        raw=b"[]",
        sha256="c" * 64,
        outcome=NoticeOutcome.REJECTED,
        error=[{"where": "members[0].cpr", "message": "CPR-nummeret er ugyldigt (æøå)"}],
    )
    db.add_all([step, message, notice])
    db.commit()
    db.expire_all()

    assert db.get(Step, step.id).notify == ["jobcenter-integration", "tandpleje"]  # type: ignore[union-attr]
    loaded = db.get(OutboxMessage, message.id)
    assert loaded is not None
    assert loaded.context == {
        "ref": "KR-2026-0001",
        "steps": [{"key": "bolig", "due": "2026-12-01"}],
        "n": 2,
    }
    assert loaded.extra_urls == ["mailto://center@example.org"]
    assert db.get(NoticeRecord, notice.id).error == notice.error  # type: ignore[union-attr]


def test_a_missing_error_is_stored_as_sql_null(db: Session) -> None:
    db.add(NoticeRecord(file_name="ok.json", raw=b"{}", sha256="d" * 64, outcome="accepted"))
    db.commit()
    nulls = db.execute(text("SELECT COUNT(*) FROM notices WHERE error IS NULL")).scalar()
    assert nulls == 1


def test_new_rows_get_their_defaults(db: Session) -> None:
    case = saved_case(db)
    assert case.id is not None
    step = make_step(case.id)
    message = OutboxMessage(department="koordinator", message_type="reminder", idempotency_key="k")
    db.add_all([step, message])
    db.commit()
    db.expire_all()
    step = db.get(Step, step.id)  # type: ignore[assignment]
    message = db.get(OutboxMessage, message.id)  # type: ignore[assignment]
    assert (step.status, step.reminder_level, step.notify, step.person_id) == (
        StepStatus.PLANNED,
        0,
        [],
        "",
    )
    assert (message.status, message.attempts, message.extra_urls, message.context) == (
        OutboxStatus.PENDING,
        0,
        [],
        {},
    )
    assert db.get(Case, case.id).status == "active"  # type: ignore[union-attr]


def test_timestamps_come_back_timezone_aware_in_utc(db: Session) -> None:
    copenhagen_winter = timezone(timedelta(hours=1))
    opened = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=copenhagen_winter)
    case = saved_case(db)
    assert case.id is not None
    step = make_step(case.id)
    step.opened_at = opened
    db.add(step)
    db.commit()
    db.expire_all()

    loaded = db.get(Step, step.id)
    assert loaded is not None and loaded.opened_at is not None
    assert loaded.opened_at == opened
    assert loaded.opened_at.tzinfo is not None
    assert loaded.opened_at.utcoffset() == timedelta(0)
    assert db.get(Case, case.id).created_at.tzinfo is not None  # type: ignore[union-attr]


def test_naive_timestamps_are_refused(db: Session) -> None:
    case = saved_case(db)
    case.completed_at = datetime(2026, 12, 1, 12, 0)
    db.add(case)
    with pytest.raises(Exception, match="naive datetime"):
        db.commit()


def test_timestamps_compare_correctly_in_queries(db: Session) -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    for key, offset in [("past", -1), ("future", 1)]:
        db.add(
            OutboxMessage(
                department="koordinator",
                message_type="reminder",
                idempotency_key=key,
                next_attempt_at=now + timedelta(minutes=offset),
            )
        )
    db.commit()
    # The bound value is in another offset: the column type must convert it to UTC first.
    cutoff = now.astimezone(timezone(timedelta(hours=-5)))
    due = db.exec(
        select(OutboxMessage.idempotency_key).where(OutboxMessage.next_attempt_at <= cutoff)
    ).all()
    assert due == ["past"]


def test_the_deadline_monitor_can_query_open_steps_by_due_date(db: Session) -> None:
    case = saved_case(db)
    assert case.id is not None
    rows: list[tuple[str, str, date | None]] = [
        ("a", "open", date(2026, 11, 30)),
        ("b", "open", date(2026, 12, 3)),
    ]
    rows += [("c", "done", date(2026, 11, 1)), ("d", "waiting", None)]
    for key, status, due in rows:
        step = make_step(case.id, key)
        step.status, step.due = status, due
        db.add(step)
    db.commit()
    overdue = db.exec(
        select(Step.key).where(
            Step.status == StepStatus.OPEN,
            col(Step.due) < date(2026, 12, 1),
        )
    ).all()
    assert overdue == ["a"]


def test_case_refs_count_up_per_year(db: Session) -> None:
    assert next_case_ref(db, 2026) == "KR-2026-0001"
    assert next_case_ref(db, 2026) == "KR-2026-0002"
    assert next_case_ref(db, 2027) == "KR-2027-0001"
    db.commit()
    assert next_case_ref(db, 2026) == "KR-2026-0003"


def test_a_rolled_back_case_ref_is_handed_out_again(db: Session) -> None:
    assert next_case_ref(db, 2026) == "KR-2026-0001"
    db.rollback()
    assert next_case_ref(db, 2026) == "KR-2026-0001"


def test_case_refs_past_9999_keep_all_digits() -> None:
    assert format_case_ref(2026, 12345) == "KR-2026-12345"


def test_arrivals_fill_a_day_up_to_capacity_then_move_on(db: Session) -> None:
    monday = date(2026, 12, 7)
    days = [book_arrival(db, earliest=monday, capacity=2, is_working_day=every_working_day)]
    days += [book_arrival(db, earliest=monday, capacity=2, is_working_day=every_working_day)]
    days += [book_arrival(db, earliest=monday, capacity=2, is_working_day=every_working_day)]
    db.commit()
    assert days == [monday, monday, monday + timedelta(days=1)]
    assert bookings(db, monday, monday + timedelta(days=6)) == {
        monday: 2,
        monday + timedelta(days=1): 1,
    }


def test_arrivals_skip_days_that_are_not_working_days(db: Session) -> None:
    saturday = date(2026, 12, 5)
    day = book_arrival(db, earliest=saturday, capacity=2, is_working_day=lambda d: d.weekday() < 5)
    assert day == date(2026, 12, 7)


def test_fixed_arrivals_count_against_capacity(db: Session) -> None:
    monday = date(2026, 12, 7)
    book_day(db, monday)
    book_day(db, monday)
    day = book_arrival(db, earliest=monday, capacity=2, is_working_day=every_working_day)
    assert day == monday + timedelta(days=1)


def test_releasing_an_arrival_frees_the_place(db: Session) -> None:
    monday = date(2026, 12, 7)
    for _ in range(2):
        book_arrival(db, earliest=monday, capacity=2, is_working_day=every_working_day)
    assert release_arrival(db, monday) is True
    assert book_arrival(db, earliest=monday, capacity=2, is_working_day=every_working_day) == monday


def test_releasing_an_unbooked_day_changes_nothing(db: Session) -> None:
    assert release_arrival(db, date(2026, 12, 7)) is False
    assert db.exec(select(ArrivalBooking)).all() == []


def test_a_capacity_below_one_is_refused(db: Session) -> None:
    with pytest.raises(ValueError, match="capacity"):
        book_arrival(db, earliest=date(2026, 12, 7), capacity=0, is_working_day=every_working_day)


def test_the_session_helper_commits_on_success_and_rolls_back_on_error(engine: Engine) -> None:
    with session(engine) as db:
        db.add(make_case("N-1"))
    with pytest.raises(RuntimeError), session(engine) as db:
        db.add(make_case("N-2", ref="KR-2026-0002"))
        db.flush()
        raise RuntimeError("boom")
    with session(engine) as db:
        assert [c.notice_id for c in db.exec(select(Case))] == ["N-1"]


def test_the_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOEREPLAN_DATABASE_URL", "sqlite:///elsewhere.db")
    get_settings.cache_clear()  # settings are read once per process
    assert database_url() == "sqlite:///elsewhere.db"
    monkeypatch.delenv("KOEREPLAN_DATABASE_URL")
    get_settings.cache_clear()
    assert database_url() == "sqlite:///./data/koereplan.db"


def test_a_sqlite_engine_creates_its_folder_and_uses_wal(tmp_path: object) -> None:
    folder = tmp_path / "nested" / "deeper"  # type: ignore[operator]
    engine = make_engine(f"sqlite:///{folder}/k.db")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert folder.is_dir()
    finally:
        engine.dispose()


def test_an_in_memory_sqlite_engine_shares_one_database() -> None:
    engine = make_engine("sqlite://")
    try:
        migrate(engine)
        with session(engine) as db:
            db.add(make_case())
        with session(engine) as db:
            assert len(db.exec(select(Case)).all()) == 1
    finally:
        engine.dispose()
