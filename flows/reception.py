"""One household's reception: tell departments, show the checklist, wait for coordinators."""

from __future__ import annotations

from prefect import flow
from prefect.flow_runs import suspend_flow_run
from prefect.runtime import flow_run

from flows.forms import coordinator_form, form_intro
from tasks.reception import answer_key, take_turn

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

    Each wait is a suspension keyed by the number of answers applied so far. A resume runs
    the flow again from the top: its first turn finds the answer under that key, applies it
    once (the database remembers), sends and redraws, and the run waits for the next.
    """
    answer = None
    while True:
        turn = take_turn(case_ref, answer)
        view = turn.view
        if view.completed:
            return f"{case_ref}: alle trin er afsluttet"
        if not view.active:
            return f"{case_ref}: sagen er {view.status_text()}"
        given = suspend_flow_run(
            wait_for_input=coordinator_form(view).with_initial_data(
                description=form_intro(case_ref, turn.note), handling="udført"
            ),
            key=answer_key(view.inputs_applied),
            timeout=WAIT_SECONDS,
        )
        # Reached only when Prefect refused the wait because the run had waited under this
        # key before and holds its answer: the next turn applies that answer.
        answer = given.model_dump(mode="json")
