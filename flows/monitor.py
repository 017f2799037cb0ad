"""The deadline monitor: on working-day mornings, remind and escalate, then send the digests.

On the week's first working day it also writes each department's weekly digest.
"""

from __future__ import annotations

from datetime import date

from prefect import flow

from koereplan.reminders import copenhagen_today
from tasks.dispatch import dispatch_outbox
from tasks.monitor import check_deadlines, write_digests


@flow(name="deadline-monitor", log_prints=False)
def deadline_monitor(today: date | None = None, force: bool = False) -> dict[str, int]:
    """Run once per working day (cron 07:00 Copenhagen); `today` catches up after downtime."""
    day = today or copenhagen_today()
    report = check_deadlines(day, force=force)
    counts = report.counts()
    counts["weekly_digests"] = write_digests(day)
    if not report.skipped or counts["weekly_digests"]:
        counts["sent"] = dispatch_outbox().messages
    return counts
