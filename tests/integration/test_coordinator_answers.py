"""Answers from the Prefect UI form, applied to a real database as the reception flow does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from flows.forms import coordinator_form
from koereplan.answers import NO_STEP
from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR
from models.db import session
from services.answers import apply_fields
from services.casefile import CaseError, load_case
from services.checklist import snapshot
from services.intake import receive_file
from settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFINITION = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")


def new_case(engine: Engine) -> str:
    raw = (EXAMPLES / "familie.json").read_bytes()
    result = receive_file(engine, DEFINITION, Settings(), file_name="familie.json", raw=raw)
    assert result.case_ref
    return result.case_ref


def answer(engine: Engine, ref: str, key: str, **fields: object) -> str:
    with session(engine) as db:
        return apply_fields(db, DEFINITION, ref, dict(fields), key)


def label_of(engine: Engine, ref: str, title: str) -> str:
    with session(engine) as db:
        view = snapshot(db, DEFINITION, ref, date(2026, 11, 24))
    return next(c.label for c in view.choices if c.label.startswith(title))


def test_the_form_lists_unfinished_steps_open_first_without_names(engine: Engine) -> None:
    ref = new_case(engine)
    with session(engine) as db:
        view = snapshot(db, DEFINITION, ref, date(2026, 11, 24))
    schema = coordinator_form(view).model_json_schema()
    options = schema["properties"]["trin"]["enum"]
    assert options[0] == NO_STEP
    assert options[1].startswith("Boligbehov meldt")
    assert any(o.startswith("Skattekort bestilt – hovedperson (frist") for o in options)
    assert not any(name in str(schema) for name in ("Rami", "Haddad", "1985-06-30"))


def test_an_answer_marks_the_step_and_a_replay_changes_nothing(engine: Engine) -> None:
    ref = new_case(engine)
    label = label_of(engine, ref, "Bolig fundet og indbo bestilt")
    said = answer(engine, ref, "run:svar-0", trin=label, handling="udført", initialer="KT")
    assert said == "Bolig fundet og indbo bestilt: udført (KT)"
    again = answer(engine, ref, "run:svar-0", trin=label, handling="udført", initialer="KT")
    assert again == "allerede registreret"  # the same input key: nothing applied twice
    with session(engine) as db:
        steps = {(s.key, s.person_id): s for s in load_case(db, ref).steps}
    assert steps[("bolig_indbo", "")].done_by == "KT"
    assert steps[("affald", "")].status == "open"


def test_not_applicable_needs_a_reason(engine: Engine) -> None:
    ref = new_case(engine)
    label = label_of(engine, ref, "Affald bortskaffet")
    with pytest.raises(CaseError, match="begrundelse"):
        answer(engine, ref, "run:svar-0", trin=label, handling="ikke relevant", initialer="KT")


def test_a_new_arrival_date_from_the_form_moves_the_dates(engine: Engine) -> None:
    ref = new_case(engine)
    said = answer(
        engine, ref, "run:svar-0", trin=NO_STEP, initialer="KT", ny_ankomstdato="2026-12-15"
    )
    assert said.startswith("ny ankomstdato 2026-12-15")
    with session(engine) as db:
        case = load_case(db, ref)
    assert case.case.arrival_date == date(2026, 12, 15)
    steps = {(s.key, s.person_id): s for s in case.steps}
    assert steps[("moede_jobcenter", "P-80001")].due == date(2027, 1, 4)  # +10 wd
    assert steps[("integrationskontrakt", "P-80001")].due == date(2027, 2, 4)  # takeover kept


def test_a_step_finished_elsewhere_meanwhile_is_a_clear_message(engine: Engine) -> None:
    ref = new_case(engine)
    label = label_of(engine, ref, "Bolig fundet og indbo bestilt")
    answer(engine, ref, "run:svar-0", trin=label, handling="udført", initialer="KT")
    with pytest.raises(CaseError, match="findes ikke længere"):
        answer(engine, ref, "run:svar-1", trin=label, handling="udført", initialer="AB")
