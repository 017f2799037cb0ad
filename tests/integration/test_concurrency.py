"""Counters, bookings and idempotency keys hold when many transactions race (both backends)."""

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from koereplan.status import CaseKind
from models import Case, book_arrival, bookings, next_case_ref, session

T = TypeVar("T")
THREADS = 8


def race(work: Callable[[int], T], threads: int = THREADS) -> list[T]:
    """Run `work(i)` in parallel threads released together, and collect the results."""
    barrier = threading.Barrier(threads)

    def start(i: int) -> T:
        """Wait for every thread, then run."""
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(start, range(threads)))


def jitter() -> None:
    """Hold the transaction open a moment so the races overlap."""
    time.sleep(random.uniform(0, 0.005))


def test_parallel_case_refs_are_distinct_and_consecutive(engine: Engine) -> None:
    def take_ten(_: int) -> list[str]:
        """Take ten refs, one transaction each."""
        refs = []
        for _ in range(10):
            with session(engine) as db:
                refs.append(next_case_ref(db, 2026))
                jitter()
        return refs

    refs = [ref for batch in race(take_ten) for ref in batch]
    assert sorted(refs) == [f"KR-2026-{n:04d}" for n in range(1, 81)]


def test_case_refs_stay_distinct_when_each_transaction_reads_before_it_writes(
    engine: Engine,
) -> None:
    def read_then_take(_: int) -> list[str]:
        """Look up existing cases first, as intake does, then take a ref."""
        refs = []
        for _ in range(5):
            with session(engine) as db:
                db.exec(select(Case)).all()
                jitter()
                refs.append(next_case_ref(db, 2026))
        return refs

    refs = [ref for batch in race(read_then_take) for ref in batch]
    assert sorted(refs) == [f"KR-2026-{n:04d}" for n in range(1, 41)]


def test_parallel_bookings_never_overbook_a_day(engine: Engine) -> None:
    monday = date(2026, 12, 7)

    def is_working_day(day: date) -> bool:
        """Monday to Friday."""
        return day.weekday() < 5

    def book_five(_: int) -> list[date]:
        """Book five arrivals, one transaction each."""
        days = []
        for _ in range(5):
            with session(engine) as db:
                days.append(
                    book_arrival(db, earliest=monday, capacity=2, is_working_day=is_working_day)
                )
                jitter()
        return days

    booked = Counter(day for batch in race(book_five) for day in batch)
    assert sum(booked.values()) == THREADS * 5
    assert max(booked.values()) == 2
    assert all(is_working_day(day) for day in booked)
    with session(engine) as db:
        assert bookings(db, monday, monday + timedelta(days=60)) == dict(booked)
    # 40 households at 2 a day fill the first 20 working days with no gaps.
    expected = [d for d in (monday + timedelta(days=n) for n in range(28)) if is_working_day(d)]
    assert sorted(booked) == expected


def test_only_one_of_many_parallel_intakes_of_a_notice_makes_a_case(engine: Engine) -> None:
    def intake(i: int) -> bool:
        """Try to create the case for the same notice; True when this thread won."""
        try:
            with session(engine) as db:
                db.add(
                    Case(
                        ref=next_case_ref(db, 2026),
                        notice_id="N-RACE",
                        notice_sha256="0" * 64,
                        kind=CaseKind.OPHOLDSTILLADELSE,
                        notice_date=date(2026, 11, 20),
                        arrival_date=date(2026, 12, 7),
                        takeover_date=date(2026, 12, 7),
                    )
                )
                jitter()
        except IntegrityError:
            return False
        return True

    assert sum(race(intake)) == 1
    with session(engine) as db:
        # Losers rolled back, so their case numbers were handed back too.
        assert next_case_ref(db, 2026) == "KR-2026-0002"
