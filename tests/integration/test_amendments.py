"""Amendment notices through the service functions, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import col, select

from devtools.sinks import WebhookSink, mail_sink
from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR
from koereplan.replanning import LAPSED_REASON
from koereplan.workdays import local_date
from models.columns import utcnow
from models.db import session
from models.tables import ArrivalBooking, AuditEntry, Case, Member, OutboxMessage, Step
from notifications.apprise_sender import FakeSender
from services.casefile import load_case
from services.checklist import snapshot
from services.dispatch import dispatch
from services.intake import receive_file
from services.steps import mark_step
from settings import Settings
from tests.integration.received import personal_data_in, real_sender
from tests.integration.test_faults import LATER, start_and_kill

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFINITION = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
SETTINGS = Settings()
FAMILY = json.loads((EXAMPLES / "familie.json").read_text())
SINGLE = json.loads((EXAMPLES / "enlig-voksen.json").read_text())
BABY = {
    "person_id": "P-77121",
    "role": "barn",
    "given_name": "Nour",
    "family_name": "Tesfay",
    "birth_date": "2026-11-20",
}


def receive(engine: Engine, data: dict[str, Any], name: str = "besked.json"):
    raw = json.dumps(data).encode()
    return receive_file(engine, DEFINITION, SETTINGS, file_name=name, raw=raw)


def open_case(engine: Engine, notice: dict[str, Any]) -> str:
    result = receive(engine, notice)
    assert result.case_ref is not None
    dispatch(engine, FakeSender(), DEFINITION)
    return result.case_ref


def amendment(reference: dict[str, Any], n: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "notice_id": f"{reference['notice_id']}-AE{n}",
        "kind": "aendring",
        "issued_at": f"2026-11-25T0{n}:00:00+01:00",
        "municipality_code": "851",
        "reference_notice_id": reference["notice_id"],
        **fields,
    }


def steps(engine: Engine, ref: str) -> dict[tuple[str, str], Step]:
    with session(engine) as db:
        return {(s.key, s.person_id): s for s in load_case(db, ref).steps}


def new_messages(engine: Engine, after: int) -> list[OutboxMessage]:
    with session(engine) as db:
        query = select(OutboxMessage).where(col(OutboxMessage.id) > after)
        return list(db.exec(query.order_by(col(OutboxMessage.id))).all())


def last_message_id(engine: Engine) -> int:
    with session(engine) as db:
        return max(db.exec(select(OutboxMessage.id)).all() or [0]) or 0


def state(engine: Engine) -> tuple[Any, ...]:
    """Everything an amendment may change, to prove that a refused one changed nothing."""
    with session(engine) as db:
        return (
            [c.model_dump() for c in db.exec(select(Case)).all()],
            [m.model_dump() for m in db.exec(select(Member)).all()],
            [s.model_dump() for s in db.exec(select(Step)).all()],
            [b.model_dump() for b in db.exec(select(ArrivalBooking)).all()],
            len(db.exec(select(AuditEntry)).all()),
            len(db.exec(select(OutboxMessage).where(OutboxMessage.case_id != None)).all()),  # noqa: E711
        )


def test_a_newborn_brings_new_member_steps_and_the_health_visitor(engine: Engine) -> None:
    ref = open_case(engine, SINGLE)
    before = steps(engine, ref)
    mark = last_message_id(engine)
    result = receive(engine, amendment(SINGLE, members=[*SINGLE["members"], BABY]))
    assert (result.outcome, result.case_ref) == ("amended", ref)
    after = steps(engine, ref)
    added = set(after) - set(before)
    assert ("varsel_sundhedspleje", "") in added
    assert {("sundhedstilbud_barn", "P-77121"), ("cpr_bestilt", "P-77121")} <= added
    assert after[("varsel_sundhedspleje", "")].status == "open"
    told = {(m.department, m.message_type) for m in new_messages(engine, mark)}
    assert ("sundhedspleje", "new_steps") in told
    assert all(after[key].status == s.status for key, s in before.items())
    positions = [s.position for s in sorted(after.values(), key=lambda s: s.position)]
    assert positions == list(range(len(after)))
    with session(engine) as db:
        members = db.exec(select(Member).where(Member.person_id == "P-77121")).all()
        audit = db.exec(select(AuditEntry).where(AuditEntry.action == "amended")).one()
        view = snapshot(db, DEFINITION, ref, local_date())
    assert [m.given_name for m in members] == ["Nour"]
    assert audit.new == "UST-2026-100231-AE1"
    assert audit.detail == "ændrede felter: members"
    assert "Ændret" in view.summary()


def test_removing_a_member_lapses_their_open_steps_and_tells_who_had_been_told(
    engine: Engine,
) -> None:
    ref = open_case(engine, FAMILY)
    with session(engine) as db:
        mark_step(
            db, DEFINITION, ref=ref, key="cpr_bestilt", person_id="P-80005", action="done", by="KT"
        )
    before = steps(engine, ref)
    assert before[("saerlig_stoette", "P-80005")].status == "open"
    mark = last_message_id(engine)
    members = [m for m in FAMILY["members"] if m["person_id"] != "P-80005"]
    assert receive(engine, amendment(FAMILY, members=members)).outcome == "amended"
    after = steps(engine, ref)
    gone = after[("saerlig_stoette", "P-80005")]
    assert (gone.status, gone.reason, gone.done_by) == (
        "not_applicable",
        LAPSED_REASON,
        "Udlændingestyrelsen",
    )
    assert after[("cpr_bestilt", "P-80005")].status == "done"  # finished: history
    lapsed = [m for m in new_messages(engine, mark) if m.message_type == "steps_lapsed"]
    departments = Counter(m.department for m in lapsed)
    assert departments and max(departments.values()) == 1  # one message per department
    assert before[("saerlig_stoette", "P-80005")].responsible in departments
    texts = json.dumps([m.context for m in lapsed], ensure_ascii=False)
    assert "Samira" not in texts and "1956" not in texts
    with session(engine) as db:
        assert not db.exec(select(Member).where(Member.person_id == "P-80005")).all()


def test_a_birth_date_across_the_18_year_line_swaps_child_steps_for_adult_ones(
    engine: Engine,
) -> None:
    ref = open_case(engine, FAMILY)
    members = [dict(m) for m in FAMILY["members"]]
    members[2]["birth_date"] = "2007-01-01"
    assert receive(engine, amendment(FAMILY, members=members)).outcome == "amended"
    after = steps(engine, ref)
    assert after[("skoleindskrivning", "P-80003")].reason == LAPSED_REASON
    assert after[("integrationskontrakt", "P-80003")].legal
    assert after[("integrationskontrakt", "P-80003")].due == (
        after[("integrationskontrakt", "P-80001")].due
    )
    with session(engine) as db:
        audit = db.exec(select(AuditEntry).where(AuditEntry.action == "amended")).one()
    assert audit.detail == "ændrede felter: members.birth_date"


def test_a_moved_arrival_moves_the_booking_the_due_dates_and_the_moving_notice(
    engine: Engine,
) -> None:
    ref = open_case(engine, FAMILY)  # arrival planned for 8 December 2026
    before = steps(engine, ref)
    mark = last_message_id(engine)
    result = receive(engine, amendment(FAMILY, expected_arrival="2027-01-11"))
    assert result.outcome == "amended"
    with session(engine) as db:
        case = db.exec(select(Case)).one()
        bookings = {b.day.isoformat(): b.households for b in db.exec(select(ArrivalBooking))}
    # The takeover is the law's (IL § 4): only steps counted from the arrival move.
    assert (case.arrival_date.isoformat(), case.takeover_date.isoformat()) == (
        "2027-01-11",
        "2027-01-04",
    )
    assert bookings == {"2026-12-08": 0, "2027-01-11": 1}
    after = steps(engine, ref)
    moved = {key for key, step in after.items() if step.due != before[key].due}
    anchors = {DEFINITION.step(key).due.anchor for key, _ in moved}
    assert moved and anchors == {"arrival"}
    contract = ("integrationskontrakt", "P-80001")
    assert after[contract].due == before[contract].due
    assert after[("sag_oprettet", "")].due == before[("sag_oprettet", "")].due
    kinds = Counter(m.message_type for m in new_messages(engine, mark))
    assert kinds["due_moved"] >= 1 and kinds["moving_notice"] == 1
    assert kinds["steps_lapsed"] == 0


def test_a_new_asylum_centre_gets_a_new_moving_notice(engine: Engine) -> None:
    ref = open_case(engine, FAMILY)
    mark = last_message_id(engine)
    centre = {"name": "Center Sandholm", "email": "modtagelse@sandholm.example"}
    assert receive(engine, amendment(FAMILY, asylum_centre=centre)).outcome == "amended"
    moving = [m for m in new_messages(engine, mark) if m.message_type == "moving_notice"]
    assert len(moving) == 1 and "sandholm.example" in moving[0].extra_urls[0]
    assert moving[0].context["centre_name"] == "Center Sandholm"
    with session(engine) as db:
        assert db.exec(select(Case.asylum_centre_email)).one() == "modtagelse@sandholm.example"
    assert steps(engine, ref)[("flyttemeddelelse", "")].status == "done"


def test_the_same_amendment_again_changes_nothing_and_other_content_is_a_conflict(
    engine: Engine,
) -> None:
    open_case(engine, FAMILY)
    change = amendment(FAMILY, expected_arrival="2027-01-11")
    assert receive(engine, change).outcome == "amended"
    before = state(engine)
    pretty = json.dumps(change, indent=4).encode()
    again = receive_file(engine, DEFINITION, SETTINGS, file_name="igen.json", raw=pretty)
    assert (again.outcome, again.case_ref) == ("duplicate", "KR-2026-0001")
    assert state(engine)[:5] == before[:5]
    conflict = receive(engine, {**change, "expected_arrival": "2027-01-12"})
    assert conflict.outcome == "conflict"
    assert [p.where for p in conflict.problems] == ["notice_id"]
    assert state(engine)[:5] == before[:5]


def test_refused_amendments_name_the_field_and_change_nothing(engine: Engine) -> None:
    open_case(engine, FAMILY)
    applied = amendment(FAMILY, 5, interpreter_language="ti")
    assert receive(engine, applied).outcome == "amended"
    before = state(engine)
    members = [dict(m) for m in FAMILY["members"]]
    members[2]["role"] = "aegtefaelle"
    cases = {
        "stale": (amendment(FAMILY, 3, interpreter_language="fa"), "issued_at", "forældet"),
        "unknown": (
            {**amendment(FAMILY, 6), "reference_notice_id": "UST-UKENDT"},
            "reference_notice_id",
            "ingen sag",
        ),
        "points at an amendment": (
            {**amendment(FAMILY, 7), "reference_notice_id": applied["notice_id"]},
            "reference_notice_id",
            "henviser til ændringen",
        ),
        "role": (amendment(FAMILY, 8, members=members), "members[2].role", "skifte rolle"),
        "no member left": (amendment(FAMILY, 9, members=[]), "members", "mindst 1"),
        "bad arrival": (
            amendment(FAMILY, 9, expected_arrival="2026-11-01"),
            "expected_arrival",
            "før meddelelsens dato",
        ),
    }
    for name, (data, where, words) in cases.items():
        result = receive(engine, data, f"{name}.json")
        assert result.outcome == "rejected", name
        assert [p.where for p in result.problems] == [where], (name, result.problems)
        assert words in result.problems[0].message, (name, result.problems)
    assert state(engine)[:5] == before[:5]
    with session(engine) as db:
        rejected = db.exec(
            select(OutboxMessage).where(OutboxMessage.message_type == "notice_rejected")
        ).all()
    assert len(rejected) == len(cases)


def test_an_amendment_to_an_ended_case_is_refused_naming_the_reference(engine: Engine) -> None:
    open_case(engine, FAMILY)
    with session(engine) as db:
        db.execute(update(Case).values(status="completed"))
    before = state(engine)
    result = receive(engine, amendment(FAMILY, expected_arrival="2027-01-11"))
    assert result.outcome == "rejected"
    assert [p.where for p in result.problems] == ["reference_notice_id"]
    assert "afsluttet" in result.problems[0].message
    assert state(engine)[:5] == before[:5]


AMEND_THEN_HANG = """
    import sys, time
    from koereplan.definition_file import load_definition
    from koereplan.paths import CONFIG_DIR
    from settings import Settings
    from models.db import make_engine
    from services.intake import receive_file

    definition = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
    engine = make_engine(sys.argv[1])
    raw = sys.argv[2].encode()
    result = receive_file(engine, definition, Settings(), file_name="a.json", raw=raw)
    assert result.outcome == "amended", result
    print("ready", flush=True)  # committed; the dispatch that would follow never happens
    time.sleep(600)
"""


def test_a_kill_between_applying_and_dispatching_delivers_every_message_once(
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    http_receiver: WebhookSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ref = open_case(engine, FAMILY)
    members = [dict(m) for m in FAMILY["members"] if m["person_id"] != "P-80005"]
    members[2]["birth_date"] = "2007-01-01"
    change = amendment(FAMILY, members=members, expected_arrival="2027-01-11")
    with mail_sink() as smtp:
        monkeypatch.setenv("KOEREPLAN_ASYLUM_MAIL_URL", smtp.base_url)
        start_and_kill(db_url, AMEND_THEN_HANG, json.dumps(change))
        with session(engine) as db:
            query = select(OutboxMessage).where(OutboxMessage.status == "pending")
            kinds = Counter(m.message_type for m in db.exec(query).all())
        assert {"new_steps", "steps_lapsed", "due_moved", "moving_notice"} <= set(kinds)
        sender = real_sender(tmp_path, smtp.port, http_receiver)
        first = dispatch(engine, sender, DEFINITION)
        second = dispatch(engine, sender, DEFINITION, now=utcnow() + LATER)
        assert (first.failed, first.retried, second.messages) == (0, 0, 0)
        pairs = zip(http_receiver.paths, http_receiver.requests, strict=True)
        received = [(path, body["title"]) for path, body in pairs]
        received += [(str(m["To"]), str(m["Subject"])) for m in smtp.messages]
        assert len(received) == len(set(received))
        assert any("bortfaldet" in title and ref in title for _, title in received)
        assert personal_data_in(smtp, http_receiver) == []
    with session(engine) as db:
        statuses = Counter(db.exec(select(OutboxMessage.status)).all())
    assert set(statuses) == {"sent"}
