"""Which steps may start: the "after X" rule, shared by planning and by marking steps done.

A step waits for the instances of each step it comes after: the same member's instance when
the dependency is per member, the household's when it is per household, all of them when a
household step comes after a per-member step. A dependency with no instance in the case is met.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from koereplan.status import StepKind, StepStatus

FINISHED = frozenset({StepStatus.DONE, StepStatus.NOT_APPLICABLE})
OVERDUE_CAPABLE = frozenset({StepStatus.PLANNED, StepStatus.OPEN})


@dataclass(frozen=True)
class StepRef:
    """A step instance as the dependency rule sees it."""

    key: str
    person_id: str | None
    status: str


def dependencies_met(person_id: str | None, after: Iterable[str], steps: Iterable[StepRef]) -> bool:
    """True when every instance this step comes after is done or not applicable."""
    by_key: dict[str, list[StepRef]] = {}
    for step in steps:
        by_key.setdefault(step.key, []).append(step)
    return all(
        ref.status in FINISHED
        for key in after
        for ref in by_key.get(key, ())
        if person_id is None or ref.person_id in (None, person_id)
    )


def opening_status(
    *, kind: str, anchor_known: bool, deps_met: bool, current: str = StepStatus.PLANNED
) -> str:
    """The status a not-yet-finished step should have now (see the spec's "status" words)."""
    if current in FINISHED:
        return current
    if kind == StepKind.AUTOMATIC and deps_met and anchor_known:
        return StepStatus.DONE
    if not anchor_known:
        return StepStatus.WAITING
    if not deps_met:
        return StepStatus.PLANNED
    return StepStatus.OPEN


def is_overdue(status: str, due: date | None, today: date) -> bool:
    """The spec's "overdue": planned or open, and due before today (not a status of its own)."""
    return status in OVERDUE_CAPABLE and due is not None and due < today
