"""A coordinator's answer from the Prefect UI form, applied to the case exactly once.

The reception run calls `apply_answer` with the answer it waited for; the run's task only
names the answer (`<run id>:svar-<n>`) and logs. Every answer is claimed first by moving the
case's answer counter on, so a resumed run that replays the same answer finds it claimed; a
refused answer keeps its claim (the form has moved on) and changes nothing else.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from koereplan.answers import (
    ALREADY_APPLIED,
    CLOSE_FIELD,
    DONE,
    KEEP_OPEN,
    NO_STEP,
    NOT_APPLICABLE,
    refused,
)
from koereplan.danish import CLOSE_REASON_DA
from koereplan.definition import Definition
from koereplan.notes import refusal
from koereplan.status import StepStatus
from koereplan.workdays import local_date
from models.db import session
from models.tables import Case
from services.casefile import CaseError
from services.checklist import snapshot
from services.ending import close_case
from services.schedule import reschedule
from services.steps import already_applied, mark_step
from services.takeover import record_consent

# The form's Danish action to the step action `mark_step` knows.
ACTIONS = {DONE: StepStatus.DONE.value, NOT_APPLICABLE: StepStatus.NOT_APPLICABLE.value}


def apply_answer(
    engine: Engine,
    definition: Definition,
    case_ref: str,
    number: int,
    answer: dict[str, Any],
    input_key: str,
) -> str:
    """Apply answer `number` of the case once; say what happened, in Danish.

    A refused answer returns `refused(<why>)` (see `was_refused`) and changes nothing.
    """
    with session(engine) as db:
        claimed = db.execute(
            update(Case)
            .where(col(Case.ref) == case_ref, col(Case.inputs_applied) == number)
            .values(inputs_applied=number + 1)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return ALREADY_APPLIED
        try:
            with db.begin_nested():  # a refused answer changes nothing, not even half of it
                return apply_fields(db, definition, case_ref, answer, input_key)
        except CaseError as error:
            return refused(str(error))


def form_date(value: Any) -> date | None:
    """A form date: a date, an ISO string, or empty."""
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def apply_fields(
    db: Session, definition: Definition, case_ref: str, answer: dict[str, Any], input_key: str
) -> str:
    """The answer's fields in the form's order: closing, consent, arrival, then the step.

    Raises CaseError for an answer that cannot be applied; the caller rolls back.
    """
    keys = (input_key, f"{input_key}:ankomst", f"{input_key}:samtykke")
    if any(already_applied(db, key) for key in keys):
        return ALREADY_APPLIED
    problem = refusal({"noten": answer.get("note"), "begrundelsen": answer.get("begrundelse")})
    if problem:  # before anything moves: the answer is refused whole, as the form shows
        raise CaseError(problem)
    by = str(answer.get("initialer") or "").strip()
    closing = str(answer.get(CLOSE_FIELD) or "").strip()
    if closing and closing != KEEP_OPEN:
        grund = next((k for k, word in CLOSE_REASON_DA.items() if word == closing), closing)
        return _close(db, definition, case_ref, answer, grund, by, f"{input_key}:luk")
    done: list[str] = []
    consent = form_date(answer.get("overtagelse_samtykke"))
    if consent:
        moved = record_consent(
            db,
            definition,
            ref=case_ref,
            takeover=consent,
            consent=bool(answer.get("samtykke_givet")),
            by=by,
            input_key=f"{input_key}:samtykke",
        ).moved
        done.append(
            f"overtagelse {consent.isoformat()} efter samtykke ({len(moved)} frister flyttet)"
        )
    new_arrival = form_date(answer.get("ny_ankomstdato"))
    if new_arrival:
        arrival = new_arrival
        result = reschedule(
            db,
            definition,
            ref=case_ref,
            arrival=arrival,
            by=by or "ukendt",
            input_key=f"{input_key}:ankomst",
        )
        done.append(f"ny ankomstdato {arrival.isoformat()} ({len(result.moved)} frister flyttet)")
    label = answer.get("trin")
    if label and label != NO_STEP:
        view = snapshot(db, definition, case_ref, local_date())
        choice = view.choice(str(label))
        if choice is None:
            raise CaseError("Trinnet i svaret findes ikke længere blandt de åbne trin.")
        action = ACTIONS.get(str(answer.get("handling") or DONE), StepStatus.DONE.value)
        change = mark_step(
            db,
            definition,
            ref=case_ref,
            key=choice.key,
            person_id=choice.person_id,
            action=action,
            by=by,
            note=answer.get("note") or None,
            reason=answer.get("begrundelse") or None,
            input_key=input_key,
            registered=form_date(answer.get("registreringsdato_cpr")),
        )
        marked = change.marked.title if change.marked else choice.key
        done.append(f"{marked}: {answer.get('handling') or DONE} ({by})")
    elif answer.get("registreringsdato_cpr"):
        raise CaseError(
            "Registreringsdato i CPR: vælg trinnet 'Registreret i CPR som tilflyttet kommunen'"
            " sammen med datoen. Intet er ændret."
        )
    return "; ".join(done) or "opdateret"


def _close(
    db: Session,
    definition: Definition,
    case_ref: str,
    answer: dict[str, Any],
    grund: str,
    by: str,
    key: str,
) -> str:
    """The form's "luk sagen": the case closes; the run sees it on its next look and completes."""
    if already_applied(db, key):
        return ALREADY_APPLIED
    ended = close_case(
        db,
        definition,
        ref=case_ref,
        grund=grund,
        kommune=str(answer.get("ny_kommune") or "").strip() or None,
        note=str(answer.get("note") or "").strip() or None,
        by=by,
        input_key=key,
    )
    return f"{ended.status_reason} ({by}); {len(ended.lapsed)} trin ikke længere relevante"
