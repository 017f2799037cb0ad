"""What the inbox takes, and how a refusal or an internal error is told (pure rules)."""

from __future__ import annotations

import os
import stat
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koereplan.arrival import arrival_change_problem, latest_arrival
from koereplan.inbox_rules import (
    entry_problem,
    fitted_name,
    internal_problem,
    is_notice_name,
    is_partial,
    is_settled,
    readable_name,
)


def test_only_json_files_are_notices_and_part_files_are_still_being_written() -> None:
    assert is_notice_name("a.json") and is_notice_name("B.JSON")
    assert not is_notice_name("pas.pdf") and not is_notice_name("a.json.part")
    assert is_partial("a.json.part") and not is_partial("a.json")


def test_a_file_is_settled_when_untouched_for_the_window_or_stamped_far_in_the_future() -> None:
    assert not is_settled(mtime=100.0, now=104.0, settle_seconds=5)
    assert is_settled(mtime=100.0, now=105.0, settle_seconds=5)
    assert is_settled(mtime=100.0, now=100.0, settle_seconds=0)
    assert not is_settled(mtime=130.0, now=100.0, settle_seconds=5)  # a little ahead: wait
    assert is_settled(mtime=1000.0, now=100.0, settle_seconds=5)  # a skewed clock: take it


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        (stat.S_IFLNK, "symbolsk link"),
        (stat.S_IFDIR, "mappe"),
        (stat.S_IFIFO, "pipe"),
        (stat.S_IFCHR, "enhedsfil"),
        (stat.S_IFBLK, "enhedsfil"),
        (stat.S_IFSOCK, "socket"),
    ],
)
def test_every_entry_that_is_no_regular_file_is_refused_with_a_reason(
    mode: int, words: str
) -> None:
    problem = entry_problem(mode | 0o644)
    assert problem is not None and words in problem.message


def test_a_regular_file_is_taken_unless_it_has_another_name_too() -> None:
    assert entry_problem(stat.S_IFREG | 0o644) is None
    problem = entry_problem(stat.S_IFREG | 0o644, links=2)
    assert problem is not None and "hård link" in problem.message


def test_a_name_with_bytes_that_are_not_utf8_becomes_readable_text() -> None:
    assert readable_name(os.fsdecode(b"caf\xe9.json")) == "caf\ufffd.json"
    assert readable_name("a\x1b[31mb.json") == "a\ufffd[31mb.json"
    assert readable_name("Ærø.json") == "Ærø.json"


@given(st.text(min_size=1, max_size=300).filter(lambda t: "/" not in t and "\x00" not in t))
def test_a_fitted_name_always_fits_one_path_component(name: str) -> None:
    fitted = fitted_name(name, ".error.json")
    assert len(os.fsencode(fitted)) <= 255 and fitted.endswith(".error.json")


def test_an_internal_error_says_its_class_and_a_reason_without_the_message() -> None:
    error = PermissionError(13, "Permission denied", "/inbox/Yonas Tesfay.json")
    assert str(internal_problem(error)) == "fil: intern fejl: PermissionError (Permission denied)"
    assert (
        str(internal_problem(RuntimeError("Yonas 1998-02-14"))) == "fil: intern fejl: RuntimeError"
    )
    encode = UnicodeEncodeError("utf-8", "Yonas\udce9", 5, 6, "surrogates not allowed")
    assert str(internal_problem(encode)) == (
        "fil: intern fejl: UnicodeEncodeError (surrogates not allowed)"
    )


NOTICE_DAY, TODAY = date(2026, 11, 23), date(2026, 11, 25)


def test_an_arrival_may_move_to_today_or_later_within_two_years_of_the_notice() -> None:
    assert latest_arrival(NOTICE_DAY) == date(2028, 11, 23)
    assert latest_arrival(date(2028, 2, 29)) == date(2030, 2, 28)
    for day in (TODAY, date(2028, 11, 23)):
        assert arrival_change_problem(day, notice_date=NOTICE_DAY, today=TODAY) is None


def test_an_arrival_in_the_past_needs_the_explicit_allowance() -> None:
    past = date(2026, 11, 24)
    problem = arrival_change_problem(past, notice_date=NOTICE_DAY, today=TODAY)
    assert problem is not None and "ligger i fortiden" in problem
    assert (
        arrival_change_problem(past, notice_date=NOTICE_DAY, today=TODAY, allow_past=True) is None
    )


@pytest.mark.parametrize("day", [date(2026, 11, 22), date(2028, 11, 24), date(9999, 12, 31)])
def test_an_arrival_before_the_notice_or_past_two_years_is_never_allowed(day: date) -> None:
    assert arrival_change_problem(day, notice_date=NOTICE_DAY, today=TODAY, allow_past=True)
