"""Withdrawal, closing and reopening through the service functions, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from flows.forms import coordinator_form
from koereplan.answers import CLOSE_FIELD
from koereplan.workdays import local_date
from models.bookings import bookings
from models.db import session
from models.tables import Case, NoticeRecord, OutboxMessage
from services.casefile import CaseError, load_case
from services.checklist import snapshot
from services.ending import close_case, reopen_case
from tests.integration.test_casework import DEFINITION, mark, outbox, receive
from tests.integration.test_coordinator_answers import answer, new_case

FAMILY = "UST-2026-100245"
SINGLE = "UST-2026-100231"


def withdrawal(reference: str = FAMILY, notice_id: str = "UST-T-1", **extra: object) -> bytes:
    """A withdrawal notice naming the case opened by `reference`."""
    data = {
        "schema_version": 1,
        "notice_id": notice_id,
        "kind": "tilbagekaldelse",
        "issued_at": "2026-11-25T09:00:00+01:00",
        "municipality_code": "851",
        "reference_notice_id": reference,
        "reason": "Familien er visiteret til en anden kommune",
        **extra,
    }
    return json.dumps(data).encode()


def ended_messages(engine: Engine) -> dict[str, OutboxMessage]:
    """The case_ended messages by department."""
    return {m.department: m for m in outbox(engine) if m.message_type == "case_ended"}


def case_of(engine: Engine, ref: str) -> Case:
    with session(engine) as db:
        return load_case(db, ref).case


def test_a_withdrawal_after_some_steps_are_done_ends_the_case(engine: Engine) -> None:
    ref = receive(engine, "familie.json").case_ref
    mark(engine, ref, "cpr_bestilt", "P-80001")
    with session(engine) as db:
        before = {(s.key, s.person_id): (s.status, s.due) for s in load_case(db, ref).steps}
        open_departments = {
            d for s in load_case(db, ref).steps if s.status == "open" for d in [s.responsible]
        }
    arrival = case_of(engine, ref).arrival_date

    result = receive(engine, "tilbage.json", withdrawal())

    assert (result.outcome, result.case_ref) == ("withdrawn", ref)
    case = case_of(engine, ref)
    assert (case.status, case.status_reason) == ("withdrawn", "visitering tilbagekaldt")
    assert case.status_note == "Familien er visiteret til en anden kommune"
    with session(engine) as db:
        after = {(s.key, s.person_id): s for s in load_case(db, ref).steps}
        assert bookings(db, arrival, arrival) == {}
    for key, (status, due) in before.items():
        step = after[key]
        assert step.due == due
        if status in ("done", "not_applicable"):
            assert step.status == status  # finished steps never change
        else:
            assert (step.status, step.reason) == ("not_applicable", "visitering tilbagekaldt")
    assert after[("cpr_bestilt", "P-80001")].status == "done"
    told = ended_messages(engine)
    assert open_departments - {"asylcenter"} <= set(told)
    assert told["koordinator"].context["reason"] == "visitering tilbagekaldt"
    assert told["asylcenter"].context["arrival"] == arrival.isoformat()
    assert all(m.context["ending"] == "withdrawn" for m in told.values())
    # The free-text reason is stored, never sent.
    assert not any("anden kommune" in json.dumps(m.context) for m in outbox(engine))


def test_a_withdrawn_case_takes_nothing_more(engine: Engine) -> None:
    ref = receive(engine, "familie.json").case_ref
    receive(engine, "tilbage.json", withdrawal())
    messages = len(outbox(engine))

    again = receive(engine, "tilbage-igen.json", withdrawal())
    other = receive(engine, "tilbage-2.json", withdrawal(notice_id="UST-T-2"))
    changed = receive(engine, "tilbage-3.json", withdrawal(reason="en anden grund"))

    assert again.outcome == "duplicate"
    assert other.outcome == "rejected"
    assert [p.where for p in other.problems] == ["reference_notice_id"]
    assert f"sag {ref} er tilbagekaldt" in other.problems[0].message
    assert changed.outcome == "conflict"
    with pytest.raises(CaseError, match="tilbagekaldt"):
        mark(engine, ref, "bolig_indbo")
    with session(engine) as db, pytest.raises(CaseError, match="tilbagekaldt"):
        reopen_case(db, DEFINITION, ref=ref, by="KT")
    # Only the coordinators' messages about the two quarantined files were added.
    added = outbox(engine)[messages:]
    assert [m.message_type for m in added] == ["notice_rejected", "notice_rejected"]


def test_a_withdrawal_for_an_unknown_case_is_quarantined_naming_the_reference(
    engine: Engine,
) -> None:
    result = receive(engine, "tilbage.json", withdrawal(reference="UST-UKENDT"))
    assert result.outcome == "rejected"
    assert [p.where for p in result.problems] == ["reference_notice_id"]
    with session(engine) as db:
        assert db.exec(select(Case)).all() == []
        record = db.exec(select(NoticeRecord)).one()
        assert record.outcome == "rejected"


def test_a_withdrawal_with_a_long_reason_is_rejected(engine: Engine) -> None:
    receive(engine, "familie.json")
    result = receive(engine, "tilbage.json", withdrawal(reason="x" * 501))
    assert [p.where for p in result.problems] == ["reason"]
    assert case_of(engine, "KR-2026-0001").status == "active"


def test_a_joining_reunification_case_is_flagged_not_withdrawn(engine: Engine) -> None:
    single = receive(engine, "enlig-voksen.json").case_ref
    joining = receive(engine, "familiesammenfoering.json").case_ref

    receive(engine, "tilbage.json", withdrawal(reference=SINGLE))

    assert case_of(engine, single).status == "withdrawn"
    assert case_of(engine, joining).status == "active"
    assert ended_messages(engine)["koordinator"].context["joined_by"] == [joining]


def test_close_and_reopen_restore_the_steps_with_their_old_dates(engine: Engine) -> None:
    ref = receive(engine, "familie.json").case_ref
    mark(engine, ref, "cpr_bestilt", "P-80001")
    with session(engine) as db:
        before = {(s.key, s.person_id): (s.status, s.due) for s in load_case(db, ref).steps}
        arrival = load_case(db, ref).case.arrival_date
    with session(engine) as db:
        ended = close_case(db, DEFINITION, ref=ref, grund="fraflyttet", kommune="0101", by="KT")
    assert ended.lapsed
    case = case_of(engine, ref)
    assert (case.status, case.status_reason) == ("closed", "sagen lukket: fraflyttet")
    assert (case.new_municipality_code, case.status_by) == ("101", "KT")
    assert ended_messages(engine)["koordinator"].context["ending"] == "closed"
    before_reopen = len(outbox(engine))

    with session(engine) as db:
        reopened = reopen_case(db, DEFINITION, ref=ref, by="KT")

    assert reopened.run_number == 2
    case = case_of(engine, ref)
    assert (case.status, case.status_reason, case.flow_run_id) == ("active", None, None)
    with session(engine) as db:
        after = {(s.key, s.person_id): (s.status, s.due) for s in load_case(db, ref).steps}
        assert bookings(db, arrival, arrival) == {arrival: 1}
    assert after == before
    added = Counter(m.message_type for m in outbox(engine)[before_reopen:])
    assert added["new_steps"] >= 1 and added["moving_notice"] == 1
    mark(engine, ref, "bolig_indbo")  # an active case takes answers again


@pytest.mark.parametrize(
    ("grund", "kommune", "note", "field"),
    [
        ("flyttet", None, None, "grund"),
        ("fraflyttet", None, None, "kommune"),
        ("fraflyttet", "851", None, "kommune"),
        ("udrejst", "101", None, "kommune"),
        ("andet", None, "  ", "note"),
    ],
)
def test_a_closing_without_what_its_reason_needs_changes_nothing(
    engine: Engine, grund: str, kommune: str | None, note: str | None, field: str
) -> None:
    ref = receive(engine, "familie.json").case_ref
    messages = len(outbox(engine))
    with session(engine) as db, pytest.raises(CaseError, match=f"^{field}: "):
        close_case(db, DEFINITION, ref=ref, grund=grund, kommune=kommune, note=note, by="KT")
    assert case_of(engine, ref).status == "active"
    assert len(outbox(engine)) == messages


def test_a_case_closed_as_andet_keeps_its_note_out_of_messages(engine: Engine) -> None:
    ref = receive(engine, "familie.json").case_ref
    with session(engine) as db:
        close_case(db, DEFINITION, ref=ref, grund="andet", note="aftalt med familien", by="KT")
    assert case_of(engine, ref).status_note == "aftalt med familien"
    assert not any("aftalt" in json.dumps(m.context) for m in outbox(engine))
    with session(engine) as db, pytest.raises(CaseError, match="lukket"):
        close_case(db, DEFINITION, ref=ref, grund="udrejst", by="KT")


def test_the_ui_form_closes_a_case_once_and_a_closed_case_refuses_answers(
    engine: Engine,
) -> None:
    ref = new_case(engine)
    with session(engine) as db:
        form = coordinator_form(snapshot(db, DEFINITION, ref, local_date()))
    choices = form.model_json_schema()["properties"][CLOSE_FIELD]["enum"]
    assert choices == ["nej – sagen fortsætter", "fraflyttet", "udrejst", "dødsfald", "andet"]

    said = answer(engine, ref, "run:svar-0", luk_sagen="dødsfald", initialer="KT")
    again = answer(engine, ref, "run:svar-0", luk_sagen="dødsfald", initialer="KT")

    assert said.startswith("sagen lukket: dødsfald (KT)")
    assert again == "allerede registreret"
    assert case_of(engine, ref).status_reason == "sagen lukket: dødsfald"
    assert list(ended_messages(engine)).count("koordinator") == 1
    with pytest.raises(CaseError, match="lukket"):
        answer(engine, ref, "run:svar-1", luk_sagen="andet", initialer="KT", note="x")
