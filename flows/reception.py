"""One household's reception: tell departments, show the checklist, wait for coordinators."""

from __future__ import annotations

from prefect import flow
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run

from flows.forms import coordinator_form, form_intro
from tasks.casework import apply_answer, link_flow_run, refresh_case

# A household waits months between answers; the run holds no process meanwhile.
WAIT_SECONDS = 3 * 365 * 24 * 3600


def run_name() -> str:
    """Keep the name intake gave the run (`-2` after a reopening), else `modtagelse-<ref>`."""
    given = flow_run.get_name() or ""
    default = f"modtagelse-{flow_run.get_parameters().get('case_ref')}"
    return given if given.startswith(default) else default


@flow(
    name="reception",
    flow_run_name=run_name,
    persist_result=True,
    log_prints=False,
)
def reception(case_ref: str) -> str:
    """Drive one case until every step is finished, or the case is withdrawn or closed.

    Each wait is a suspension keyed by the number of answers applied so far: after a
    resume the flow runs again from the top, finds that answer under the same key, applies
    it once (the database remembers) and waits for the next.
    """
    link_flow_run(case_ref)
    note = None
    while True:
        view = refresh_case(case_ref, note)
        if view.completed:
            return f"{case_ref}: alle trin er afsluttet"
        if not view.active:
            return f"{case_ref}: sagen er {view.status_text()}"
        answer = suspend_flow_run(
            wait_for_input=coordinator_form(view).with_initial_data(
                description=form_intro(case_ref, note), handling="udført"
            ),
            key=f"svar-{view.inputs_applied}",
            timeout=WAIT_SECONDS,
        )
        note = apply_answer(case_ref, view.inputs_applied, answer.model_dump(mode="json"))
