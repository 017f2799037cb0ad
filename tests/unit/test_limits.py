"""The run limit of serve and the workers follows the machine's cores and memory."""

from __future__ import annotations

from serving.limits import MAX_RUNS, machine_run_limit, run_limit

GIB = 2**30


def test_cores_set_the_limit_when_memory_is_plentiful() -> None:
    assert run_limit(2, 24 * GIB) == 8
    assert run_limit(8, 64 * GIB) == 32


def test_memory_caps_the_limit() -> None:
    assert run_limit(8, 2 * GIB) == 6  # 2 GiB / 300 MiB


def test_the_limit_is_at_least_one_and_at_most_the_server_cap() -> None:
    assert run_limit(0, 0) == 1
    assert run_limit(1, 100 * 2**20) == 1
    assert run_limit(128, 1024 * GIB) == MAX_RUNS


def test_this_machine_gets_a_usable_limit() -> None:
    assert 1 <= machine_run_limit() <= MAX_RUNS
