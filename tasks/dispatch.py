"""Sending what the outbox holds: one task, retried, safe to run from many places at once."""

from __future__ import annotations

from models.faults import reduced_database_errors
from services.dispatch import DispatchReport, dispatch
from services.runtime import get_runtime
from tasks.common import koereplan_task


@koereplan_task(retries=2, retry_delay_seconds=[5, 30])
@reduced_database_errors
def dispatch_outbox(case_id: int | None = None) -> DispatchReport:
    """Send pending notifications (of one case, or all); failures stay pending for later."""
    runtime = get_runtime()
    return dispatch(runtime.engine, runtime.sender, runtime.definition, case_id=case_id)
