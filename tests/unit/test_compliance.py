"""Legal-deadline compliance, hand-computed: due date, a day late, weekend, not applicable."""

from __future__ import annotations

from datetime import date

from koereplan.compliance import (
    LegalStep,
    Outcome,
    Tally,
    days_late,
    month_bounds,
    month_of,
    months_back,
    outcome,
    tally_by,
)
from koereplan.digest import is_digest_day, week_end, week_of
from koereplan.overview import Compliance, compliance_of, percent, tally_row
from notifications.chart import compliance_svg, month_label
from notifications.overview_markdown import compliance_markdown, department_key

TODAY = date(2026, 11, 25)  # a Wednesday
STEPS = [
    LegalStep("k", "jobcenter-integration", date(2026, 10, 5), "done", date(2026, 10, 5)),
    LegalStep("k", "jobcenter-integration", date(2026, 10, 6), "done", date(2026, 10, 7)),
    # Saturday 10 October: the deadline runs to Monday 12 October.
    LegalStep("k", "jobcenter-integration", date(2026, 10, 10), "done", date(2026, 10, 12)),
    LegalStep("k", "socialcenter-integration", date(2026, 10, 10), "done", date(2026, 10, 13)),
    LegalStep("k", "socialcenter-integration", date(2026, 10, 20), "not_applicable"),
    LegalStep("k", "socialcenter-integration", date(2026, 10, 21), "open"),
    LegalStep("j", "socialcenter-integration", date(2026, 10, 22), "done", date(2026, 10, 27)),
    LegalStep("j", "jobcenter-integration", date(2026, 11, 30), "open"),
]


def test_a_step_done_on_its_due_date_is_on_time_and_a_day_after_is_one_day_late() -> None:
    assert outcome(STEPS[0], TODAY) is Outcome.ON_TIME
    assert outcome(STEPS[1], TODAY) is Outcome.LATE
    assert days_late(STEPS[1].due, date(2026, 10, 7)) == 1


def test_a_deadline_on_a_saturday_runs_to_the_monday() -> None:
    assert outcome(STEPS[2], TODAY) is Outcome.ON_TIME
    assert outcome(STEPS[3], TODAY) is Outcome.LATE
    assert days_late(date(2026, 10, 10), date(2026, 10, 13)) == 1


def test_open_steps_are_overdue_only_after_their_deadline() -> None:
    assert outcome(STEPS[5], TODAY) is Outcome.OVERDUE
    assert outcome(STEPS[7], TODAY) is Outcome.PENDING
    saturday = LegalStep("k", "d", date(2026, 11, 21), "open")
    assert outcome(saturday, date(2026, 11, 23)) is Outcome.PENDING  # Monday: still in time
    assert outcome(saturday, date(2026, 11, 24)) is Outcome.OVERDUE


def test_monthly_figures_leave_not_applicable_steps_out_of_the_share() -> None:
    [months] = tally_by(STEPS, TODAY, lambda step: month_of(step.due))
    october, november = months["2026-10"], months["2026-11"]
    assert (october.due, october.on_time, october.late, october.overdue) == (6, 2, 3, 1)
    assert october.not_applicable == 1
    assert october.share_on_time == 2 / 6
    assert october.median_days_late == 1  # late by 1, 1 and 5 days
    assert (november.due, november.pending, november.share_on_time) == (1, 1, None)
    assert tally_row("2026-10", october) == ("2026-10", "6", "2", "3", "1", "33,3 %", "1")
    assert tally_row("2026-11", november)[-2:] == ("–", "–")


def test_a_done_step_without_a_date_counts_as_met() -> None:
    assert outcome(LegalStep("k", "d", date(2026, 1, 5), "done"), TODAY) is Outcome.ON_TIME


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    tally = Tally(late=2, late_days=[1, 4])
    assert tally.median_days_late == 2.5
    assert tally_row("x", tally)[-1] == "2,5"


def test_the_last_twelve_months_and_their_bounds() -> None:
    assert months_back(TODAY) == ("2025-12", "2026-11")
    assert months_back(date(2026, 1, 3), 1) == ("2026-01", "2026-01")
    assert month_bounds("2025-12", "2026-02") == (date(2025, 12, 1), date(2026, 2, 28))
    assert percent(0.875) == "87,5 %"


def compliance_view() -> Compliance:
    return compliance_of(
        STEPS,
        today=TODAY,
        first="2026-10",
        last="2026-11",
        titles={"k": "Integrationskontrakt", "j": "Integrationsprogram"},
        names={"jobcenter-integration": "Jobcenter Integration"},
    )


def test_the_compliance_artifact_has_the_chart_the_tables_and_the_footnote() -> None:
    text = compliance_markdown(compliance_view())
    assert "![Lovbestemte frister pr. måned](data:image/svg+xml;base64," in text
    assert "| 2026-10 | 6 | 2 | 3 | 1 | 33,3 % | 1 |" in text
    assert "| I alt | 7 | 2 | 3 | 1 | 33,3 % | 1 |" in text
    assert "| 2026-10 | Integrationskontrakt | 5 | 2 | 2 | 1 | 40,0 % | 1 |" in text
    assert "| 2026-10 | Jobcenter Integration | 3 | 2 | 1 | 0 | 66,7 % | 1 |" in text
    assert "ikke er relevante, er udeladt" in text


def test_the_chart_has_one_bar_label_per_month() -> None:
    svg = compliance_svg(compliance_view().by_month)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert month_label("2026-10") in svg and month_label("2026-11") in svg
    assert "33,3%" in svg


def test_department_artifact_keys_are_lowercase_with_dashes() -> None:
    assert department_key("jobcenter-integration") == "afdeling-jobcenter-integration"
    assert department_key("Boern_Familie") == "afdeling-boern-familie"


def test_the_digest_goes_out_on_the_weeks_first_working_day() -> None:
    assert is_digest_day(date(2026, 11, 23))  # Monday
    assert not is_digest_day(date(2026, 11, 24))
    assert not is_digest_day(date(2027, 3, 29))  # Easter Monday
    assert is_digest_day(date(2027, 3, 30))  # so the Tuesday
    assert week_of(date(2026, 11, 23)) == week_of(date(2026, 11, 29)) == "2026-W48"
    assert week_end(date(2026, 11, 23)) == date(2026, 11, 29)


def test_every_audit_action_has_danish_words_in_the_export() -> None:
    from koereplan.audit_trail import ACTION_DA
    from koereplan.status import AuditAction

    assert {action.value for action in AuditAction} <= set(ACTION_DA)
