"""The deadline monitor as a Prefect task: the service does the work, the task logs counts."""

from __future__ import annotations

from datetime import date

from prefect import get_run_logger

from models.faults import reduced_database_errors
from services.digest import weekly_digests
from services.monitor import MonitorReport, monitor_as_configured
from services.monitor_summary import summary_da
from services.runtime import get_runtime
from tasks.common import koereplan_task


@koereplan_task(retries=1, retry_delay_seconds=30)
@reduced_database_errors
def check_deadlines(today: date, force: bool = False) -> MonitorReport:
    """Record today's reminders and escalations in the outbox; a retry adds nothing twice."""
    report = monitor_as_configured(get_runtime(), today=today, force=force)
    get_run_logger().info(summary_da(report))  # counts and dates only, never a name
    return report


@koereplan_task(retries=1, retry_delay_seconds=30)
@reduced_database_errors
def write_digests(today: date) -> int:
    """The weekly digests on the week's first working day; a rerun that week adds nothing."""
    runtime = get_runtime()
    report = weekly_digests(runtime.engine, runtime.definition, today=today)
    if not report.skipped:
        get_run_logger().info("Ugentligt overblik til %d afdelinger", len(report.departments))
    return len(report.departments)
