"""The coordinators' overview as plain data and Danish table rows: case references only.

One shape for the Prefect artifacts, the terminal and the CSV file: each view gives its
column headings and its rows as strings, so every output says the same words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from koereplan.checklist import LEGAL_MARK
from koereplan.compliance import LegalStep, Tally, month_of, tally_by
from koereplan.danish import PHASE_DA, STATUS_DA, danish_date

NO_OPEN_STEP = "uden åbne trin"
# Due date first: the Prefect UI shows a wide table's first columns, the rest scroll.
QUEUE_HEADERS = ("Frist", "Dage over", LEGAL_MARK, "Sag", "Trin", "Person", "Status")
COMPLIANCE_HEADERS = (
    "Måned",
    "Frister",
    "Til tiden",
    "For sent",
    "Åbne, overskredet",
    "Andel til tiden",
    "Median dage for sent",
)


@dataclass(frozen=True)
class QueueItem:
    """One open step in a department's queue."""

    case_ref: str
    title: str
    member: str  # `husstand` or a label such as `barn 2`
    due: date
    legal: bool
    status: str
    flow_run_id: str | None = None

    def days_overdue(self, today: date) -> int:
        """Calendar days past the due date; 0 when not overdue."""
        return max(0, (today - self.due).days)

    def row(self, today: date) -> tuple[str, ...]:
        """The queue line as read on screen, in a file and in the artifact."""
        late = self.days_overdue(today)
        return (
            danish_date(self.due),
            str(late) if late else "",
            LEGAL_MARK if self.legal else "",
            self.case_ref,
            self.title,
            self.member,
            STATUS_DA.get(self.status, self.status),
        )


@dataclass(frozen=True)
class Queue:
    """A department's open steps across cases: overdue first, then by due date."""

    department: str
    name: str
    today: date
    total: int
    overdue: int
    items: tuple[QueueItem, ...]  # the first ones only when the queue is long

    def heading(self) -> str:
        """`Jobcenter Integration: 12 åbne trin, heraf 3 overskredet`."""
        return f"{self.name}: {self.total} åbne trin, heraf {self.overdue} overskredet"


@dataclass(frozen=True)
class Arrival:
    """A household arriving soon: the date, the case and how many people."""

    day: date
    case_ref: str
    household_size: int


@dataclass(frozen=True)
class LegalOverdue:
    """A case with legal steps past their deadline."""

    case_ref: str
    steps: int
    oldest_due: date
    departments: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    """The `oversigt` view: where the active cases are and what needs attention."""

    today: date
    until: date  # the last day of the arrivals window
    by_phase: Mapping[str, int]
    arrivals: tuple[Arrival, ...]
    waiting_cpr: tuple[str, ...]
    overdue_legal: tuple[LegalOverdue, ...]

    @property
    def active(self) -> int:
        """All active cases."""
        return sum(self.by_phase.values())

    def phase_rows(self) -> list[tuple[str, str]]:
        """(phase in Danish, count) in køreplan order; cases with nothing open last."""
        order = [*PHASE_DA, NO_OPEN_STEP]
        counts = sorted(self.by_phase.items(), key=lambda item: order.index(item[0]))
        return [(PHASE_DA.get(phase, phase), str(n)) for phase, n in counts]

    def arrival_rows(self) -> list[tuple[str, str, str]]:
        """(date, case, household size)."""
        return [(danish_date(a.day), a.case_ref, str(a.household_size)) for a in self.arrivals]

    def overdue_rows(self, names: Mapping[str, str]) -> list[tuple[str, str, str, str]]:
        """(case, legal steps overdue, oldest due date, departments)."""
        return [
            (
                o.case_ref,
                str(o.steps),
                danish_date(o.oldest_due),
                ", ".join(names.get(d, d) for d in o.departments),
            )
            for o in self.overdue_legal
        ]


def percent(share: float | None) -> str:
    """`87,5 %` the Danish way; `–` when there is nothing to judge."""
    if share is None:
        return "–"
    return f"{share * 100:.1f}".replace(".", ",") + " %"


def number(value: float | None) -> str:
    """`2` or `1,5`; `–` when there is no value."""
    if value is None:
        return "–"
    return f"{value:g}".replace(".", ",")


def tally_row(label: str, tally: Tally) -> tuple[str, ...]:
    """One compliance line: due, on time, late, overdue, share on time, median days late."""
    return (
        label,
        str(tally.due),
        str(tally.on_time),
        str(tally.late),
        str(tally.overdue),
        percent(tally.share_on_time),
        number(tally.median_days_late),
    )


@dataclass(frozen=True)
class Compliance:
    """The `lovfrister` view: legal deadlines met per month, per step and per department."""

    today: date
    first: str  # YYYY-MM
    last: str
    by_month: Mapping[str, Tally]
    by_step: Mapping[tuple[str, str], Tally]  # (month, step key)
    by_department: Mapping[tuple[str, str], Tally]  # (month, department key)
    titles: Mapping[str, str]  # step key -> title
    names: Mapping[str, str]  # department key -> name

    def month_rows(self) -> list[tuple[str, ...]]:
        """One line per month, then the total of the period."""
        total = Tally()
        for tally in self.by_month.values():
            _merge(total, tally)
        rows = [tally_row(month, tally) for month, tally in self.by_month.items()]
        return [*rows, tally_row("I alt", total)] if rows else rows

    def step_rows(self) -> list[tuple[str, ...]]:
        """One line per month and legal step."""
        return [
            (month, self.titles.get(key, key), *tally_row("", tally)[1:])
            for (month, key), tally in self.by_step.items()
        ]

    def department_rows(self) -> list[tuple[str, ...]]:
        """One line per month and department."""
        return [
            (month, self.names.get(key, key), *tally_row("", tally)[1:])
            for (month, key), tally in self.by_department.items()
        ]


def compliance_of(
    steps: Iterable[LegalStep | tuple[LegalStep, int]],
    *,
    today: date,
    first: str,
    last: str,
    titles: Mapping[str, str],
    names: Mapping[str, str],
) -> Compliance:
    """The `lovfrister` view of these legal steps, per month, step and department."""
    by_month, by_step, by_department = tally_by(
        steps,
        today,
        lambda step: month_of(step.due),
        lambda step: (month_of(step.due), step.key),
        lambda step: (month_of(step.due), step.department),
    )
    return Compliance(today, first, last, by_month, by_step, by_department, titles, names)


def _merge(into: Tally, other: Tally) -> None:
    """Add `other`'s counts to `into`."""
    into.on_time += other.on_time
    into.late += other.late
    into.overdue += other.overdue
    into.pending += other.pending
    into.not_applicable += other.not_applicable
    into.late_days.extend(other.late_days)
