"""Amendments in the pure core: reading, merging, naming changes, comparing plans by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from koereplan.amendment import Amendment, arrival_after, changed_fields, merge, role_changes
from koereplan.definition_file import load_definition
from koereplan.inbound import parse_inbound
from koereplan.notice import Notice, validate_notice
from koereplan.notice_problems import NoticeRejected
from koereplan.paths import CONFIG_DIR
from koereplan.planner import PlannedStep, plan_case
from koereplan.replanning import compare_steps, merged_order

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFINITION = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
TODAY = date(2026, 11, 30)
FAMILY = json.loads((EXAMPLES / "familie.json").read_text())
AMENDMENT = {
    "schema_version": 1,
    "notice_id": "UST-2026-100245-A1",
    "kind": "aendring",
    "issued_at": "2026-11-27T09:00:00+01:00",
    "municipality_code": "851",
    "reference_notice_id": "UST-2026-100245",
}


def parse(data: dict) -> Notice | Amendment:
    return parse_inbound(json.dumps(data).encode(), municipality_code="851", today=TODAY)


@dataclass
class Stored:
    key: str
    person_id: str
    status: str
    due: date | None


def planned(key: str, person: str | None, due: date | None) -> PlannedStep:
    return PlannedStep(key, "foer", key, person, "koordinator", (), "task", False, due, "open")


def test_an_amendment_is_read_by_its_kind_and_keeps_only_its_envelope_required() -> None:
    amendment = parse({**AMENDMENT, "expected_arrival": "2027-01-11"})
    assert isinstance(amendment, Amendment)
    assert (amendment.reference_notice_id, amendment.expected_arrival) == (
        "UST-2026-100245",
        date(2027, 1, 11),
    )
    assert amendment.members is None  # absent: unchanged
    assert isinstance(parse(FAMILY), Notice)


def test_an_amendment_without_reference_or_with_a_bad_member_names_the_field() -> None:
    data = {k: v for k, v in AMENDMENT.items() if k != "reference_notice_id"}
    data["members"] = [{"person_id": "P-1", "role": "konge"}]
    with pytest.raises(NoticeRejected) as rejected:
        parse(data)
    where = {p.where for p in rejected.value.problems}
    assert {"reference_notice_id", "members[0].role", "members[0].birth_date"} <= where


def test_an_empty_members_list_leaves_no_member_and_is_refused() -> None:
    with pytest.raises(NoticeRejected) as rejected:
        parse({**AMENDMENT, "members": []})
    assert [str(p) for p in rejected.value.problems] == ["members: skal have mindst 1 person"]


def test_merging_keeps_the_stored_envelope_and_ignores_nulls() -> None:
    merged = merge(FAMILY, {**AMENDMENT, "interpreter_language": None, "expected_arrival": "x"})
    assert merged["notice_id"] == "UST-2026-100245"
    assert merged["kind"] == "opholdstilladelse"
    assert merged["issued_at"] == FAMILY["issued_at"]
    assert merged["interpreter_language"] == "ar"  # null means unchanged
    assert merged["expected_arrival"] == "x"  # validated later, against the merged notice


def test_the_merged_notice_is_checked_by_the_first_notice_s_rules() -> None:
    merged = merge(FAMILY, {**AMENDMENT, "expected_arrival": "2026-11-01"})
    with pytest.raises(NoticeRejected) as rejected:
        validate_notice(merged, municipality_code="851", today=TODAY)
    assert [p.where for p in rejected.value.problems] == ["expected_arrival"]


def test_changed_fields_are_names_only_and_per_member_field() -> None:
    members = [dict(m) for m in FAMILY["members"]]
    members[2]["birth_date"] = "2007-01-01"
    members.append(
        {
            "person_id": "P-80006",
            "role": "barn",
            "given_name": "Ny",
            "family_name": "Født",
            "birth_date": "2026-11-20",
        }
    )
    after = merge(FAMILY, {"members": members, "expected_arrival": "2027-01-11"})
    assert changed_fields(FAMILY, after) == ["expected_arrival", "members", "members.birth_date"]
    assert changed_fields(FAMILY, merge(FAMILY, {})) == []
    text = " ".join(changed_fields(FAMILY, after))
    assert "2007" not in text and "Født" not in text


def test_a_person_who_changes_role_is_named_with_the_field() -> None:
    members = [dict(m) for m in FAMILY["members"]]
    members[2]["role"] = "hovedperson"
    roles = {m["person_id"]: m["role"] for m in FAMILY["members"]}
    problems = role_changes(roles, {"members": members})
    assert [p.where for p in problems] == ["members[2].role"]
    assert "P-80003" in problems[0].message and "barn" in problems[0].message


def test_the_arrival_moves_only_when_the_amendment_changes_expected_arrival() -> None:
    booked = date(2026, 12, 8)
    assert arrival_after(booked, ["members"], date(2026, 12, 1)) == (booked, False)
    assert arrival_after(booked, ["expected_arrival"], date(2027, 1, 11)) == (
        date(2027, 1, 11),
        True,
    )


def test_compare_steps_by_hand() -> None:
    d1, d2, d3 = date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6)
    stored = [
        Stored("a", "", "open", d1),  # same due: untouched
        Stored("b", "", "open", d1),  # new due: moved
        Stored("c", "P-1", "planned", d1),  # gone from the plan: lapsed
        Stored("d", "P-1", "done", d1),  # gone, but finished: history
        Stored("e", "", "not_applicable", d1),  # finished, new due: history
        Stored("f", "P-2", "waiting", None),  # waiting, still waiting: untouched
    ]
    plan = [
        planned("a", None, d1),
        planned("b", None, d2),
        planned("e", None, d3),
        planned("f", "P-2", None),
        planned("g", "P-3", d3),  # new member's step: added
    ]
    changes = compare_steps(stored, plan)
    assert [p.key for p in changes.added] == ["g"]
    assert [s.key for s in changes.lapsed] == ["c"]
    assert [(s.key, due) for s, due in changes.moved] == [("b", d2)]
    assert not changes.empty
    assert compare_steps(stored[:2], [*plan[:1], planned("b", None, d1)]).empty


def test_a_step_that_left_the_plan_keeps_its_place_in_the_list() -> None:
    stored = [("a", ""), ("x", "P-1"), ("b", "")]
    plan = [("a", ""), ("b", ""), ("n", "P-2")]
    assert merged_order(stored, plan) == [("a", ""), ("x", "P-1"), ("b", ""), ("n", "P-2")]
    assert merged_order([("x", "")], [("a", "")]) == [("x", ""), ("a", "")]


def _family_plan(members: list[dict], arrival: date = date(2026, 12, 8)) -> set[tuple[str, str]]:
    notice = validate_notice(merge(FAMILY, {"members": members}), municipality_code="851")
    steps = plan_case(notice, DEFINITION, arrival=arrival).steps
    return {(s.key, s.person_id or "") for s in steps}


def test_a_newborn_in_a_family_without_small_children_brings_the_health_visitor() -> None:
    adults = [m for m in FAMILY["members"] if m["role"] != "barn"]
    baby = {
        "person_id": "P-80009",
        "role": "barn",
        "given_name": "Ny",
        "family_name": "Født",
        "birth_date": "2026-11-20",
    }
    before = _family_plan(adults)
    after = _family_plan([*adults, baby])
    added = after - before
    assert ("varsel_sundhedspleje", "") in added
    assert ("sundhedstilbud_barn", "P-80009") in added
    assert ("cpr_bestilt", "P-80009") in added
    assert not before - after


def test_a_birth_date_across_the_18_year_line_swaps_child_steps_for_adult_steps() -> None:
    members = [dict(m) for m in FAMILY["members"]]
    members[2]["birth_date"] = "2007-01-01"  # P-80003: 12 → 19 on arrival
    before = _family_plan(FAMILY["members"])
    after = _family_plan(members)
    assert ("skoleindskrivning", "P-80003") in before - after
    assert ("integrationskontrakt", "P-80003") in after - before
