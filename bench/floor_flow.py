"""Prefect's floor for one household: a flow of the reception's shape with no work in it.

Start, one task, suspend, resume once (the flow runs again from the top, the task too, and
the suspension is passed), complete. Served beside the product by `bench/floor.py`.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import suspend_flow_run


@task(cache_policy=NO_CACHE)
def one_task(n: int) -> int:
    """The reception's one task per turn, without the work."""
    return n


@flow(name="floor", persist_result=True, log_prints=False)
def floor(n: int) -> int:
    """Wait once for a resume, like a reception waiting for its first answer."""
    one_task(n)
    suspend_flow_run(key="svar-0", timeout=3600)
    return n
