"""The deadline monitor's run told in one Danish paragraph, for the CLI and the run's log."""

from __future__ import annotations

from koereplan.danish import count_of, danish_date
from services.dispatch import DispatchReport
from services.monitor import MonitorReport


def summary_da(report: MonitorReport, sent: DispatchReport | None = None) -> str:
    """One paragraph a coordinator understands: what was found, written and sent."""
    day = danish_date(report.today)
    if report.skipped:
        return f"{day} er ikke en arbejdsdag: ingen påmindelser eller rykkere (brug --force)."
    lines = [
        f"Fristovervågning {day} (påmindelse ved frist til og med {danish_date(report.horizon)}):",
        f"- {count_of(report.reminded, 'opgave', 'opgaver')} fik en påmindelse "
        f"({count_of(report.reminder_messages, 'besked', 'beskeder')})",
        f"- {count_of(report.escalated, 'opgave', 'opgaver')} med overskredet frist "
        f"blev rykket ({count_of(report.escalation_messages, 'besked', 'beskeder')})",
    ]
    if sent is not None:
        lines.append(f"- Sendt: {count_of(sent.messages, 'samlet besked', 'samlede beskeder')}")
        if sent.retried or sent.failed:
            lines.append(
                f"- Ikke sendt: {sent.retried} prøves igen senere, {sent.failed} opgivet "
                "(se `koereplan status`)"
            )
    return "\n".join(lines)
