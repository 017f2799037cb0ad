"""Schedules fire: with `koereplan serve` on a real Prefect server, nobody starts anything by hand.

SQLAlchemy 2.1 broke Prefect 3.8.8's scheduler (no scheduled run was ever created); this is
the test that would have shown it.
"""

from __future__ import annotations

import time

from tests.live import Stack, wait_for


def test_a_dropped_notice_becomes_a_suspended_run_with_no_manual_trigger(live: Stack) -> None:
    dropped = time.monotonic()
    notice_id = live.drop("enlig-voksen.json", notice_id="UST-2026-SCHED1")

    case = live.case(notice_id)
    state = wait_for(
        lambda: _suspended(live, str(case.flow_run_id)), 240, f"{case.ref} to wait", every=1
    )
    print(f"drop → Suspended: {time.monotonic() - dropped:.1f} s")

    assert state["state_details"]["pause_key"] == "svar-0"
    intakes = live.api(
        "POST",
        "/flow_runs/filter",
        json={"deployments": {"name": {"any_": ["intake"]}}},
    )
    assert any(run["auto_scheduled"] for run in intakes), "intake runs come from the scheduler"
    assert all(run["state_type"] != "CRASHED" for run in intakes)


def _suspended(live: Stack, flow_run_id: str) -> dict | None:
    state = live.api("GET", f"/flow_runs/{flow_run_id}")["state"]
    return state if state and state["type"] == "PAUSED" else None
