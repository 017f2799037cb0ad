"""The takeover (IL § 4): hand-computed statutory dates, consent and CPR bounds, the notice
fields that decide it, the plan it gives, and properties over many dates."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from koereplan.definition_file import load_definition
from koereplan.notice import parse_notice
from koereplan.paths import CONFIG_DIR
from koereplan.planner import plan_case
from koereplan.takeover import (
    Takeover,
    consent_problem,
    registration_problem,
    resolve_takeover,
    statutory_takeover,
)
from koereplan.workdays import is_public_holiday
from tests.unit.test_notice import problems_of

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFINITION = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
TODAY = date(2026, 11, 25)


# --- the statutory date, by hand --------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "takeover"),
    [
        (date(2026, 5, 1), date(2026, 7, 1)),  # decision on the 1st
        (date(2026, 5, 15), date(2026, 7, 1)),  # on the 15th (the spec's example)
        (date(2026, 5, 31), date(2026, 7, 1)),  # on the last day of the month
        (date(2026, 12, 31), date(2027, 2, 1)),  # 31 December → 1 February (spec)
        (date(2026, 11, 20), date(2027, 1, 4)),  # 1 Jan 2027 is a Friday holiday → Monday
        (date(2026, 6, 10), date(2026, 8, 3)),  # 1 Aug 2026 is a Saturday → Monday
        (date(2025, 12, 31), date(2026, 2, 2)),  # 1 Feb 2026 is a Sunday → Monday
        (date(2028, 2, 29), date(2028, 4, 3)),  # leap day; 1 Apr 2028 a Saturday → Monday
        (date(2028, 1, 31), date(2028, 3, 1)),  # leap-year February is skipped whole
        (date(2029, 2, 10), date(2029, 4, 3)),  # 1 Apr 2029 Easter Sunday, 2 Apr Easter Monday
    ],
)
def test_the_statutory_takeover_is_the_first_of_the_month_after_the_first_whole_month(
    decision: date, takeover: date
) -> None:
    assert statutory_takeover(decision) == takeover


def test_a_refugee_placed_by_decision_takes_over_on_the_statutory_date_or_by_consent() -> None:
    decision = date(2026, 11, 20)
    kinds = {"kind": "opholdstilladelse", "decision": decision}
    assert resolve_takeover(legal_basis=None, given=None, **kinds) == Takeover(
        date(2027, 1, 4), "statutory"
    )
    assert resolve_takeover(legal_basis="asyl", given=date(2026, 12, 1), **kinds) == Takeover(
        date(2026, 12, 1), "consent"
    )


def test_quota_refugees_and_reunification_wait_for_the_cpr_registration() -> None:
    decision = date(2026, 11, 20)
    assert resolve_takeover(
        kind="opholdstilladelse", legal_basis="kvote", decision=decision, given=None
    ) == Takeover(None, "cpr_registration")
    assert resolve_takeover(
        kind="familiesammenfoering", legal_basis=None, decision=decision, given=date(2027, 2, 1)
    ) == Takeover(date(2027, 2, 1), "cpr_registration")


def test_consent_may_equal_either_bound_and_not_a_day_beyond() -> None:
    decision = date(2026, 11, 20)
    assert consent_problem(decision, decision) is None
    assert consent_problem(date(2027, 1, 4), decision) is None
    assert (
        consent_problem(date(2026, 11, 19), decision) == "ligger før afgørelsesdatoen (2026-11-20)"
    )
    after = consent_problem(date(2027, 1, 5), decision)
    assert after is not None and after.startswith("ligger efter lovens frist for overtagelse")


def test_a_registration_date_lies_between_the_decision_and_today() -> None:
    decision = date(2026, 11, 20)
    assert registration_problem(decision, decision, TODAY) is None
    assert registration_problem(TODAY, decision, TODAY) is None
    assert registration_problem(date(2026, 11, 19), decision, TODAY) == (
        "ligger før afgørelsesdatoen (2026-11-20)"
    )
    assert registration_problem(date(2026, 11, 26), decision, TODAY) == (
        "ligger i fremtiden (i dag er 2026-11-25)"
    )


# --- the notice fields ------------------------------------------------------------------------


def sample(name: str = "enlig-voksen.json", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
    return {**data, **changes}


def problems(data: dict[str, Any]) -> dict[str, str]:
    return {p.where: p.message for p in problems_of(data, TODAY)}


def parsed(data: dict[str, Any]) -> Any:
    return parse_notice(json.dumps(data).encode(), municipality_code="851", today=TODAY)


def test_the_decision_date_defaults_to_the_notice_date() -> None:
    assert parsed(sample()).decision == date(2026, 11, 23)
    assert parsed(sample(decision_date="2026-10-02")).decision == date(2026, 10, 2)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"legal_basis": "flygtning"}, "legal_basis", "skal være en af 'asyl' eller 'kvote'"),
        (
            {"decision_date": "2026-11-24"},
            "decision_date",
            "ligger efter meddelelsens dato (2026-11-23)",
        ),
        (
            {"decision_date": "2025-11-22"},
            "decision_date",
            "ligger mere end et år før meddelelsens dato (2026-11-23)",
        ),
        (
            {"decision_date": "2026-11-20", "takeover_date": "2026-11-19"},
            "takeover_date",
            "ligger før afgørelsesdatoen (2026-11-20)",
        ),
        (
            {"takeover_date": "2027-01-05"},
            "takeover_date",
            "ligger efter lovens frist for overtagelse (2027-01-04); en overtagelse efter "
            "samtykke skal ligge mellem afgørelsen og lovens frist",
        ),
        (
            {"legal_basis": "kvote", "takeover_date": "2026-11-22"},
            "takeover_date",
            "ligger før afgørelsesdatoen (2026-11-23)",
        ),
    ],
)
def test_bad_takeover_fields_are_rejected_naming_the_field_in_danish(
    changes: dict[str, Any], field: str, message: str
) -> None:
    assert problems(sample(**changes)) == {field: message}


def test_a_legal_basis_with_family_reunification_is_rejected() -> None:
    data = sample("familiesammenfoering.json", legal_basis="asyl")
    assert problems(data) == {
        "legal_basis": "må ikke angives ved familiesammenføring (kun ved opholdstilladelse)"
    }


def test_the_bounds_themselves_are_accepted() -> None:
    assert parsed(sample(decision_date="2025-11-23")).decision == date(2025, 11, 23)
    assert parsed(sample(takeover_date="2027-01-04")).takeover == Takeover(
        date(2027, 1, 4), "consent"
    )
    assert parsed(sample(takeover_date="2026-11-23")).takeover == Takeover(
        date(2026, 11, 23), "consent"
    )


def test_plan_exits_2_naming_the_field_of_a_bad_takeover(tmp_path: Path) -> None:
    path = tmp_path / "notice.json"
    path.write_text(json.dumps(sample(takeover_date="2027-03-01")))
    result = CliRunner().invoke(app, ["plan", str(path)])
    assert result.exit_code == 2
    assert "takeover_date: ligger efter lovens frist for overtagelse (2027-01-04)" in result.output


# --- the plan ---------------------------------------------------------------------------------


def plan_of(data: dict[str, Any]) -> dict[str, Any]:
    return plan_case(parsed(data), DEFINITION).to_json()


def test_a_quota_household_without_registration_waits_for_it() -> None:
    plan = plan_of(sample(legal_basis="kvote"))
    assert plan["case"]["takeover"] is None
    assert plan["case"]["takeover_basis"] == "cpr_registration"
    steps = {(s["key"], s["person_id"]): s for s in plan["steps"]}
    registration = steps[("cpr_tilflyttet", None)]
    assert registration["status"] == "open" and registration["due"] == "2026-12-09"
    assert registration["responsible"] == "socialcenter-integration"
    assert registration["notify"] == ["jobcenter-integration"]
    anchored = {s.key for s in DEFINITION.steps if s.due.anchor == "takeover"}
    waiting = [s for s in plan["steps"] if s["key"] in anchored]
    assert waiting and all(s["status"] == "waiting" and s["due"] is None for s in waiting)
    # Arrival-anchored steps are dated as usual.
    assert steps[("moede_jobcenter", "P-77120")]["due"] is not None


def test_a_quota_household_with_its_registration_in_the_notice_is_dated_from_it() -> None:
    plan = plan_of(sample(legal_basis="kvote", takeover_date="2026-12-10"))
    assert plan["case"]["takeover"] == "2026-12-10"
    keys = {s["key"] for s in plan["steps"]}
    assert "cpr_tilflyttet" not in keys
    due = {s["key"]: s["due"] for s in plan["steps"]}
    assert due["integrationskontrakt"] == "2027-01-10"


def test_the_readable_plan_names_the_basis_and_why_steps_wait() -> None:
    runner = CliRunner()
    statutory = runner.invoke(
        app, ["plan", str(EXAMPLES / "enlig-voksen.json")], env={"COLUMNS": "200"}
    )
    assert "Overtagelse 4. januar 2027 (lovens frist)" in statutory.output
    reunification = runner.invoke(
        app, ["plan", str(EXAMPLES / "familiesammenfoering.json")], env={"COLUMNS": "200"}
    )
    assert "Overtagelse 1. februar 2027 (fra CPR-registrering)" in reunification.output


def test_the_readable_plan_of_a_waiting_quota_household_says_it_waits_for_the_cpr(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kvote.json"
    path.write_text(json.dumps(sample(legal_basis="kvote")))
    result = CliRunner().invoke(app, ["plan", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Overtagelse ikke fastsat (venter på registrering i CPR)" in result.output
    assert result.output.count("venter på registrering i CPR") >= 2


def test_digital_post_is_reconsidered_for_a_15_year_old_too() -> None:
    members = [
        *sample()["members"],
        {
            "person_id": "P-15",
            "role": "barn",
            "given_name": "A",
            "family_name": "B",
            "birth_date": "2011-01-01",
        },
    ]
    plan = plan_of(sample(members=members))
    assert [s["person_id"] for s in plan["steps"] if s["key"] == "digital_post_revurdering"] == [
        "P-77120",
        "P-15",
    ]


# --- properties -------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)))
def test_without_consent_the_takeover_is_a_first_or_the_first_weekday_after_it(
    decision: date,
) -> None:
    takeover = statutory_takeover(decision)
    first = takeover.replace(day=1)
    assert takeover.weekday() < 5 and not is_public_holiday(takeover)
    skipped = [first + timedelta(days=n) for n in range((takeover - first).days)]
    assert all(day.weekday() >= 5 or is_public_holiday(day) for day in skipped)
    assert (first.year * 12 + first.month) - (decision.year * 12 + decision.month) == 2


@settings(max_examples=60, deadline=None)
@given(
    days_before=st.integers(0, 365),
    consent=st.integers(0, 120),
    basis=st.sampled_from([None, "asyl", "kvote"]),
)
def test_a_legal_due_date_is_never_before_the_takeover(
    days_before: int, consent: int, basis: str | None
) -> None:
    decision = date(2026, 11, 23) - timedelta(days=days_before)
    takeover = min(decision + timedelta(days=consent), statutory_takeover(decision))
    data = sample(decision_date=decision.isoformat(), takeover_date=takeover.isoformat())
    if basis:
        data["legal_basis"] = basis
    plan = plan_case(parsed(data), DEFINITION)
    assert plan.dates.takeover == takeover
    for step in plan.steps:
        if step.legal and step.due is not None:
            assert step.due >= takeover


@pytest.mark.parametrize("name", ["enlig-voksen.json", "familie.json", "familiesammenfoering.json"])
def test_a_decision_date_equal_to_the_notice_date_plans_the_same(name: str) -> None:
    without = parsed(sample(name))
    with_it = parsed(sample(name, decision_date=without.notice_date.isoformat()))
    assert plan_case(with_it, DEFINITION) == plan_case(without, DEFINITION)
