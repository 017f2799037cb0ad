"""A case planned again: which stored steps a fresh plan adds, lets lapse or moves.

Steps are matched by (key, person_id). Finished steps (done, not applicable) are history
and never change, whatever the new plan says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar

from koereplan.planner import PlannedStep
from koereplan.progress import FINISHED

LAPSED_REASON = "bortfaldet efter ændring fra Udlændingestyrelsen"


class StoredStep(Protocol):
    """What the comparison reads of a stored step."""

    @property
    def key(self) -> str: ...
    @property
    def person_id(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def due(self) -> date | None: ...


S = TypeVar("S", bound=StoredStep)
StepKey = tuple[str, str]


def step_key(step: StoredStep | PlannedStep) -> StepKey:
    """(key, person_id) with "" for a household step, as the database stores it."""
    return step.key, step.person_id or ""


@dataclass(frozen=True)
class StepChanges(Generic[S]):
    """What applying a new plan does to the stored steps."""

    added: tuple[PlannedStep, ...]
    lapsed: tuple[S, ...]
    moved: tuple[tuple[S, date | None], ...]  # (stored step, its new due date)

    @property
    def empty(self) -> bool:
        """Nothing to do."""
        return not (self.added or self.lapsed or self.moved)


def compare_steps(stored: Sequence[S], planned: Sequence[PlannedStep]) -> StepChanges[S]:
    """Added (planned, not stored), lapsed (unfinished, no longer planned), moved (new due)."""
    new = {step_key(p): p for p in planned}
    have = {step_key(s) for s in stored}
    added = tuple(p for p in planned if step_key(p) not in have)
    lapsed = []
    moved = []
    for step in stored:
        if step.status in FINISHED:
            continue
        again = new.get(step_key(step))
        if again is None:
            lapsed.append(step)
        elif again.due != step.due:
            moved.append((step, again.due))
    return StepChanges(added=added, lapsed=tuple(lapsed), moved=tuple(moved))


def merged_order(stored: Sequence[StepKey], planned: Sequence[StepKey]) -> list[StepKey]:
    """Every step once, in the new plan's order; a step that left the plan stays where it was.

    A stored step not in the plan follows the stored step it came after.
    """
    order = list(dict.fromkeys(planned))
    placed = set(order)
    previous: StepKey | None = None
    for key in stored:
        if key not in placed:
            order.insert(order.index(previous) + 1 if previous is not None else 0, key)
            placed.add(key)
        previous = key
    return order
