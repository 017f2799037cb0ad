"""The deadline monitor's rule, each date worked out by hand from the Danish calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from koereplan.reminders import Action, Decision, copenhagen_today, decide, horizon, runs_on, window

# December 2026: 24 (Thu) and 31 (Thu) are closing days, 25 (Fri) and 1 January are holidays.
TUE_22_DEC = date(2026, 12, 22)


def step(
    today: date,
    *,
    due: date | None,
    status: str = "open",
    level: int = 0,
    last: date | None = None,
    within_wd: int = 3,
    every_wd: int = 5,
) -> Decision:
    return decide(
        window(today, within_wd, every_wd),
        status=status,
        due=due,
        level=level,
        last_reminded_on=last,
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 24), date(2026, 11, 27)),  # Tue -> Fri, an ordinary week
        (date(2026, 11, 27), date(2026, 12, 2)),  # Fri -> Wed, over a weekend
        (TUE_22_DEC, date(2026, 12, 29)),  # 23, (24-27 closed), 28, 29
        (date(2026, 12, 30), date(2027, 1, 6)),  # (31, 1 Jan, weekend closed), 4, 5, 6
        (date(2027, 3, 24), date(2027, 4, 1)),  # Easter: 25, 26, 29 March are holidays
    ],
)
def test_the_reminder_horizon_counts_only_working_days(today: date, expected: date) -> None:
    assert horizon(today, 3) == expected


@pytest.mark.parametrize(
    ("day", "runs"),
    [
        (date(2026, 12, 23), True),
        (date(2026, 12, 24), False),  # juleaftensdag
        (date(2026, 12, 25), False),  # juledag
        (date(2026, 12, 26), False),  # Saturday
        (date(2026, 12, 28), True),
        (date(2027, 1, 1), False),  # nytårsdag
    ],
)
def test_the_monitor_runs_on_working_days_only(day: date, runs: bool) -> None:
    assert runs_on(day) is runs


def test_an_open_step_due_today_gets_a_reminder() -> None:
    assert step(TUE_22_DEC, due=TUE_22_DEC) == Decision(Action.REMINDER, 1)


def test_a_planned_step_due_on_the_horizon_over_christmas_gets_a_reminder() -> None:
    assert step(TUE_22_DEC, due=date(2026, 12, 29), status="planned") == Decision(
        Action.REMINDER, 1
    )


def test_a_legal_deadline_on_a_sunday_inside_the_horizon_gets_a_reminder() -> None:
    assert step(TUE_22_DEC, due=date(2026, 12, 27)).action is Action.REMINDER


def test_a_step_due_the_day_after_the_horizon_gets_nothing_yet() -> None:
    assert step(TUE_22_DEC, due=date(2026, 12, 30)) == Decision(Action.NONE, 0)


def test_with_zero_working_days_only_steps_due_today_are_reminded() -> None:
    assert step(TUE_22_DEC, due=TUE_22_DEC, within_wd=0).action is Action.REMINDER
    assert step(TUE_22_DEC, due=date(2026, 12, 23), within_wd=0).action is Action.NONE


def test_a_step_is_reminded_only_once_even_on_later_days() -> None:
    reminded = step(TUE_22_DEC, due=date(2026, 12, 29))
    later = step(date(2026, 12, 28), due=date(2026, 12, 29), level=reminded.level, last=TUE_22_DEC)
    assert later == Decision(Action.NONE, 1)


def test_an_overdue_step_that_was_reminded_is_escalated_to_level_two() -> None:
    assert step(date(2026, 12, 28), due=date(2026, 12, 23), level=1, last=TUE_22_DEC) == Decision(
        Action.ESCALATION, 2
    )


def test_an_overdue_step_that_was_never_reminded_is_escalated_at_once() -> None:
    assert step(date(2026, 12, 28), due=date(2026, 12, 23)) == Decision(Action.ESCALATION, 2)


def test_an_escalation_repeats_after_five_working_days_not_before() -> None:
    # From Mon 21 Dec: 22, 23, 28, 29, 30 are the five working days.
    last = date(2026, 12, 21)
    due = date(2026, 12, 18)
    assert step(date(2026, 12, 29), due=due, level=2, last=last) == Decision(Action.NONE, 2)
    assert step(date(2026, 12, 30), due=due, level=2, last=last) == Decision(Action.ESCALATION, 3)


def test_the_third_escalation_waits_over_new_year() -> None:
    # From Wed 30 Dec: 4, 5, 6, 7, 8 January (31 Dec and 1 Jan are closed).
    last = date(2026, 12, 30)
    due = date(2026, 12, 18)
    assert step(date(2027, 1, 7), due=due, level=3, last=last).action is Action.NONE
    assert step(date(2027, 1, 8), due=due, level=3, last=last) == Decision(Action.ESCALATION, 4)


def test_a_catch_up_run_after_downtime_escalates_once_not_once_per_missed_day() -> None:
    decision = step(date(2027, 2, 1), due=date(2026, 12, 1), level=2, last=date(2026, 12, 2))
    assert decision == Decision(Action.ESCALATION, 3)


def test_a_run_for_an_earlier_date_repeats_nothing() -> None:
    assert step(TUE_22_DEC, due=date(2026, 12, 1), level=3, last=date(2027, 1, 8)).action is (
        Action.NONE
    )


@pytest.mark.parametrize("status", ["waiting", "done", "not_applicable"])
def test_steps_that_are_waiting_done_or_not_applicable_get_nothing(status: str) -> None:
    assert step(TUE_22_DEC, due=date(2026, 12, 1), status=status) == Decision(Action.NONE, 0)
    assert step(TUE_22_DEC, due=TUE_22_DEC, status=status) == Decision(Action.NONE, 0)


def test_a_step_without_a_due_date_gets_nothing() -> None:
    assert step(TUE_22_DEC, due=None, status="open") == Decision(Action.NONE, 0)


@pytest.mark.parametrize("offset", range(-30, 30))
def test_a_second_run_on_the_same_day_never_acts_again(offset: int) -> None:
    today = date(2026, 12, 28)
    due = today + timedelta(days=offset)
    for level, last in [(0, None), (1, TUE_22_DEC), (2, date(2026, 12, 1)), (5, None)]:
        first = step(today, due=due, level=level, last=last)
        if first.action is not Action.NONE:
            assert step(today, due=due, level=first.level, last=today).action is Action.NONE


def test_levels_only_go_up() -> None:
    today = date(2027, 1, 8)
    for level in range(6):
        for due in (date(2026, 12, 1), today, date(2027, 1, 13)):
            assert step(today, due=due, level=level, last=date(2026, 11, 2)).level >= level


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 12, 1, 23, 30, tzinfo=UTC), date(2026, 12, 2)),  # CET, UTC+1
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), date(2026, 7, 1)),  # CEST, UTC+2
        (datetime(2026, 6, 30, 21, 30, tzinfo=UTC), date(2026, 6, 30)),
    ],
)
def test_today_is_the_date_in_copenhagen(moment: datetime, day: date) -> None:
    assert copenhagen_today(moment) == day
