"""From a validated notice and a køreplan definition to the case's dated steps.

Pure: the same notice, definition and bookings always give the same plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from koereplan.arrival import plan_arrival
from koereplan.deadlines import due_date
from koereplan.definition import Definition, StepDef
from koereplan.household import Household
from koereplan.notice import Notice
from koereplan.progress import StepRef, dependencies_met, opening_status
from koereplan.status import StepStatus, TakeoverBasis


@dataclass(frozen=True)
class CaseDates:
    """The anchors every due date counts from (visitation is per member, set later).

    `takeover` is None while it waits for a CPR registration (køreplan spec, *Takeover*).
    """

    notice: date
    arrival: date
    takeover: date | None
    arrival_planned: bool = False
    decision: date | None = None  # None: the notice date
    takeover_basis: TakeoverBasis = TakeoverBasis.STATUTORY

    def anchor(self, name: str, visitation: date | None = None) -> date | None:
        """The date of an anchor, or None when it is not known yet."""
        if name == "visitation":
            return visitation
        return {
            "notice": self.notice,
            "arrival": self.arrival,
            "takeover": self.takeover,
            "decision": self.decision or self.notice,
        }[name]

    def knows(self, anchor: str, visitation: date | None = None) -> bool:
        """Whether a step anchored here can have a due date yet."""
        return self.anchor(anchor, visitation) is not None


@dataclass(frozen=True)
class PlannedStep:
    """One line of the køreplan for one case (or one member of it)."""

    key: str
    phase: str
    title: str
    person_id: str | None
    responsible: str
    notify: tuple[str, ...]
    kind: str
    legal: bool
    due: date | None
    status: str
    after: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        """The spec's JSON shape for a step."""
        return {
            "key": self.key,
            "phase": self.phase,
            "person_id": self.person_id,
            "responsible": self.responsible,
            "notify": list(self.notify),
            "kind": self.kind,
            "legal": self.legal,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
        }


@dataclass(frozen=True)
class Plan:
    """A case's køreplan right after intake, before anything is delivered."""

    notice_id: str
    kind: str
    dates: CaseDates
    steps: tuple[PlannedStep, ...]

    def to_json(self) -> dict[str, Any]:
        """Exactly the object `koereplan plan --json` prints."""
        return {
            "case": {
                "notice_id": self.notice_id,
                "kind": self.kind,
                "notice": self.dates.notice.isoformat(),
                "arrival": self.dates.arrival.isoformat(),
                "decision": (self.dates.decision or self.dates.notice).isoformat(),
                "takeover": self.dates.takeover.isoformat() if self.dates.takeover else None,
                "takeover_basis": self.dates.takeover_basis,
            },
            "steps": [step.to_json() for step in self.steps],
        }


def plan_dates(
    notice: Notice,
    *,
    bookings: Mapping[date, int] | None = None,
    arrivals_per_day: int = 2,
    arrival: date | None = None,
) -> CaseDates:
    """The case's anchors: the notice's arrival, the one given, or a planned one.

    The takeover never follows the arrival: it comes from the legal basis (IL § 4).
    """
    notice_date = notice.notice_date
    planned = False
    if arrival is None and notice.expected_arrival is not None:
        arrival = notice.expected_arrival
    elif arrival is None:
        arrival = plan_arrival(notice_date, bookings or {}, arrivals_per_day)
        planned = True
    else:
        planned = notice.expected_arrival is None
    takeover = notice.takeover
    return CaseDates(
        notice=notice_date,
        arrival=arrival,
        takeover=takeover.date,
        arrival_planned=planned,
        decision=notice.decision,
        takeover_basis=takeover.basis,
    )


def step_due(step: StepDef, dates: CaseDates, visitation: date | None = None) -> date | None:
    """The due date of a step definition for a case, or None while its anchor is unknown."""
    anchor = dates.anchor(step.due.anchor, visitation)
    if anchor is None:
        return None
    return due_date(anchor, step.due, legal=step.legal, notice_date=dates.notice)


def plan_case(
    notice: Notice,
    definition: Definition,
    *,
    bookings: Mapping[date, int] | None = None,
    arrivals_per_day: int = 2,
    arrival: date | None = None,
    visitations: Mapping[str, date] | None = None,
    dates: CaseDates | None = None,
) -> Plan:
    """Every step of the køreplan that applies to this household, dated, in køreplan order.

    A stored case planned again passes its `dates` and `visitations` (person_id → day of
    the member's visitation), so steps counted from them keep their dates.
    """
    dates = dates or plan_dates(
        notice, bookings=bookings, arrivals_per_day=arrivals_per_day, arrival=arrival
    )
    household = notice.household(dates.arrival)
    instances = _instances(definition, household)
    statuses = _initial_statuses(instances, dates)
    steps = [
        PlannedStep(
            key=step.key,
            phase=step.phase,
            title=step.title,
            person_id=person_id,
            responsible=step.responsible,
            notify=tuple(step.notify),
            kind=step.kind,
            legal=step.legal,
            due=step_due(step, dates, (visitations or {}).get(person_id or "")),
            status=status,
            after=tuple(step.after),
        )
        for (step, person_id), status in zip(instances, statuses, strict=True)
    ]
    return Plan(notice_id=notice.notice_id, kind=notice.kind, dates=dates, steps=tuple(steps))


def _initial_statuses(instances: list[tuple[StepDef, str | None]], dates: CaseDates) -> list[str]:
    """Statuses right after intake; repeated until stable, since automatic steps finish at once."""
    statuses: list[str] = [StepStatus.PLANNED] * len(instances)
    while True:
        refs = [StepRef(s.key, p, st) for (s, p), st in zip(instances, statuses, strict=True)]
        new = [
            opening_status(
                kind=step.kind,
                anchor_known=step.due.anchor != "visitation" and dates.knows(step.due.anchor),
                deps_met=dependencies_met(person_id, step.after, refs),
                current=current,
            )
            for (step, person_id), current in zip(instances, statuses, strict=True)
        ]
        if new == statuses:
            return statuses
        statuses = new


def _instances(definition: Definition, household: Household) -> list[tuple[StepDef, str | None]]:
    """(step, person_id) pairs in køreplan order: phase, then file order, then member order.

    `Definition.steps` is already in phase-then-file order; members come in notice order.
    """
    pairs: list[tuple[StepDef, str | None]] = []
    for step in definition.steps:
        if not step.applies_to(household):
            continue
        if step.scope == "household":
            pairs.append((step, None))
        else:
            pairs.extend((step, person.person_id) for person in step.members_of(household))
    return pairs
