"""The overview's views on a real database (SQLite and PostgreSQL), hand-computed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from models.db import session
from models.tables import Case, Member, OutboxMessage, Step
from notifications.apprise_sender import FakeSender
from notifications.codec import from_json
from notifications.contexts import WeeklyDigestContext
from notifications.messages import MessageType, render
from services.digest import weekly_digests
from services.dispatch import dispatch
from services.overview import all_queues, compliance, overview, queues
from tests.integration.received import DEFINITION

MONDAY = date(2026, 11, 23)
JOB = "jobcenter-integration"
SOCIAL = "socialcenter-integration"


def add_case(db: Session, n: int, *, arrival: date, status: str = "active", size: int = 1) -> int:
    case = Case(
        ref=f"KR-2026-{n:04d}",
        notice_id=f"UST-T-{n}",
        notice_sha256="0" * 64,
        kind="opholdstilladelse",
        notice_date=date(2026, 9, 1),
        arrival_date=arrival,
        takeover_date=arrival,
        status=status,
        flow_run_id=f"run-{n}",
    )
    db.add(case)
    db.flush()
    assert case.id is not None
    for position in range(size):
        db.add(
            Member(
                case_id=case.id,
                position=position,
                person_id=f"P-{n}-{position}",
                role="hovedperson" if position == 0 else "barn",
                given_name="Navn",
                family_name="Efternavn",
                birth_date=date(1990, 1, 1),
            )
        )
    return case.id


def add_step(
    db: Session, case_id: int, key: str, due: date | None, status: str, **more: Any
) -> None:
    position = more.pop("position", 0)
    db.add(
        Step(
            case_id=case_id,
            position=position,
            key=key,
            person_id=more.pop("person_id", ""),
            phase=more.pop("phase", "hverdag"),
            title=more.pop("title", key),
            kind="task",
            responsible=more.pop("responsible", JOB),
            legal=more.pop("legal", False),
            due=due,
            status=status,
            **more,
        )
    )


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)


def test_compliance_counts_on_time_late_weekend_and_leaves_out_not_applicable(
    engine: Engine,
) -> None:
    with session(engine) as db:
        case = add_case(db, 1, arrival=date(2026, 9, 1))
        legal = {"legal": True, "responsible": JOB}
        add_step(
            db, case, "a", date(2026, 10, 5), "done", done_at=at_noon(date(2026, 10, 5)), **legal
        )
        add_step(
            db, case, "b", date(2026, 10, 6), "done", done_at=at_noon(date(2026, 10, 7)), **legal
        )
        # Due Saturday 10 October, done Monday the 12th: on time. Done 23:30 Copenhagen time
        # on the 12th is still the 12th (21:30 UTC).
        late_evening = datetime(2026, 10, 12, 21, 30, tzinfo=UTC)
        add_step(db, case, "c", date(2026, 10, 10), "done", done_at=late_evening, **legal)
        add_step(db, case, "d", date(2026, 10, 20), "not_applicable", **legal)
        add_step(db, case, "e", date(2026, 10, 21), "open", **legal)
        add_step(
            db, case, "f", date(2026, 10, 22), "done", done_at=at_noon(date(2026, 10, 27)), **legal
        )
        add_step(db, case, "g", date(2026, 10, 23), "done", done_at=at_noon(date(2026, 11, 1)))
    with session(engine) as db:
        view = compliance(db, DEFINITION, today=MONDAY, first="2026-10", last="2026-11")
    october = view.by_month["2026-10"]
    assert (october.due, october.on_time, october.late, october.overdue) == (5, 2, 2, 1)
    assert october.not_applicable == 1
    assert sorted(october.late_days) == [1, 5]
    assert view.month_rows()[0] == ("2026-10", "5", "2", "2", "1", "40,0 %", "3")
    assert "2026-11" not in view.by_month


def test_a_department_queue_lists_overdue_steps_first_then_by_due_date(engine: Engine) -> None:
    with session(engine) as db:
        one = add_case(db, 1, arrival=date(2026, 11, 1), size=3)
        two = add_case(db, 2, arrival=date(2026, 11, 1))
        gone = add_case(db, 3, arrival=date(2026, 11, 1), status="completed")
        add_step(db, one, "later", date(2026, 12, 10), "open", title="Senere")
        add_step(db, two, "soon", date(2026, 11, 24), "planned", title="Snart")
        add_step(db, one, "old", date(2026, 11, 2), "open", title="Gammel", legal=True)
        add_step(db, two, "older", date(2026, 10, 30), "open", title="Ældst")
        add_step(db, one, "child", date(2026, 11, 20), "open", title="Barn", person_id="P-1-2")
        add_step(db, one, "done", date(2026, 10, 1), "done")
        add_step(db, one, "waits", None, "waiting")
        add_step(db, gone, "closed", date(2026, 10, 1), "open")
        add_step(db, two, "social", date(2026, 10, 1), "open", responsible=SOCIAL)
    with session(engine) as db:
        found = queues(db, DEFINITION, today=MONDAY)
        one_line = queues(db, DEFINITION, today=MONDAY, department=JOB, limit=1)
        everyone = all_queues(db, DEFINITION, today=MONDAY, limit=2)
    job = found[JOB]
    assert [item.title for item in job.items] == ["Ældst", "Gammel", "Barn", "Snart", "Senere"]
    assert (job.total, job.overdue) == (5, 3)
    assert job.heading() == "Jobcenter Integration, FB: 5 åbne trin, heraf 3 overskredet"
    assert job.items[1].row(MONDAY) == (
        "2. november 2026",
        "21",
        "§",
        "KR-2026-0001",
        "Gammel",
        "husstand",
        "åben",
    )
    assert job.items[2].member == "barn 2"
    assert [item.title for item in one_line[JOB].items] == ["Ældst"]
    assert one_line[JOB].total == 5
    assert set(found) == {JOB, SOCIAL}
    assert everyone["tandpleje"].total == 0 and "asylcenter" not in everyone
    assert len(everyone[JOB].items) == 2


def test_the_overview_counts_phases_arrivals_cpr_waits_and_legal_overdue(engine: Engine) -> None:
    with session(engine) as db:
        early = add_case(db, 1, arrival=date(2026, 11, 30), size=4)
        arrived = add_case(db, 2, arrival=date(2026, 11, 2))
        add_case(db, 3, arrival=date(2026, 11, 24), status="completed")
        later = add_case(db, 4, arrival=date(2026, 12, 21))
        add_step(db, early, "bolig", date(2026, 11, 25), "open", phase="foer")
        add_step(db, early, "kontrakt", date(2026, 12, 20), "planned", phase="hverdag")
        add_step(db, arrived, "cpr_tilflyttet", None, "waiting", phase="ankomst")
        add_step(db, arrived, "plan", date(2026, 11, 13), "open", legal=True, responsible=SOCIAL)
        add_step(db, arrived, "kontrakt", date(2026, 11, 16), "open", legal=True)
        add_step(db, arrived, "skole", date(2026, 11, 10), "open")  # not legal
        add_step(db, later, "done", date(2026, 11, 1), "done", phase="foer")
    with session(engine) as db:
        view = overview(db, today=MONDAY)
    assert dict(view.by_phase) == {"foer": 1, "ankomst": 1, "uden åbne trin": 1}
    assert view.phase_rows() == [
        ("Før modtagelsen", "1"),
        ("Ved modtagelsen", "1"),
        ("uden åbne trin", "1"),
    ]
    assert view.until == date(2026, 12, 7)
    assert view.arrival_rows() == [("30. november 2026", "KR-2026-0001", "4")]
    assert view.waiting_cpr == ("KR-2026-0002",)
    [late] = view.overdue_legal
    assert (late.case_ref, late.steps, late.oldest_due) == ("KR-2026-0002", 2, date(2026, 11, 13))
    assert late.departments == (JOB, SOCIAL)


def test_the_weekly_digest_is_written_once_per_monday_even_if_run_twice(
    engine: Engine, monkeypatch: Any
) -> None:
    monkeypatch.setenv("PREFECT_UI_URL", "http://127.0.0.1:4270")
    with session(engine) as db:
        one = add_case(db, 1, arrival=date(2026, 11, 1), size=2)
        gone = add_case(db, 2, arrival=date(2026, 11, 1), status="completed")
        add_step(db, one, "late", date(2026, 11, 18), "open", title="Bolig", legal=True)
        add_step(db, one, "week", date(2026, 11, 27), "open", title="Møde", person_id="P-1-1")
        add_step(db, one, "far", date(2027, 1, 15), "planned", title="Kontrakt")
        add_step(db, one, "far2", date(2027, 1, 15), "open", title="Plan", responsible=SOCIAL)
        add_step(db, one, "done", date(2026, 11, 2), "done", responsible="tandpleje")
        add_step(db, gone, "old", date(2026, 10, 1), "open", responsible="sundhedspleje")
    tuesday = date(2026, 11, 24)
    assert weekly_digests(engine, DEFINITION, today=tuesday).skipped
    first = weekly_digests(engine, DEFINITION, today=MONDAY)
    again = weekly_digests(engine, DEFINITION, today=MONDAY)
    assert sorted(first.departments) == [JOB, SOCIAL]  # nothing open elsewhere: no digest
    assert again.departments == []
    with session(engine) as db:
        digests = {
            d.department: d
            for d in db.exec(
                select(OutboxMessage).where(
                    OutboxMessage.message_type == MessageType.WEEKLY_DIGEST.value
                )
            ).all()
        }
    assert sorted(digests) == [JOB, SOCIAL]
    job = render(MessageType.WEEKLY_DIGEST, from_json(WeeklyDigestContext, digests[JOB].context))
    assert job.subject == "Ugens opgaver: 3 åbne trin, heraf 1 overskredet (sag KR-2026-0001)"
    assert "- Sag KR-2026-0001: Bolig – frist 18. november 2026 (lovkrav), 5 dage over" in job.text
    assert "Frist til og med 29. november 2026:\n- Sag KR-2026-0001: Møde (barn)" in job.text
    assert "Kontrakt" not in job.text  # not due this week: only counted
    assert "http://127.0.0.1:4270/artifacts/key/afdeling-jobcenter-integration" in job.text
    social = render(
        MessageType.WEEKLY_DIGEST, from_json(WeeklyDigestContext, digests[SOCIAL].context)
    )
    assert "1 åbent trin" in social.text and "Overskredet frist" not in social.text
    assert "Navn" not in job.text + job.html + social.text
    sender = FakeSender()
    assert dispatch(engine, sender, DEFINITION).errors == []
    assert [m.subject for m in sender.to(JOB)] == [job.subject]
