"""Were the legal deadlines met? The arithmetic of the `lovfrister` view, on plain data.

A legal step is judged by its due date. When the due date is not a working day (a weekend,
a holiday, a closing day) the deadline runs to the next working day, as in Danish
administrative law, so a step due on a Saturday and done on the Monday is met on time.
Days late are calendar days after that effective deadline. Not applicable steps are left
out of every share; open steps whose deadline has not passed are not judged yet.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

from koereplan.progress import OVERDUE_CAPABLE
from koereplan.status import StepStatus
from koereplan.workdays import working_day_on_or_after


class Outcome(StrEnum):
    """How one legal step stands against its deadline."""

    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"  # not done, deadline passed
    PENDING = "pending"  # not done, deadline not passed yet
    NOT_APPLICABLE = "not_applicable"


class LegalStep(NamedTuple):
    """A legal step as the compliance view needs it: no case, no person (a tuple: cheap)."""

    key: str
    department: str
    due: date
    status: str
    done_on: date | None = None  # the Copenhagen date it was done


@lru_cache(maxsize=4096)
def deadline(due: date) -> date:
    """The effective deadline: the due date, or the next working day when it is not one."""
    return working_day_on_or_after(due)


def days_late(due: date, done_on: date) -> int:
    """Calendar days after the effective deadline; 0 when met on time."""
    return max(0, (done_on - deadline(due)).days)


def outcome(step: LegalStep, today: date) -> Outcome:
    """Judge one step on `today`; a done step without a date counts as met on time."""
    if step.status == StepStatus.NOT_APPLICABLE:
        return Outcome.NOT_APPLICABLE
    if step.status == StepStatus.DONE:
        if step.done_on is None or days_late(step.due, step.done_on) == 0:
            return Outcome.ON_TIME
        return Outcome.LATE
    if step.status in OVERDUE_CAPABLE and deadline(step.due) < today:
        return Outcome.OVERDUE
    return Outcome.PENDING


@dataclass
class Tally:
    """The figures of one row of the compliance table."""

    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    not_applicable: int = 0
    late_days: list[int] = field(default_factory=list)

    @property
    def due(self) -> int:
        """Steps with this deadline, not applicable ones left out."""
        return self.on_time + self.late + self.overdue + self.pending

    @property
    def judged(self) -> int:
        """Steps whose deadline has passed or that are done: the base of the share."""
        return self.on_time + self.late + self.overdue

    @property
    def share_on_time(self) -> float | None:
        """Met on time out of judged steps (0..1); None when nothing is judged yet."""
        return self.on_time / self.judged if self.judged else None

    @property
    def median_days_late(self) -> float | None:
        """Median days late of the steps met late; None when none was late."""
        return statistics.median(self.late_days) if self.late_days else None

    def count(self, result: Outcome, late: int, count: int) -> None:
        """Count `count` steps of one outcome; `late` days when they were met late."""
        if result is Outcome.ON_TIME:
            self.on_time += count
        elif result is Outcome.LATE:
            self.late += count
            self.late_days.extend([late] * count)
        elif result is Outcome.OVERDUE:
            self.overdue += count
        elif result is Outcome.PENDING:
            self.pending += count
        else:
            self.not_applicable += count


@lru_cache(maxsize=4096)
def month_of(day: date) -> str:
    """`2026-11`: the month a deadline falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def tally_by(
    steps: Iterable[LegalStep | tuple[LegalStep, int]],
    today: date,
    *keys: Callable[[LegalStep], Any],
) -> list[dict[Any, Tally]]:
    """One tally per group for each grouping in `keys`, groups in sorted order.

    A step may come with a count of alike steps; each is judged once for all groupings.
    """
    tallies: list[dict[Any, Tally]] = [{} for _ in keys]
    for item in steps:
        step, count = (item, 1) if isinstance(item, LegalStep) else item
        result = outcome(step, today)
        late = days_late(step.due, step.done_on) if result is Outcome.LATE else 0  # type: ignore[arg-type]
        for groups, key in zip(tallies, keys, strict=True):
            group = key(step)
            tally = groups.get(group)
            if tally is None:
                tally = groups[group] = Tally()
            tally.count(result, late, count)
    return [dict(sorted(groups.items())) for groups in tallies]


def months_back(today: date, count: int = 12) -> tuple[str, str]:
    """The first and last month of the `count` months ending with today's month."""
    first = today.year * 12 + today.month - 1 - (count - 1)
    return f"{first // 12:04d}-{first % 12 + 1:02d}", month_of(today)


def month_bounds(first: str, last: str) -> tuple[date, date]:
    """The first day of `first` and the last day of `last` (months as YYYY-MM)."""
    start = date.fromisoformat(f"{first}-01")
    year, month = (int(part) for part in last.split("-"))
    following = date(year + month // 12, month % 12 + 1, 1)
    return start, date.fromordinal(following.toordinal() - 1)
