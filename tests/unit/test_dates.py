"""Date rules, each case computed by hand from a calendar."""

from datetime import date

import pytest

from koereplan.arrival import earliest_arrival, plan_arrival
from koereplan.deadlines import Due, due_date, parse_due, shift
from koereplan.household import age_on
from koereplan.workdays import add_working_days, is_working_day


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 24), True),  # an ordinary Tuesday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 6, 5), False),  # grundlovsdag, a closing day
        (date(2026, 12, 24), False),  # juleaftensdag, a closing day
        (date(2026, 12, 25), False),  # juledag
        (date(2026, 12, 31), False),  # nytårsaftensdag, a closing day
        (date(2027, 1, 1), False),  # nytårsdag
        (date(2027, 3, 25), False),  # skærtorsdag
        (date(2027, 3, 26), False),  # langfredag
        (date(2027, 3, 29), False),  # 2. påskedag
        (date(2027, 5, 6), False),  # Kristi himmelfartsdag
        (date(2027, 5, 17), False),  # 2. pinsedag
        (date(2027, 4, 23), True),  # the old store bededag is a working day since 2024
    ],
)
def test_working_days_follow_the_danish_calendar(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_working_days_skip_easter() -> None:
    assert add_working_days(date(2027, 3, 24), 1) == date(2027, 3, 30)
    assert add_working_days(date(2027, 3, 30), -1) == date(2027, 3, 24)


def test_working_days_skip_christmas_and_new_year() -> None:
    assert add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)
    assert add_working_days(date(2027, 1, 4), -2) == date(2026, 12, 29)


def test_months_clip_to_the_month_end_and_never_chain() -> None:
    assert shift(date(2027, 1, 31), Due("takeover", 1, "months")) == date(2027, 2, 28)
    assert shift(date(2028, 1, 31), Due("takeover", 1, "months")) == date(2028, 2, 29)
    assert shift(date(2027, 1, 31), Due("takeover", 2, "months")) == date(2027, 3, 31)
    assert shift(date(2026, 8, 31), Due("takeover", 6, "months")) == date(2027, 2, 28)


def test_a_leap_day_anchor_counts_from_the_leap_day() -> None:
    assert shift(date(2028, 2, 29), Due("takeover", 1, "months")) == date(2028, 3, 29)
    assert shift(date(2028, 2, 29), Due("arrival", 23, "months")) == date(2030, 1, 29)
    assert shift(date(2028, 2, 29), Due("arrival", 1, "years")) == date(2029, 2, 28)


def test_legal_deadlines_are_never_moved_even_onto_christmas_day() -> None:
    due = parse_due("takeover +1 month")
    assert due_date(date(2026, 11, 25), due, legal=True, notice_date=date(2026, 11, 1)) == date(
        2026, 12, 25
    )


def test_internal_targets_on_a_closed_day_move_back_to_the_working_day_before() -> None:
    due = parse_due("on arrival")
    # 25 Dec is a holiday, 24 Dec a closing day: back to Wednesday 23 Dec.
    assert due_date(date(2026, 12, 25), due, legal=False, notice_date=date(2026, 11, 1)) == date(
        2026, 12, 23
    )
    assert due_date(date(2026, 6, 5), due, legal=False, notice_date=date(2026, 5, 1)) == date(
        2026, 6, 4
    )


def test_internal_targets_before_the_notice_are_clamped_to_the_notice_date() -> None:
    due = parse_due("arrival -5 wd")
    assert due_date(date(2026, 11, 26), due, legal=False, notice_date=date(2026, 11, 24)) == date(
        2026, 11, 24
    )


def test_a_clamp_onto_a_weekend_notice_goes_to_the_next_working_day() -> None:
    # Issued Friday 23:30 UTC = Saturday 28 November in Copenhagen.
    notice = date(2026, 11, 28)
    assert due_date(notice, parse_due("on notice"), legal=False, notice_date=notice) == date(
        2026, 11, 30
    )
    assert due_date(notice, parse_due("notice +2 wd"), legal=False, notice_date=notice) == date(
        2026, 12, 1
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on arrival", Due("arrival", 0, "days")),
        ("notice +2 wd", Due("notice", 2, "wd")),
        ("arrival -3 wd", Due("arrival", -3, "wd")),
        ("takeover +1 month", Due("takeover", 1, "months")),
        ("visitation +6 weeks", Due("visitation", 6, "weeks")),
        ("arrival +23 months", Due("arrival", 23, "months")),
    ],
)
def test_due_texts_parse(text: str, expected: Due) -> None:
    assert parse_due(text) == expected


@pytest.mark.parametrize("text", ["arrival", "soon +2 wd", "arrival +2 fortnights", "+2 wd", ""])
def test_bad_due_texts_say_what_is_allowed(text: str) -> None:
    with pytest.raises(ValueError, match="bad due"):
        parse_due(text)


def test_arrival_is_planned_ten_working_days_after_the_notice() -> None:
    assert earliest_arrival(date(2026, 11, 24)) == date(2026, 12, 8)
    assert plan_arrival(date(2026, 11, 24), {}, 2) == date(2026, 12, 8)


def test_arrival_planning_skips_full_days() -> None:
    bookings = {date(2026, 12, 8): 2, date(2026, 12, 9): 1}
    assert plan_arrival(date(2026, 11, 24), bookings, 2) == date(2026, 12, 9)
    assert plan_arrival(date(2026, 11, 24), bookings, 1) == date(2026, 12, 10)


def test_arrival_planning_skips_christmas() -> None:
    # 10 working days after 9 Dec 2026 is 23 Dec; full, so past Christmas to Monday 28 Dec.
    assert earliest_arrival(date(2026, 12, 9)) == date(2026, 12, 23)
    assert plan_arrival(date(2026, 12, 9), {date(2026, 12, 23): 2}, 2) == date(2026, 12, 28)


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(2014, 9, 3), date(2026, 12, 8), 12),
        (date(2008, 12, 9), date(2026, 12, 8), 17),
        (date(2008, 12, 8), date(2026, 12, 8), 18),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_ages_are_whole_years_on_the_day(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_danish_dates_are_babels_da_locale_day_by_day() -> None:
    """The written-out names match CLDR's Danish (Babel) for every day of two years."""
    from datetime import timedelta

    from babel.dates import format_date

    from koereplan.danish import danish_date, short_danish_date

    for offset in range(2 * 366):
        day = date(2026, 1, 1) + timedelta(days=offset)
        assert danish_date(day) == format_date(day, format="d. MMMM y", locale="da")
        assert short_danish_date(day) == format_date(day, format="EEE d. MMM y", locale="da")
    assert short_danish_date(None) == danish_date(None) == "ikke fastsat"
