"""When a step earns a reminder or an escalation: the deadline monitor's rule, without a database.

The rule, for one monitor run on `today` with N = `within_wd` and M = `every_wd`:

- Only `planned` and `open` steps with a due date are watched; `waiting`, `done` and
  `not_applicable` steps never get anything.
- **Escalation** when the step is overdue (`due < today`):
  - the first one when `reminder_level < 2` (never escalated; a missed or skipped reminder
    does not hold it back); the level becomes 2;
  - a repeat when `last_reminded_on` is at least M working days back, that is
    `add_working_days(last_reminded_on, M) <= today`; the level goes up by one.
- **Reminder** when the step is not overdue, is due on or before the horizon
  `add_working_days(today, N)` and has `reminder_level == 0`; the level becomes 1. A step is
  reminded at most once, even if its due date later moves.
- Otherwise nothing. Every action sets `last_reminded_on = today`, so a second run on the
  same day finds nothing to do, and a run for an earlier date never repeats a later one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from koereplan.status import StepStatus
from koereplan.workdays import add_working_days, is_working_day, local_date

WATCHED: frozenset[str] = frozenset({StepStatus.PLANNED, StepStatus.OPEN})
REMINDED = 1
FIRST_ESCALATION = 2


class Action(StrEnum):
    """What the monitor does for one step on one day."""

    NONE = "none"
    REMINDER = "reminder"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class Decision:
    """The action and the step's reminder level after it (unchanged for `none`)."""

    action: Action
    level: int


@dataclass(frozen=True)
class Window:
    """One run's dates, computed once: steps due on or before `horizon` are candidates."""

    today: date
    horizon: date
    every_wd: int


@lru_cache(maxsize=4096)
def _repeat_on(last_reminded_on: date, every_wd: int) -> date:
    """The first day an escalation may repeat; cached, as many steps share a date."""
    return add_working_days(last_reminded_on, every_wd)


def copenhagen_today(now: datetime | None = None) -> date:
    """The municipality's date now (or at `now`), which is what the cron schedule means."""
    return local_date(now)


def horizon(today: date, within_wd: int) -> date:
    """The last due date that earns a reminder today: N working days after `today`."""
    return add_working_days(today, within_wd)


def window(today: date, within_wd: int, every_wd: int) -> Window:
    """The dates of one run, so the query can filter `due <= horizon`."""
    return Window(today=today, horizon=horizon(today, within_wd), every_wd=every_wd)


def runs_on(today: date) -> bool:
    """The monitor only works on working days; weekends and holidays are skipped."""
    return is_working_day(today)


def decide(
    run: Window,
    *,
    status: str,
    due: date | None,
    level: int,
    last_reminded_on: date | None,
) -> Decision:
    """Apply the rule above to one step."""
    unchanged = Decision(Action.NONE, level)
    if status not in WATCHED or due is None:
        return unchanged
    if due < run.today:
        if level < FIRST_ESCALATION:
            return Decision(Action.ESCALATION, FIRST_ESCALATION)
        if (
            last_reminded_on is None
            or add_working_days(last_reminded_on, run.every_wd) <= run.today
        ):
            return Decision(Action.ESCALATION, level + 1)
        return unchanged
    if due <= run.horizon and level < REMINDED:
        return Decision(Action.REMINDER, REMINDED)
    return unchanged
