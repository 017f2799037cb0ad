"""Reception tasks: link the run to its case, show the checklist, apply a coordinator's answer."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.runtime import flow_run
from sqlalchemy import update
from sqlmodel import col

from flows.forms import CLOSE_FIELD, KEEP_OPEN, NO_STEP, refused
from koereplan.danish import CLOSE_REASON_DA
from koereplan.notes import refusal
from koereplan.run_names import status_tags
from koereplan.workdays import local_date
from models.db import session
from models.faults import reduced_database_errors
from models.tables import Case
from services.casefile import CaseError, load_case
from services.checklist import Snapshot, snapshot
from services.ending import close_case
from services.runtime import get_runtime
from services.schedule import reschedule
from services.steps import already_applied, mark_step
from services.takeover import record_consent
from tasks.artifacts import publish_checklist
from tasks.notify import dispatch_outbox

ACTIONS = {"udført": "done", "ikke relevant": "not_applicable"}


@task(cache_policy=NO_CACHE)
@reduced_database_errors
def link_flow_run(case_ref: str) -> None:
    """Remember which run drives the case, so the CLI and messages can point at it."""
    run_id = flow_run.get_id()
    if not run_id:
        return
    with session(get_runtime().engine) as db:
        db.execute(
            update(Case)
            .where(col(Case.ref) == case_ref, col(Case.flow_run_id).is_distinct_from(run_id))
            .values(flow_run_id=run_id)
        )


@task(cache_policy=NO_CACHE)
@reduced_database_errors
def refresh_case(case_ref: str, note: str | None = None) -> Snapshot:
    """Send what is pending for the case, then publish its checklist as the run's artifact."""
    runtime = get_runtime()
    with session(runtime.engine) as db:
        case_id = load_case(db, case_ref).case.id
    dispatch_outbox.fn(case_id)
    with session(runtime.engine) as db:
        view = snapshot(db, runtime.definition, case_ref, local_date())
    publish_checklist(view, note)
    tag_run(view.status)
    return view


def tag_run(status: str) -> None:
    """Keep the current run's `status:` tag equal to the case status."""
    run_id = flow_run.get_id()
    current = list(flow_run.get_tags())  # as the run was loaded: no API call when unchanged
    tags = status_tags(current, status)
    if not run_id or tags == current:
        return
    try:
        with get_client(sync_client=True) as client:
            client.update_flow_run(UUID(run_id), tags=tags)
    except Exception as error:  # a tag is a filter aid: the checklist and the wait go on
        get_run_logger().warning("Statusmærket blev ikke opdateret (%s)", type(error).__name__)


@task(cache_policy=NO_CACHE)
@reduced_database_errors
def apply_answer(case_ref: str, number: int, answer: dict[str, Any]) -> str:
    """Apply one answer from the Prefect UI form exactly once; say what happened, in Danish."""
    runtime = get_runtime()
    input_key = f"{flow_run.get_id()}:svar-{number}"
    with session(runtime.engine) as db:
        claimed = db.execute(
            update(Case)
            .where(col(Case.ref) == case_ref, col(Case.inputs_applied) == number)
            .values(inputs_applied=number + 1)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return "allerede registreret"
        try:
            with db.begin_nested():  # a refused answer changes nothing, not even half of it
                return _apply(db, runtime, case_ref, answer, input_key)
        except CaseError as error:
            get_run_logger().warning("Registreringen blev ikke gennemført: %s", error)
            return refused(str(error))


def _date(value: Any) -> date | None:
    """A form date: a date, an ISO string, or empty."""
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _apply(db: Any, runtime: Any, case_ref: str, answer: dict[str, Any], input_key: str) -> str:
    keys = (input_key, f"{input_key}:ankomst", f"{input_key}:samtykke")
    if any(already_applied(db, key) for key in keys):
        return "allerede registreret"
    refused = refusal({"noten": answer.get("note"), "begrundelsen": answer.get("begrundelse")})
    if refused:  # before anything moves: the answer is refused whole, as the form shows
        raise CaseError(refused)
    by = str(answer.get("initialer") or "").strip()
    closing = str(answer.get(CLOSE_FIELD) or "").strip()
    if closing and closing != KEEP_OPEN:
        grund = next((k for k, word in CLOSE_REASON_DA.items() if word == closing), closing)
        return _close(db, runtime, case_ref, answer, grund, by, f"{input_key}:luk")
    done: list[str] = []
    consent = _date(answer.get("overtagelse_samtykke"))
    if consent:
        moved = record_consent(
            db,
            runtime.definition,
            ref=case_ref,
            takeover=consent,
            consent=bool(answer.get("samtykke_givet")),
            by=by,
            input_key=f"{input_key}:samtykke",
        ).moved
        done.append(
            f"overtagelse {consent.isoformat()} efter samtykke ({len(moved)} frister flyttet)"
        )
    new_arrival = _date(answer.get("ny_ankomstdato"))
    if new_arrival:
        arrival = new_arrival
        result = reschedule(
            db,
            runtime.definition,
            ref=case_ref,
            arrival=arrival,
            by=by or "ukendt",
            input_key=f"{input_key}:ankomst",
        )
        done.append(f"ny ankomstdato {arrival.isoformat()} ({len(result.moved)} frister flyttet)")
    label = answer.get("trin")
    if label and label != NO_STEP:
        view = snapshot(db, runtime.definition, case_ref, local_date())
        choice = view.choice(str(label))
        if choice is None:
            raise CaseError("Trinnet i svaret findes ikke længere blandt de åbne trin.")
        action = ACTIONS.get(str(answer.get("handling") or "udført"), "done")
        change = mark_step(
            db,
            runtime.definition,
            ref=case_ref,
            key=choice.key,
            person_id=choice.person_id,
            action=action,
            by=by,
            note=answer.get("note") or None,
            reason=answer.get("begrundelse") or None,
            input_key=input_key,
            registered=_date(answer.get("registreringsdato_cpr")),
        )
        marked = change.marked.title if change.marked else choice.key
        done.append(f"{marked}: {answer.get('handling') or 'udført'} ({by})")
    elif answer.get("registreringsdato_cpr"):
        raise CaseError(
            "Registreringsdato i CPR: vælg trinnet 'Registreret i CPR som tilflyttet kommunen'"
            " sammen med datoen. Intet er ændret."
        )
    return "; ".join(done) or "opdateret"


def _close(
    db: Any, runtime: Any, case_ref: str, answer: dict[str, Any], grund: str, by: str, key: str
) -> str:
    """The form's "luk sagen": the case closes; the run sees it on its next look and completes."""
    if already_applied(db, key):
        return "allerede registreret"
    ended = close_case(
        db,
        runtime.definition,
        ref=case_ref,
        grund=grund,
        kommune=str(answer.get("ny_kommune") or "").strip() or None,
        note=str(answer.get("note") or "").strip() or None,
        by=by,
        input_key=key,
    )
    return f"{ended.status_reason} ({by}); {len(ended.lapsed)} trin ikke længere relevante"
