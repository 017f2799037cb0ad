"""The køreplan as data: phases, departments and steps, one validated file per municipality.

What the planner and the services read; the file itself is read and checked in
`definition_file.py`, so no municipality lives in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from koereplan.conditions import SCOPES, household_condition, parse_member_filter
from koereplan.deadlines import Due
from koereplan.household import Household, Person
from koereplan.status import StepKind

KINDS: tuple[str, ...] = tuple(StepKind)


@dataclass(frozen=True)
class Department:
    """Who does a step or is told about it; `key` is the Apprise tag.

    `from_case`: the address comes from the case (its asylum centre), not the routing file.
    `coordinators`: the coordinators of the reception, told of what no other department owns.
    """

    key: str
    name: str
    from_case: bool = False
    coordinators: bool = False


@dataclass(frozen=True)
class Phase:
    """A stretch of the reception; steps are ordered by phase first."""

    key: str
    title: str


@dataclass(frozen=True)
class StepDef:
    """One line of the køreplan: what is done, by whom, for whom, when and after what."""

    key: str
    phase: str
    title: str
    scope: str
    members: tuple[str, ...]
    kind: str
    responsible: str
    notify: tuple[str, ...]
    when: tuple[str, ...]
    after: tuple[str, ...]
    due: Due
    legal: bool

    @property
    def per_member(self) -> bool:
        """True when the step is made once per matching member rather than once per case."""
        return self.scope != "household"

    def applies_to(self, household: Household) -> bool:
        """Whether the case gets this step at all: every `when` condition must hold."""
        return all(household_condition(name)(household) for name in self.when)

    def members_of(self, household: Household) -> list[Person]:
        """The members one step each is made for, in notice order; [] for a household step."""
        scope = SCOPES[self.scope]
        if scope is None:
            return []
        filters = [parse_member_filter(text) for text in self.members]
        return [p for p in household.people if scope(p) and all(f(p) for f in filters)]


@dataclass(frozen=True)
class Definition:
    """A municipality's whole køreplan; `steps` are in køreplan order (phase, then file order)."""

    municipality_name: str
    phases: tuple[Phase, ...]
    departments: dict[str, Department]
    steps: tuple[StepDef, ...]
    municipality_code: str | None = None
    _steps_by_key: dict[str, StepDef] = field(init=False, repr=False, compare=False)
    _position: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        phase_order = {phase.key: i for i, phase in enumerate(self.phases)}
        ordered = tuple(sorted(self.steps, key=lambda s: phase_order[s.phase]))
        object.__setattr__(self, "steps", ordered)
        object.__setattr__(self, "_steps_by_key", {s.key: s for s in ordered})
        object.__setattr__(self, "_position", {s.key: i for i, s in enumerate(ordered)})

    def step(self, key: str) -> StepDef:
        """The step named `key`; KeyError names it when the køreplan has no such step."""
        try:
            return self._steps_by_key[key]
        except KeyError:
            raise KeyError(f"no step {key!r} in the køreplan") from None

    def has_step(self, key: str) -> bool:
        """Whether the køreplan has a step named `key` (stored cases may outlive a step)."""
        return key in self._steps_by_key

    def phase_index(self, key: str) -> int:
        """The phase's place in the køreplan (0 for the first), for ordering and display."""
        for i, phase in enumerate(self.phases):
            if phase.key == key:
                return i
        raise KeyError(f"no phase {key!r} in the køreplan")

    def order_key(self, step_key: str, member_index: int = -1) -> tuple[int, int, int]:
        """Sort key for a case's steps: phase, then køreplan order, then member order in the notice.

        Household steps use the default `member_index` -1 so they sort before member steps.
        Unknown step keys (a step removed from the file) sort last.
        """
        position = self._position.get(step_key)
        if position is None:
            return (len(self.phases), len(self.steps), member_index)
        return (self.phase_index(self.steps[position].phase), position, member_index)

    @property
    def coordinators(self) -> str:
        """The coordinators' department key: overviews, escalations, rejected notices.

        The file reader requires exactly one; KeyError when a hand-built definition has none.
        """
        for department in self.departments.values():
            if department.coordinators:
                return department.key
        raise KeyError("no department in the køreplan is marked `coordinators: true`")

    @property
    def asylum_centre(self) -> str | None:
        """The asylum centre's department key (`from_case: true`), None when the file has none.

        It is told by mail per case and is never responsible for a step.
        """
        return next((d.key for d in self.departments.values() if d.from_case), None)

    def department(self, key: str) -> Department:
        """The department named `key`; KeyError names it when the køreplan has no such one."""
        try:
            return self.departments[key]
        except KeyError:
            raise KeyError(f"no department {key!r} in the køreplan") from None


def default_definition_path() -> Path:
    """The køreplan shipped with the product (Aalborg's); settings may point elsewhere."""
    return Path(__file__).resolve().parent.parent / "config" / "koereplan.aalborg.yaml"
