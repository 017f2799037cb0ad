"""The takeover on a real database: CPR registration opens the waiting legal steps, consent
moves them, bad dates change nothing, and the arrival never moves the takeover."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR
from koereplan.workdays import local_date
from models.db import session
from models.tables import AuditEntry, Case, OutboxMessage, Step
from services.answers import apply_fields
from services.casefile import CaseError, load_case
from services.checklist import snapshot
from services.intake import receive_file
from services.schedule import reschedule
from services.steps import mark_step
from services.takeover import record_consent
from settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFINITION = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
TAKEOVER_ANCHORED = {s.key for s in DEFINITION.steps if s.due.anchor == "takeover"}
REGISTERED = date(2026, 11, 24)  # the day after the notice; never in the future


def receive(engine: Engine, **changes: Any) -> str:
    data = json.loads((EXAMPLES / "enlig-voksen.json").read_text())
    data.update(changes)
    raw = json.dumps(data).encode()
    result = receive_file(engine, DEFINITION, Settings(), file_name="n.json", raw=raw)
    assert result.case_ref, result.problems
    return result.case_ref


def steps(engine: Engine, ref: str) -> dict[tuple[str, str], Step]:
    with session(engine) as db:
        return {(s.key, s.person_id): s for s in load_case(db, ref).steps}


def stored_case(engine: Engine, ref: str) -> Case:
    with session(engine) as db:
        return db.exec(select(Case).where(Case.ref == ref)).one()


def outbox(engine: Engine, message_type: str) -> list[OutboxMessage]:
    with session(engine) as db:
        query = select(OutboxMessage).where(OutboxMessage.message_type == message_type)
        return list(db.exec(query.order_by(col(OutboxMessage.id))).all())


def mark(engine: Engine, ref: str, key: str, action: str = "done", **kwargs: Any) -> Any:
    with session(engine) as db:
        return mark_step(
            db, DEFINITION, ref=ref, key=key, person_id=None, action=action, by="KT", **kwargs
        )


def register(engine: Engine, ref: str, day: date | None) -> Any:
    return mark(engine, ref, "cpr_tilflyttet", registered=day)


def test_a_quota_household_waits_then_opens_on_its_cpr_registration(engine: Engine) -> None:
    ref = receive(engine, legal_basis="kvote")
    case = stored_case(engine, ref)
    assert (case.takeover_date, case.takeover_basis, case.legal_basis) == (
        None,
        "cpr_registration",
        "kvote",
    )
    before = steps(engine, ref)
    assert before[("cpr_tilflyttet", "")].status == "open"
    waiting = [s for (key, _), s in before.items() if key in TAKEOVER_ANCHORED]
    assert waiting and all(s.status == "waiting" and s.due is None for s in waiting)
    with session(engine) as db:
        view = snapshot(db, DEFINITION, ref, date(2026, 11, 25))
    assert view.takeover_text() == "Overtagelse ikke fastsat (venter på registrering i CPR)"
    contract = next(r for r in view.rows if r.key == "integrationskontrakt")
    assert contract.status == "venter på registrering i CPR"
    new_steps_before = len(outbox(engine, "new_steps"))

    change = register(engine, ref, REGISTERED)

    case = stored_case(engine, ref)
    assert (case.takeover_date, case.takeover_basis) == (REGISTERED, "cpr_registration")
    after = steps(engine, ref)
    assert after[("cpr_tilflyttet", "")].status == "done"
    assert after[("integrationskontrakt", "P-77120")].due == date(2026, 12, 24)
    assert after[("integrationskontrakt", "P-77120")].status == "open"
    assert after[("visitation", "P-77120")].due == date(2027, 2, 24)
    assert after[("helbredsvurdering", "P-77120")].due == date(2027, 5, 24)
    assert {s.key for s in change.opened} >= {"integrationskontrakt", "visitation"}
    messages = outbox(engine, "new_steps")[new_steps_before:]
    departments = [m.department for m in messages]
    assert sorted(departments) == sorted(set(departments))  # one message per department
    assert "jobcenter-integration" in departments
    with session(engine) as db:
        audit = db.exec(select(AuditEntry).where(AuditEntry.action == "takeover")).one()
        view = snapshot(db, DEFINITION, ref, date(2026, 11, 25))
    assert (audit.who, audit.new, audit.detail) == ("KT", "2026-11-24", "fra CPR-registrering")
    assert view.takeover_text() == "Overtagelse 24. november 2026 (fra CPR-registrering)"


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (None, "Registreringsdato i CPR mangler"),
        (date(2026, 11, 22), "Registreringsdato i CPR 2026-11-22 ligger før afgørelsesdatoen"),
        (local_date() + timedelta(days=1), "ligger i fremtiden"),
    ],
)
def test_a_missing_or_bad_registration_date_changes_nothing(
    engine: Engine, day: date | None, message: str
) -> None:
    ref = receive(engine, legal_basis="kvote")
    before = steps(engine, ref)
    with pytest.raises(CaseError, match=message):
        register(engine, ref, day)
    assert stored_case(engine, ref).takeover_date is None
    after = steps(engine, ref)
    assert {k: (s.status, s.due) for k, s in after.items()} == {
        k: (s.status, s.due) for k, s in before.items()
    }


def test_the_registration_step_cannot_be_skipped_and_the_date_fits_no_other_step(
    engine: Engine,
) -> None:
    ref = receive(engine, legal_basis="kvote")
    with pytest.raises(CaseError, match="kan ikke markeres ikke relevant"):
        mark(engine, ref, "cpr_tilflyttet", "not_applicable", reason="flyttet")
    with pytest.raises(CaseError, match="hører kun til trinnet"):
        mark(engine, ref, "bolig_indbo", registered=REGISTERED)


def test_consent_moves_the_open_legal_steps_tells_the_department_and_is_audited(
    engine: Engine,
) -> None:
    ref = receive(engine)
    assert steps(engine, ref)[("integrationskontrakt", "P-77120")].due == date(2027, 2, 4)
    with session(engine) as db:
        result = record_consent(
            db, DEFINITION, ref=ref, takeover=date(2026, 12, 9), consent=True, by="KT"
        )
    assert result.old_takeover == date(2027, 1, 4)
    after = steps(engine, ref)
    assert after[("integrationskontrakt", "P-77120")].due == date(2027, 1, 9)
    assert after[("visitation", "P-77120")].due == date(2027, 3, 9)
    assert (
        after[("moede_jobcenter", "P-77120")].due
        == steps(engine, ref)[("moede_jobcenter", "P-77120")].due
    )
    case = stored_case(engine, ref)
    assert (case.takeover_date, case.takeover_basis) == (date(2026, 12, 9), "consent")
    moved = outbox(engine, "due_moved")
    assert [m.department for m in moved] == ["jobcenter-integration"]
    assert moved[0].context["reason"].startswith("Overtagelse efter samtykke")
    with session(engine) as db:
        audit = db.exec(select(AuditEntry).where(AuditEntry.action == "takeover")).one()
    assert (audit.who, audit.old, audit.new, audit.detail) == (
        "KT",
        "2027-01-04",
        "2026-12-09",
        "efter samtykke",
    )


@pytest.mark.parametrize(
    ("day", "consent", "message"),
    [
        (date(2027, 1, 5), True, "Overtagelsesdato efter samtykke 2027-01-05 ligger efter lovens"),
        (date(2026, 11, 22), True, "Overtagelsesdato efter samtykke 2026-11-22 ligger før"),
        (date(2026, 12, 9), False, "kræver borgerens samtykke"),
    ],
)
def test_a_consent_out_of_bounds_or_without_consent_changes_nothing(
    engine: Engine, day: date, consent: bool, message: str
) -> None:
    ref = receive(engine)
    with session(engine) as db, pytest.raises(CaseError, match=message):
        record_consent(db, DEFINITION, ref=ref, takeover=day, consent=consent, by="KT")
    case = stored_case(engine, ref)
    assert (case.takeover_date, case.takeover_basis) == (date(2027, 1, 4), "statutory")
    assert outbox(engine, "due_moved") == []


def test_consent_bounds_are_included(engine: Engine) -> None:
    ref = receive(engine)
    for day in (date(2026, 11, 23), date(2027, 1, 4)):
        with session(engine) as db:
            record_consent(db, DEFINITION, ref=ref, takeover=day, consent=True, by="KT")
        assert stored_case(engine, ref).takeover_date == day


def test_a_quota_case_takes_no_consent(engine: Engine) -> None:
    ref = receive(engine, legal_basis="kvote")
    with session(engine) as db, pytest.raises(CaseError, match="registreringen i CPR"):
        record_consent(db, DEFINITION, ref=ref, takeover=REGISTERED, consent=True, by="KT")


def test_a_new_arrival_never_moves_a_consent_or_a_registration(engine: Engine) -> None:
    ref = receive(engine, legal_basis="kvote")
    register(engine, ref, REGISTERED)
    with session(engine) as db:
        result = reschedule(db, DEFINITION, ref=ref, arrival=date(2026, 12, 16), by="KT")
    assert not {s.key for s, _ in result.moved} & TAKEOVER_ANCHORED
    assert stored_case(engine, ref).takeover_date == REGISTERED


# --- the same through the Prefect UI form's answer ------------------------------------------


def answer(engine: Engine, ref: str, key: str, **fields: object) -> str:
    with session(engine) as db:
        return apply_fields(db, DEFINITION, ref, dict(fields), key)


def label_of(engine: Engine, ref: str, key: str) -> str:
    with session(engine) as db:
        view = snapshot(db, DEFINITION, ref, date(2026, 11, 25))
    return next(c.label for c in view.choices if c.key == key)


def test_the_form_records_the_registration_date_with_the_step(engine: Engine) -> None:
    ref = receive(engine, legal_basis="kvote")
    label = label_of(engine, ref, "cpr_tilflyttet")
    said = answer(
        engine,
        ref,
        "run:svar-0",
        trin=label,
        handling="udført",
        initialer="KT",
        registreringsdato_cpr="2026-11-24",
    )
    assert said.endswith(": udført (KT)")
    assert stored_case(engine, ref).takeover_date == REGISTERED
    assert steps(engine, ref)[("integrationskontrakt", "P-77120")].status == "open"


def test_the_form_refuses_a_registration_date_without_its_step(engine: Engine) -> None:
    ref = receive(engine, legal_basis="kvote")
    with pytest.raises(CaseError, match="Registreringsdato i CPR: vælg trinnet"):
        answer(engine, ref, "run:svar-0", initialer="KT", registreringsdato_cpr="2026-11-24")


def test_the_form_records_a_consent_once(engine: Engine) -> None:
    ref = receive(engine)
    fields = {"initialer": "KT", "overtagelse_samtykke": "2026-12-09", "samtykke_givet": True}
    said = answer(engine, ref, "run:svar-0", **fields)
    assert said.startswith("overtagelse 2026-12-09 efter samtykke")
    assert answer(engine, ref, "run:svar-0", **fields) == "allerede registreret"
    assert stored_case(engine, ref).takeover_basis == "consent"


def test_intake_rejects_a_consent_after_the_statutory_date_naming_the_field(
    engine: Engine,
) -> None:
    data = json.loads((EXAMPLES / "enlig-voksen.json").read_text())
    data["takeover_date"] = "2027-01-05"
    raw = json.dumps(data).encode()
    result = receive_file(engine, DEFINITION, Settings(), file_name="sen.json", raw=raw)
    assert result.outcome == "rejected" and result.quarantined
    assert [p.where for p in result.problems] == ["takeover_date"]
    assert result.problems[0].message.startswith("ligger efter lovens frist for overtagelse")
    with session(engine) as db:
        assert db.exec(select(Case)).all() == []
