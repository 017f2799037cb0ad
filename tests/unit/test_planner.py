"""Planning notices: the samples by hand, and properties over generated notices."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koereplan.deadlines import shift
from koereplan.definition_file import load_definition
from koereplan.notice import parse_notice
from koereplan.paths import CONFIG_DIR
from koereplan.planner import plan_case
from koereplan.takeover import by_registration, statutory_takeover
from koereplan.workdays import is_working_day, local_date

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFINITION = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
LEGAL_PER_ADULT = ("integrationskontrakt", "erklaering", "danskuddannelse", "program_start")


def plan_example(name: str) -> dict:
    notice = parse_notice((EXAMPLES / name).read_bytes(), municipality_code="851")
    return plan_case(notice, DEFINITION).to_json()


def legal_steps(plan: dict) -> set[tuple[str, str | None, str | None]]:
    return {(s["key"], s["person_id"], s["due"]) for s in plan["steps"] if s["legal"]}


def plan_changed(name: str, **changes: object) -> dict:
    raw = json.loads((EXAMPLES / name).read_text())
    raw.update(changes)
    notice = parse_notice(json.dumps(raw).encode(), municipality_code="851")
    return plan_case(notice, DEFINITION).to_json()


def test_a_single_adult_gets_the_law_s_deadlines_from_the_statutory_takeover() -> None:
    plan = plan_example("enlig-voksen.json")
    assert plan["case"] == {
        "notice_id": "UST-2026-100231",
        "kind": "opholdstilladelse",
        "notice": "2026-11-23",
        "arrival": "2026-12-09",
        "decision": "2026-11-23",
        # Decision in November: 1 Jan 2027 is a Friday holiday, so Monday 4 Jan 2027.
        "takeover": "2027-01-04",
        "takeover_basis": "statutory",
    }
    person = "P-77120"
    expected = {(key, person, "2027-02-04") for key in LEGAL_PER_ADULT}
    expected |= {
        ("virksomhedsrettet_tilbud", person, "2027-02-04"),
        ("visitation", person, "2027-04-04"),  # a Sunday (Easter Day), kept: legal dates never move
        ("helbredsvurdering", person, "2027-07-04"),
    }
    expected |= {(f"opfoelgning_{n}", person, None) for n in range(1, 5)}
    assert legal_steps(plan) == expected
    assert len(plan["steps"]) == 32


def test_an_internal_target_on_a_saturday_moves_back_to_friday() -> None:
    # Consent takeover 9 Dec 2026: +1 month = Saturday 9 Jan 2027.
    plan = plan_changed("enlig-voksen.json", takeover_date="2026-12-09")
    assert plan["case"]["takeover_basis"] == "consent"
    steps = {s["key"]: s for s in plan["steps"]}
    assert steps["kompetencevurdering"]["due"] == "2027-01-08"
    assert steps["kompetencevurdering"]["legal"] is False
    assert steps["integrationskontrakt"]["due"] == "2027-01-09"


def test_the_follow_ups_wait_for_the_visitation_date() -> None:
    steps = [s for s in plan_example("enlig-voksen.json")["steps"] if s["key"].startswith("opf")]
    assert [s["status"] for s in steps] == ["waiting"] * 4
    assert [s["due"] for s in steps] == [None] * 4


def test_a_family_without_arrival_date_gets_one_planned_ten_working_days_out() -> None:
    plan = plan_example("familie.json")
    assert plan["case"]["notice"] == "2026-11-24"
    assert plan["case"]["arrival"] == "2026-12-08"
    adults = ["P-80001", "P-80002", "P-80005"]
    on_benefit = ["P-80001", "P-80002"]  # P-80005 is 70 on arrival: past pension age
    # The takeover is the law's (4 Jan 2027), not the planned arrival.
    expected = {(key, p, "2027-02-04") for key in LEGAL_PER_ADULT for p in adults}
    expected |= {("virksomhedsrettet_tilbud", p, "2027-02-04") for p in on_benefit}
    expected |= {("visitation", p, "2027-04-04") for p in on_benefit}
    expected |= {(f"opfoelgning_{n}", p, None) for n in range(1, 5) for p in on_benefit}
    expected |= {("helbredsvurdering", f"P-8000{n}", "2027-07-04") for n in range(1, 6)}
    assert legal_steps(plan) == expected


def test_a_family_s_children_get_the_child_steps_by_age() -> None:
    steps = plan_example("familie.json")["steps"]
    by_key: dict[str, list] = {}
    for step in steps:
        by_key.setdefault(step["key"], []).append(step["person_id"])
    assert by_key["skoleindskrivning"] == ["P-80003"]  # 12 years old
    assert by_key["modtagerklasse"] == ["P-80003"]
    assert by_key["pasningstilbud"] == ["P-80004"]  # 4 years old
    assert by_key["sundhedstilbud_barn"] == ["P-80003", "P-80004"]
    assert by_key["saerlig_stoette"] == ["P-80005"]
    assert by_key["kompetencevurdering"] == ["P-80002"]
    assert by_key["skattekort_bestilt"] == ["P-80001", "P-80002", "P-80005"]
    for key in ("varsel_boern_familie", "varsel_sundhedspleje", "varsel_skole"):
        assert by_key[key] == [None]
    assert by_key["varsel_aeldre_handicap"] == [None]
    assert "uledsaget_vurdering" not in by_key


def test_a_reunification_skips_housing_and_self_supporting_adults_skip_the_program() -> None:
    plan = plan_example("familiesammenfoering.json")
    assert plan["case"]["notice"] == "2027-01-15"
    keys = {s["key"] for s in plan["steps"]}
    for key in ("boligbehov", "bolig_indbo", "affald", "bolig_fremvist", "boligsocial"):
        assert key not in keys
    assert "flyttemeddelelse" not in keys  # no asylum centre in the notice
    expected = {(key, "P-91544", "2027-03-01") for key in LEGAL_PER_ADULT}
    expected |= {("helbredsvurdering", p, "2027-08-01") for p in ("P-91544", "P-91545")}
    assert legal_steps(plan) == expected


def test_steps_come_in_koereplan_order_and_the_tax_card_waits_for_the_cpr_number() -> None:
    steps = plan_example("familie.json")["steps"]
    phases = [s["phase"] for s in steps]
    assert phases == sorted(phases, key=["foer", "ankomst", "hverdag"].index)
    assert steps[0]["key"] == "sag_oprettet" and steps[0]["status"] == "done"
    statuses = {(s["key"], s["person_id"]): s["status"] for s in steps}
    assert statuses[("skattekort_bestilt", "P-80001")] == "planned"
    assert statuses[("affald", None)] == "planned"
    assert statuses[("bolig_indbo", None)] == "open"


def test_a_member_with_a_cpr_number_gets_no_cpr_step_and_an_open_tax_card_step() -> None:
    raw = json.loads((EXAMPLES / "enlig-voksen.json").read_text())
    raw["members"][0]["cpr"] = "140298-1233"
    notice = parse_notice(json.dumps(raw).encode(), municipality_code="851")
    steps = {s.key: s for s in plan_case(notice, DEFINITION).steps}
    assert "cpr_bestilt" not in steps
    assert steps["skattekort_bestilt"].status == "open"


def test_planning_without_capacity_ignores_bookings_but_a_full_day_moves_the_arrival() -> None:
    notice = parse_notice((EXAMPLES / "familie.json").read_bytes(), municipality_code="851")
    full = {date(2026, 12, 8): 2}
    assert plan_case(notice, DEFINITION, bookings=full).dates.arrival == date(2026, 12, 9)


def test_a_second_municipality_plans_from_its_own_file() -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures/koereplan.smaaby.yaml"
    definition = load_definition(fixture)
    notice = parse_notice((EXAMPLES / "familie.json").read_bytes(), municipality_code="851")
    plan = plan_case(notice, definition)
    steps = [(s.key, s.person_id, s.responsible, s.due, s.status) for s in plan.steps]
    # Arrival planned for 8 Dec 2026, notice 24 Nov; Småby's own offsets and departments.
    assert steps[:3] == [
        ("sag_modtaget", None, "borgerservice", date(2026, 11, 24), "done"),
        ("asylcenter_orienteret", None, "integrationsteam", date(2026, 11, 27), "open"),
        ("bolig_klar", None, "integrationsteam", date(2026, 11, 24), "open"),
    ]
    assert [s[1] for s in steps if s[0] == "skolestart"] == ["P-80003"]
    assert {s[1]: s[3] for s in steps if s[0] == "forloeb"} == {
        "P-80001": date(2027, 2, 4),
        "P-80002": date(2027, 2, 4),
    }
    assert {s[4] for s in steps if s[0] in ("forloeb", "samtale")} == {"planned"}


# --- properties over generated notices -------------------------------------------------------

ROLES = ("hovedperson", "aegtefaelle", "barn", "anden")


@st.composite
def notices(draw: st.DrawFn) -> bytes:
    """A valid notice: issued 2026–2030 at any hour, with or without arrival and takeover."""
    issued = draw(
        st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31))
    ).replace(tzinfo=timezone(timedelta(hours=draw(st.sampled_from([0, 1, 2])))))
    local = issued.astimezone(timezone(timedelta(hours=1))).date() + timedelta(days=1)
    count = draw(st.integers(1, 7))
    members = []
    for n in range(count):
        age_days = draw(st.integers(0, 95 * 365))
        members.append(
            {
                "person_id": f"P-{n}",
                "role": draw(st.sampled_from(ROLES)),
                "given_name": "A",
                "family_name": "B",
                "birth_date": (date(2025, 12, 31) - timedelta(days=age_days)).isoformat(),
                "formal_education": draw(st.booleans()),
                "special_needs": draw(st.booleans()),
                "self_supporting": draw(st.booleans()),
            }
        )
    notice: dict = {
        "schema_version": 1,
        "notice_id": "N-1",
        "kind": draw(st.sampled_from(["opholdstilladelse", "familiesammenfoering"])),
        "issued_at": issued.isoformat(),
        "municipality_code": "851",
        "members": members,
    }
    if notice["kind"] == "familiesammenfoering":
        notice["reference_notice_id"] = "N-0"
    if draw(st.booleans()):
        notice["asylum_centre"] = {"name": "Center", "email": "c@center.example"}
    decision = local_date(issued)  # the notice date: the decision's default
    if draw(st.booleans()):
        decision -= timedelta(days=draw(st.integers(0, 360)))
        notice["decision_date"] = decision.isoformat()
    if notice["kind"] == "opholdstilladelse":
        basis = draw(st.sampled_from([None, "asyl", "kvote"]))
        if basis:
            notice["legal_basis"] = basis
    if draw(st.booleans()):
        arrival = local + timedelta(days=draw(st.integers(0, 60)))
        notice["expected_arrival"] = arrival.isoformat()
    if draw(st.booleans()):
        # Consent (asyl) up to the statutory date; a CPR registration from the decision on.
        latest = (
            statutory_takeover(decision)
            if by_registration(notice["kind"], notice.get("legal_basis")) is False
            else decision + timedelta(days=120)
        )
        span = (latest - decision).days
        notice["takeover_date"] = (
            decision + timedelta(days=draw(st.integers(0, span)))
        ).isoformat()
    return json.dumps(notice).encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notices())
def test_generated_notices_plan_by_the_date_rules(raw: bytes) -> None:
    notice = parse_notice(raw, municipality_code="851", today=date(2031, 1, 1))
    plan = plan_case(notice, DEFINITION)
    dates = plan.dates
    defs = {step.key: step for step in DEFINITION.steps}
    for step in plan.steps:
        anchor_name = defs[step.key].due.anchor
        if step.due is None:
            assert step.status == "waiting"
            assert anchor_name == "visitation" or (
                anchor_name == "takeover" and dates.takeover is None
            )
            continue
        anchor = dates.anchor(anchor_name)
        assert anchor is not None
        if step.legal:
            assert step.due == shift(anchor, defs[step.key].due)
            if anchor_name == "takeover":
                assert dates.takeover is not None and step.due >= dates.takeover
        else:
            assert step.due >= dates.notice
            assert is_working_day(step.due)
    household = notice.household(dates.arrival)
    for definition in DEFINITION.steps:
        planned = [s for s in plan.steps if s.key == definition.key]
        if not definition.applies_to(household):
            assert planned == []
        elif definition.scope == "household":
            assert [s.person_id for s in planned] == [None]
        else:
            expected = [p.person_id for p in definition.members_of(household)]
            assert [s.person_id for s in planned] == expected
    assert plan_case(notice, DEFINITION) == plan


@pytest.mark.parametrize("name", ["enlig-voksen.json", "familie.json", "familiesammenfoering.json"])
def test_every_sample_plans_the_same_twice(name: str) -> None:
    assert plan_example(name) == plan_example(name)
