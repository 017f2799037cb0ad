"""The service layer on a real database: intake, marking steps, dispatch, rescheduling."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR
from koereplan.workdays import local_date
from models.db import session
from models.tables import Case, NoticeRecord, OutboxMessage, Step
from notifications.apprise_sender import FakeSender
from services.casefile import CaseError, load_case
from services.dispatch import dispatch
from services.intake import receive_file
from services.schedule import reschedule
from services.steps import mark_step
from settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFINITION = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
SETTINGS = Settings()


def receive(engine: Engine, name: str, raw: bytes | None = None):
    raw = raw if raw is not None else (EXAMPLES / name).read_bytes()
    return receive_file(engine, DEFINITION, SETTINGS, file_name=name, raw=raw)


def outbox(engine: Engine) -> list[OutboxMessage]:
    with session(engine) as db:
        return list(db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def steps(engine: Engine, ref: str) -> dict[tuple[str, str], Step]:
    with session(engine) as db:
        return {(s.key, s.person_id): s for s in load_case(db, ref).steps}


def mark(engine: Engine, ref: str, key: str, person: str | None = None, **kwargs):
    kwargs.setdefault("action", "done")
    kwargs.setdefault("by", "AB")
    with session(engine) as db:
        return mark_step(db, DEFINITION, ref=ref, key=key, person_id=person, **kwargs)


def test_a_notice_becomes_a_case_with_its_steps_and_first_messages(engine: Engine) -> None:
    result = receive(engine, "familie.json")
    assert (result.outcome, result.case_ref) == ("accepted", "KR-2026-0001")
    stored = steps(engine, "KR-2026-0001")
    assert len(stored) == 73
    assert stored[("sag_oprettet", "")].status == "done"
    assert stored[("skattekort_bestilt", "P-80001")].status == "planned"
    rows = outbox(engine)
    departments = {row.department for row in rows if row.message_type == "case_created"}
    assert {"socialcenter-integration", "jobcenter-integration", "boern-familie"} <= departments
    assert "koordinator" not in departments
    moving = [row for row in rows if row.message_type == "moving_notice"]
    assert len(moving) == 1 and "kongelunden.example" in moving[0].extra_urls[0]


def test_the_same_notice_again_changes_nothing(engine: Engine) -> None:
    receive(engine, "familie.json")
    before = len(outbox(engine))
    pretty = json.dumps(json.loads((EXAMPLES / "familie.json").read_text()), indent=4).encode()
    again = receive(engine, "familie-igen.json", pretty)
    assert (again.outcome, again.case_ref) == ("duplicate", "KR-2026-0001")
    assert len(outbox(engine)) == before
    with session(engine) as db:
        assert len(db.exec(select(Case)).all()) == 1


def test_the_same_notice_id_with_other_content_is_a_conflict_and_the_first_case_stands(
    engine: Engine,
) -> None:
    receive(engine, "familie.json")
    data = json.loads((EXAMPLES / "familie.json").read_text())
    data["members"].pop()
    result = receive(engine, "familie-rettet.json", json.dumps(data).encode())
    assert result.outcome == "conflict"
    assert result.problems[0].where == "notice_id"
    assert "KR-2026-0001" in result.problems[0].message
    assert len(steps(engine, "KR-2026-0001")) == 73
    rejected = [row for row in outbox(engine) if row.message_type == "notice_rejected"]
    assert [row.department for row in rejected] == ["koordinator"]
    assert rejected[0].context["file_name"] == "familie-rettet.json"


def test_a_reunification_must_name_a_known_case_and_is_linked_to_it(engine: Engine) -> None:
    early = receive(engine, "familiesammenfoering.json")
    assert early.outcome == "rejected"
    assert early.problems[0].where == "reference_notice_id"
    with session(engine) as db:
        record = db.exec(select(NoticeRecord)).one()
        assert record.raw == (EXAMPLES / "familiesammenfoering.json").read_bytes()
    first = receive(engine, "enlig-voksen.json")
    joined = receive(engine, "familiesammenfoering.json")
    assert joined.outcome == "accepted"
    with session(engine) as db:
        case = db.exec(select(Case).where(Case.ref == joined.case_ref)).one()
        target = db.exec(select(Case).where(Case.ref == first.case_ref)).one()
        assert case.joins_case_id == target.id


def test_a_bad_notice_is_recorded_byte_for_byte_and_the_coordinators_are_told(
    engine: Engine,
) -> None:
    result = receive(engine, "broken.json", b'{"schema_version": 1,')
    assert result.outcome == "rejected" and result.problems
    with session(engine) as db:
        assert db.exec(select(NoticeRecord)).one().raw == b'{"schema_version": 1,'
        assert db.exec(select(Case)).all() == []
    assert [row.department for row in outbox(engine)] == ["koordinator"]


def test_marking_the_cpr_step_done_opens_the_tax_card_step_and_tells_the_department(
    engine: Engine,
) -> None:
    ref = receive(engine, "familie.json").case_ref
    change = mark(engine, ref, "cpr_bestilt", "P-80001", note="bestilt hos Borgerservice")
    assert [(s.key, s.person_id) for s in change.opened] == [("skattekort_bestilt", "P-80001")]
    assert steps(engine, ref)[("skattekort_bestilt", "P-80001")].status == "open"
    assert steps(engine, ref)[("skattekort_bestilt", "P-80002")].status == "planned"
    new = [row for row in outbox(engine) if row.message_type == "new_steps"]
    assert [row.department for row in new] == ["socialcenter-integration"]
    assert new[0].context["steps"][0]["title"] == "Skattekort bestilt"
    assert new[0].context["steps"][0]["person_label"] == "hovedperson"


def test_a_coordinator_gets_a_clear_message_and_nothing_changes(engine: Engine) -> None:
    ref = receive(engine, "familie.json").case_ref
    mark(engine, ref, "bolig_indbo")
    with pytest.raises(CaseError, match="allerede udført"):
        mark(engine, ref, "bolig_indbo")
    with pytest.raises(CaseError, match="intet trin 'flyvetur'"):
        mark(engine, ref, "flyvetur")
    with pytest.raises(CaseError, match="flere personer"):
        mark(engine, ref, "cpr_bestilt")
    with pytest.raises(CaseError, match="gælder ikke person P-80003"):
        mark(engine, ref, "skattekort_bestilt", "P-80003")
    with pytest.raises(CaseError, match="hele husstanden"):
        mark(engine, ref, "bolig_indbo", "P-80001")
    with pytest.raises(CaseError, match="begrundelse"):
        mark(engine, ref, "affald", action="not_applicable")
    with pytest.raises(CaseError, match="findes ikke"):
        mark(engine, "KR-1999-0001", "affald")
    assert steps(engine, ref)[("affald", "")].status == "open"


def test_replaying_one_coordinator_input_changes_nothing(engine: Engine) -> None:
    ref = receive(engine, "familie.json").case_ref
    first = mark(engine, ref, "cpr_bestilt", "P-80002", input_key="run-1:svar-0")
    again = mark(engine, ref, "cpr_bestilt", "P-80002", input_key="run-1:svar-0")
    assert first.marked is not None and again.replayed and again.marked is None


def test_visitation_dates_the_four_follow_ups_from_that_day(engine: Engine) -> None:
    ref = receive(engine, "enlig-voksen.json").case_ref
    mark(engine, ref, "visitation")
    today = steps(engine, ref)[("visitation", "P-77120")].done_at
    assert today is not None
    day = local_date(today)  # the coordinator's day in Copenhagen, not the UTC date
    follow = steps(engine, ref)
    assert follow[("opfoelgning_1", "P-77120")].due == day + timedelta(weeks=6)
    assert follow[("opfoelgning_1", "P-77120")].status == "open"
    assert follow[("opfoelgning_2", "P-77120")].due == day + timedelta(weeks=12)
    assert follow[("opfoelgning_2", "P-77120")].status == "planned"


def test_no_visitation_means_no_follow_ups(engine: Engine) -> None:
    ref = receive(engine, "enlig-voksen.json").case_ref
    mark(engine, ref, "visitation", action="not_applicable", reason="Flytter til anden kommune")
    after = steps(engine, ref)
    for n in range(1, 5):
        step = after[(f"opfoelgning_{n}", "P-77120")]
        assert (step.status, step.reason) == ("not_applicable", "Visitationen er ikke relevant")


def test_dispatch_sends_one_digest_per_department_and_delivers_the_notice_steps(
    engine: Engine,
) -> None:
    ref = receive(engine, "familie.json").case_ref
    sender = FakeSender()
    report = dispatch(engine, sender, DEFINITION)
    departments = [sent.department for sent in sender.sent]
    assert len(departments) == len(set(departments))
    assert report.failed == 0 and report.sent >= len(departments)
    after = steps(engine, ref)
    for key in ("varsel_boern_familie", "varsel_skole", "flyttemeddelelse"):
        assert after[(key, "")].status == "done", key
    assert after[("boligbehov", "")].status == "open"
    assert dispatch(engine, sender, DEFINITION).sent == 0
    asylum = [sent for sent in sender.sent if sent.department == "asylcenter"]
    assert len(asylum) == 1 and "8. december 2026" in asylum[0].message.text


def test_a_failing_department_keeps_its_rows_pending_and_others_go_out(engine: Engine) -> None:
    receive(engine, "familie.json")
    sender = FakeSender(failing={"boern-familie"})
    report = dispatch(engine, sender, DEFINITION)
    assert report.retried >= 1
    pending = [row for row in outbox(engine) if row.status == "pending"]
    assert {row.department for row in pending} == {"boern-familie"}
    assert pending[0].attempts == 1 and "simulated failure" in (pending[0].last_error or "")


def test_a_new_arrival_date_moves_the_dates_and_tells_the_departments(engine: Engine) -> None:
    ref = receive(engine, "enlig-voksen.json").case_ref
    mark(engine, ref, "bolig_indbo")
    with session(engine) as db:
        result = reschedule(db, DEFINITION, ref=ref, arrival=date(2026, 12, 16), by="AB")
    moved = {step.key for step, _ in result.moved}
    assert "moede_jobcenter" in moved and "bolig_indbo" not in moved
    assert "integrationskontrakt" not in moved  # the takeover is the law's, not the arrival's
    after = steps(engine, ref)
    assert after[("integrationskontrakt", "P-77120")].due == date(2027, 2, 4)
    assert after[("bolig_indbo", "")].due == date(2026, 12, 2)  # done: kept
    with session(engine) as db:
        case = db.exec(select(Case).where(Case.ref == ref)).one()
    assert (case.takeover_date, case.takeover_basis) == (date(2027, 1, 4), "statutory")
    kinds = {(row.message_type, row.department) for row in outbox(engine)}
    assert ("due_moved", "jobcenter-integration") in kinds  # moede_jobcenter moved
    assert sum(row.message_type == "moving_notice" for row in outbox(engine)) == 2


def test_a_case_completes_when_every_step_is_finished(engine: Engine) -> None:
    ref = receive(engine, "enlig-voksen.json").case_ref
    for _ in range(40):
        with session(engine) as db:
            todo = [
                s for s in load_case(db, ref).steps if s.status not in ("done", "not_applicable")
            ]
        if not todo:
            break
        step = todo[0]
        mark(engine, ref, step.key, step.person_id or None, action="not_applicable", reason="test")
    with session(engine) as db:
        assert db.exec(select(Case).where(Case.ref == ref)).one().status == "completed"
    assert [row.department for row in outbox(engine) if row.message_type == "case_completed"] == [
        "koordinator"
    ]
