"""The køreplan file: Aalborg's loads as the spec says; every mistake is reported with its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from koereplan.deadlines import Due
from koereplan.definition import Definition, StepDef, default_definition_path
from koereplan.definition_file import ConfigError, check_definition, load_definition
from koereplan.household import Household, Person
from koereplan.problems import Problem, ProblemsError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# The spec's tables, in order: (key, phase, legal, due).
SPEC_STEPS: list[tuple[str, str, bool, str]] = [
    ("sag_oprettet", "foer", False, "on notice"),
    ("boligbehov", "foer", False, "notice +2 wd"),
    ("flyttemeddelelse", "foer", False, "notice +1 wd"),
    ("moeder_koordineret", "foer", False, "arrival -3 wd"),
    ("bolig_indbo", "foer", False, "arrival -5 wd"),
    ("cpr_bestilt", "foer", False, "arrival -5 wd"),
    ("skattekort_bestilt", "foer", False, "arrival -3 wd"),
    ("affald", "foer", False, "arrival -1 wd"),
    ("varsel_boern_familie", "foer", False, "notice +2 wd"),
    ("varsel_sundhedspleje", "foer", False, "notice +2 wd"),
    ("varsel_skole", "foer", False, "notice +2 wd"),
    ("varsel_aeldre_handicap", "foer", False, "notice +2 wd"),
    ("varsel_lokalsamraad", "foer", False, "arrival -5 wd"),
    ("familiekonsulent", "foer", False, "arrival -3 wd"),
    ("skoleindskrivning", "foer", False, "arrival -3 wd"),
    ("uledsaget_vurdering", "foer", False, "notice +2 wd"),
    ("cpr_tilflyttet", "ankomst", False, "on arrival"),
    ("ankomst_formalia", "ankomst", False, "on arrival"),
    ("bolig_fremvist", "ankomst", False, "on arrival"),
    ("moeder_informeret", "ankomst", False, "on arrival"),
    ("moede_socialcenter", "hverdag", False, "arrival +5 wd"),
    ("moede_jobcenter", "hverdag", False, "arrival +10 wd"),
    ("samtykke_helbred", "hverdag", False, "arrival +10 wd"),
    ("integrationskontrakt", "hverdag", True, "takeover +1 months"),
    ("erklaering", "hverdag", True, "takeover +1 months"),
    ("danskuddannelse", "hverdag", True, "takeover +1 months"),
    ("program_start", "hverdag", True, "takeover +1 months"),
    ("virksomhedsrettet_tilbud", "hverdag", True, "takeover +1 months"),
    ("kompetencevurdering", "hverdag", False, "takeover +1 months"),
    ("uddannelsespaalaeg", "hverdag", False, "takeover +1 months"),
    ("helbredsvurdering", "hverdag", True, "takeover +6 months"),
    ("visitation", "hverdag", True, "takeover +3 months"),
    ("opfoelgning_1", "hverdag", True, "visitation +6 weeks"),
    ("opfoelgning_2", "hverdag", True, "visitation +12 weeks"),
    ("opfoelgning_3", "hverdag", True, "visitation +18 weeks"),
    ("opfoelgning_4", "hverdag", True, "visitation +6 months"),
    ("hjemmebesoeg", "hverdag", False, "arrival +1 months"),
    ("pasningstilbud", "hverdag", False, "arrival +1 months"),
    ("sundhedstilbud_barn", "hverdag", False, "arrival +1 months"),
    ("modtagerklasse", "hverdag", False, "arrival +10 wd"),
    ("saerlig_stoette", "hverdag", False, "arrival +10 wd"),
    ("lokalomraade", "hverdag", False, "arrival +2 months"),
    ("sundhedsindsats", "hverdag", False, "arrival +3 months"),
    ("boligsocial", "hverdag", False, "arrival +3 months"),
    ("digital_post_revurdering", "hverdag", False, "arrival +23 months"),
]

VALID = """\
municipality:
  name: Testby Kommune
  code: "123"
phases:
  - key: foer
    title: Før
  - key: efter
    title: Efter
departments:
  - key: team
    name: Teamet
    coordinators: true
  - key: skole
    name: Skolen
  - key: asylcenter
    name: Asylcentret
    from_case: true
steps:
  - key: a
    phase: foer
    title: Trin A
    scope: household
    kind: task
    responsible: team
    notify: [skole]
    when: [always]
    due: notice +2 wd
  - key: b
    phase: efter
    title: Trin B
    scope: each_child
    members: ["age 6-16"]
    kind: task
    responsible: skole
    after: [a]
    due: arrival +1 month
    legal: true
"""


@pytest.fixture(scope="module")
def aalborg() -> Definition:
    return load_definition(default_definition_path())


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "koereplan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`th line containing `needle`."""
    pattern = re.compile(re.escape(needle) + r"(?![\w-])")
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if pattern.search(line)]
    return hits[occurrence - 1]


def broken(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def only_problem(path: Path) -> Problem:
    problems = check_definition(path)
    assert len(problems) == 1, problems
    return problems[0]


def person(pid: str, age: int, **facts: bool) -> Person:
    return Person(person_id=pid, role="adult" if age >= 18 else "child", age=age, **facts)


# ── Aalborg's file ───────────────────────────────────────────────────────────────────────────


def test_the_aalborg_file_is_the_default_and_has_no_problems() -> None:
    path = default_definition_path()
    assert path.name == "koereplan.aalborg.yaml"
    assert path.parent.name == "config"
    assert check_definition(path) == []


def test_the_aalborg_file_has_all_45_steps_20_departments_and_3_phases(aalborg: Definition) -> None:
    assert aalborg.municipality_name == "Aalborg Kommune"
    assert aalborg.municipality_code == "851"
    assert len(aalborg.steps) == 45
    assert len(aalborg.departments) == 20
    assert [(p.key, p.title) for p in aalborg.phases] == [
        ("foer", "Før modtagelsen"),
        ("ankomst", "Ved modtagelsen"),
        ("hverdag", "Hverdagen begynder"),
    ]


def test_the_aalborg_steps_follow_the_spec_tables_in_order(aalborg: Definition) -> None:
    assert [(s.key, s.phase) for s in aalborg.steps] == [(k, ph) for k, ph, _, _ in SPEC_STEPS]


def test_the_aalborg_legal_flags_and_dues_match_the_spec(aalborg: Definition) -> None:
    assert [(s.key, s.legal, str(s.due)) for s in aalborg.steps] == [
        (k, legal, due) for k, _, legal, due in SPEC_STEPS
    ]
    legal = [s.key for s in aalborg.steps if s.legal]
    assert len(legal) == 11


def test_the_asylum_centre_is_the_only_department_whose_address_comes_from_the_case(
    aalborg: Definition,
) -> None:
    assert [d.key for d in aalborg.departments.values() if d.from_case] == ["asylcenter"]
    assert aalborg.step("flyttemeddelelse").notify == ("asylcenter",)
    assert aalborg.step("flyttemeddelelse").kind == "notice"


def test_the_aalborg_file_names_its_coordinators_and_its_asylum_centre(
    aalborg: Definition,
) -> None:
    assert aalborg.coordinators == "koordinator"
    assert aalborg.asylum_centre == "asylcenter"
    assert [d.key for d in aalborg.departments.values() if d.coordinators] == ["koordinator"]


def test_the_aalborg_dependencies_are_the_spec_afters(aalborg: Definition) -> None:
    afters = {s.key: s.after for s in aalborg.steps if s.after}
    assert afters == {
        "skattekort_bestilt": ("cpr_bestilt",),
        "affald": ("bolig_indbo",),
        "opfoelgning_1": ("visitation",),
        "opfoelgning_2": ("opfoelgning_1",),
        "opfoelgning_3": ("opfoelgning_2",),
        "opfoelgning_4": ("opfoelgning_3",),
    }


def test_the_aalborg_member_scopes_and_conditions_are_mapped_from_the_spec(
    aalborg: Definition,
) -> None:
    step = aalborg.step
    assert (step("cpr_bestilt").scope, step("cpr_bestilt").members) == (
        "each_member",
        ("without_cpr",),
    )
    assert step("skoleindskrivning").members == ("age 6-16",)
    assert step("pasningstilbud").members == ("age 0-5",)
    assert step("uddannelsespaalaeg").members == ("age 18-24",)
    assert step("kompetencevurdering").members == ("formal_education",)
    assert step("visitation").members == ("on_benefit",)
    assert step("saerlig_stoette").members == ("special_needs",)
    assert step("varsel_skole").when == ("school_age_child",)
    assert step("varsel_aeldre_handicap").when == ("senior_or_special_needs",)
    assert step("uledsaget_vurdering").when == ("unaccompanied_minor",)
    assert step("flyttemeddelelse").when == ("has_asylum_centre",)
    assert step("sag_oprettet").kind == "automatic"
    assert step("boligbehov").notify == (
        "by-landskab",
        "aeldre-handicap",
        "borgmesterens-forvaltning",
    )


def test_an_unknown_step_key_raises_a_key_error_naming_it(aalborg: Definition) -> None:
    with pytest.raises(KeyError, match="nope"):
        aalborg.step("nope")
    assert not aalborg.has_step("nope")
    assert aalborg.has_step("visitation")


def test_steps_sort_by_phase_then_koereplan_order_then_member(aalborg: Definition) -> None:
    assert aalborg.phase_index("foer") == 0
    assert aalborg.phase_index("hverdag") == 2
    keys = [
        ("visitation", 1),
        ("sag_oprettet", -1),
        ("visitation", 0),
        ("bolig_fremvist", -1),
        ("moede_socialcenter", -1),
    ]
    ordered = sorted(keys, key=lambda k: aalborg.order_key(*k))
    assert ordered == [
        ("sag_oprettet", -1),
        ("bolig_fremvist", -1),
        ("moede_socialcenter", -1),
        ("visitation", 0),
        ("visitation", 1),
    ]


def test_steps_are_kept_in_phase_order_even_when_the_file_mixes_phases(tmp_path: Path) -> None:
    text = VALID.replace("phase: foer\n    title: Trin A", "phase: efter\n    title: Trin A")
    text = text.replace("phase: efter\n    title: Trin B", "phase: foer\n    title: Trin B")
    definition = load_definition(write(tmp_path, text))
    assert [s.key for s in definition.steps] == ["b", "a"]


# ── Another municipality ─────────────────────────────────────────────────────────────────────


def test_a_second_municipality_loads_with_its_own_steps_departments_and_offsets() -> None:
    definition = load_definition(FIXTURES / "koereplan.smaaby.yaml")
    assert definition.municipality_name == "Småby Kommune"
    assert [p.key for p in definition.phases] == ["forberedelse", "opstart"]
    assert "socialcenter-integration" not in definition.departments
    assert definition.step("bolig_klar").due == Due("arrival", -10, "wd")
    assert definition.step("skolestart").members == ("age 7-15",)
    assert definition.step("forloeb").after == ("cpr",)


def test_omitted_optional_fields_take_their_defaults(tmp_path: Path) -> None:
    definition = load_definition(write(tmp_path, VALID))
    a = definition.step("a")
    assert (a.members, a.after, a.legal) == ((), (), False)
    b = definition.step("b")
    assert (b.notify, b.when) == ((), ())
    assert definition.departments["team"].from_case is False
    assert definition.departments["asylcenter"].from_case is True


# ── applies_to and members_of ────────────────────────────────────────────────────────────────


def test_a_family_with_a_school_child_gets_the_school_steps_for_that_child_only(
    aalborg: Definition,
) -> None:
    household = Household(
        kind="opholdstilladelse",
        has_asylum_centre=True,
        people=(person("P-1", 40), person("P-2", 9), person("P-3", 3), person("P-4", 17)),
    )
    assert aalborg.step("varsel_skole").applies_to(household)
    assert aalborg.step("familiekonsulent").applies_to(household)
    assert [p.person_id for p in aalborg.step("skoleindskrivning").members_of(household)] == ["P-2"]
    assert [p.person_id for p in aalborg.step("pasningstilbud").members_of(household)] == ["P-3"]
    children = aalborg.step("sundhedstilbud_barn").members_of(household)
    assert [p.person_id for p in children] == ["P-2", "P-3", "P-4"]


def test_a_household_step_has_no_members(aalborg: Definition) -> None:
    household = Household("opholdstilladelse", False, (person("P-1", 30),))
    assert aalborg.step("moede_socialcenter").members_of(household) == []


def test_a_reunification_case_skips_the_housing_steps(aalborg: Definition) -> None:
    household = Household("familiesammenfoering", False, (person("P-1", 30), person("P-2", 4)))
    assert not aalborg.step("bolig_indbo").applies_to(household)
    assert not aalborg.step("flyttemeddelelse").applies_to(household)
    assert aalborg.step("ankomst_formalia").applies_to(household)
    assert aalborg.step("varsel_sundhedspleje").applies_to(household)


def test_only_a_household_waiting_for_its_cpr_registration_gets_the_registration_step(
    aalborg: Definition,
) -> None:
    people = (person("P-1", 30),)
    waiting = Household("opholdstilladelse", False, people, awaits_registration=True)
    assert aalborg.step("cpr_tilflyttet").applies_to(waiting)
    assert not aalborg.step("cpr_tilflyttet").applies_to(
        Household("opholdstilladelse", False, people)
    )


def test_digital_post_is_reconsidered_for_every_member_aged_15_or_more(aalborg: Definition) -> None:
    household = Household(
        "opholdstilladelse", False, (person("P-1", 40), person("P-2", 15), person("P-3", 14))
    )
    members = aalborg.step("digital_post_revurdering").members_of(household)
    assert [p.person_id for p in members] == ["P-1", "P-2"]


def test_member_filters_all_must_hold_and_keep_notice_order(aalborg: Definition) -> None:
    household = Household(
        kind="opholdstilladelse",
        has_asylum_centre=True,
        people=(
            person("P-1", 70),
            person("P-2", 45, self_supporting=True, has_cpr=True),
            person("P-3", 20, formal_education=True),
            person("P-4", 12, special_needs=True),
        ),
    )
    ids = lambda key: [p.person_id for p in aalborg.step(key).members_of(household)]  # noqa: E731
    assert ids("visitation") == ["P-3"]
    assert ids("cpr_bestilt") == ["P-1", "P-3", "P-4"]
    assert ids("kompetencevurdering") == ["P-3"]
    assert ids("uddannelsespaalaeg") == ["P-3"]
    assert ids("saerlig_stoette") == ["P-4"]
    assert ids("moede_jobcenter") == ["P-1", "P-2", "P-3"]
    assert aalborg.step("varsel_aeldre_handicap").applies_to(household)


def test_an_unaccompanied_minor_gets_the_assessment_and_no_adult_steps(
    aalborg: Definition,
) -> None:
    household = Household("opholdstilladelse", True, (person("P-1", 16),))
    assert aalborg.step("uledsaget_vurdering").applies_to(household)
    assert aalborg.step("moede_jobcenter").members_of(household) == []
    adults = Household("opholdstilladelse", True, (person("P-1", 19),))
    assert not aalborg.step("uledsaget_vurdering").applies_to(adults)


# ── Problems, each with the file, the line and the value ─────────────────────────────────────


def test_a_yaml_syntax_error_reports_its_line(tmp_path: Path) -> None:
    text = broken(VALID, "    title: Trin A\n", "    title: [Trin A\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where.startswith(f"{path}:")
    assert int(problem.where.split(":")[-1]) >= line_of(text, "[Trin A")
    assert "YAML syntax error" in problem.message


def test_a_yaml_syntax_error_on_a_bad_indent_names_the_line(tmp_path: Path) -> None:
    text = broken(VALID, "    scope: household\n", "   scope: household\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'scope: household')}"
    assert "YAML syntax error" in problem.message


def test_a_missing_field_is_reported_at_its_step(tmp_path: Path) -> None:
    text = broken(VALID, "    due: notice +2 wd\n", "")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'key: a')} steps[0]"
    assert "'due'" in problem.message
    assert "missing" in problem.message


def test_an_extra_field_is_reported_by_name(tmp_path: Path) -> None:
    text = broken(VALID, "    title: Trin A\n", "    title: Trin A\n    owner: team\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'owner: team')} steps[0].owner"
    assert "unknown field 'owner'" in problem.message


def test_a_field_given_twice_is_reported(tmp_path: Path) -> None:
    text = broken(VALID, "    title: Trin A\n", "    title: Trin A\n    title: Trin C\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'title: Trin C')} steps[0].title"
    assert "'title' is given twice" in problem.message


def test_a_wrongly_typed_flag_names_the_value(tmp_path: Path) -> None:
    text = broken(VALID, "    legal: true\n", "    legal: maybe\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'legal: maybe')} steps[1].legal"
    assert "true or false" in problem.message
    assert "'maybe'" in problem.message


def test_a_list_field_given_as_text_is_reported(tmp_path: Path) -> None:
    text = broken(VALID, "    notify: [skole]\n", "    notify: skole\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'notify: skole')} steps[0].notify"
    assert "must be a list" in problem.message
    assert "'skole'" in problem.message


def test_an_unquoted_municipality_code_asks_for_quotes(tmp_path: Path) -> None:
    text = broken(VALID, 'code: "123"', "code: 123")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'code: 123')} municipality.code"
    assert "123" in problem.message
    assert "quotes" in problem.message


def test_an_unknown_phase_is_named(tmp_path: Path) -> None:
    text = broken(VALID, "    phase: efter\n", "    phase: senere\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'phase: senere')} steps[1].phase"
    assert "unknown phase 'senere'" in problem.message
    assert "foer, efter" in problem.message


def test_an_unknown_scope_is_named(tmp_path: Path) -> None:
    text = broken(VALID, "    scope: each_child\n", "    scope: each_kid\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'scope: each_kid')} steps[1].scope"
    assert "unknown scope 'each_kid'" in problem.message


def test_an_unknown_kind_is_named(tmp_path: Path) -> None:
    text = broken(VALID, "    kind: task\n", "    kind: chore\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'kind: chore')} steps[0].kind"
    assert "unknown kind 'chore'" in problem.message
    assert "task, notice, automatic" in problem.message


def test_an_unknown_responsible_department_is_named_with_a_suggestion(tmp_path: Path) -> None:
    text = broken(VALID, "    responsible: team\n", "    responsible: teem\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'responsible: teem')} steps[0].responsible"
    assert "unknown department 'teem'" in problem.message
    assert "did you mean 'team'" in problem.message


def test_an_unknown_notified_department_is_named_at_its_list_item(tmp_path: Path) -> None:
    text = broken(VALID, "    notify: [skole]\n", "    notify:\n      - skole\n      - kantine\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, '- kantine')} steps[0].notify[1]"
    assert "unknown department 'kantine'" in problem.message


def test_a_department_from_the_case_cannot_be_responsible(tmp_path: Path) -> None:
    text = broken(VALID, "    responsible: skole\n", "    responsible: asylcenter\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert (
        problem.where == f"{path}:{line_of(text, 'responsible: asylcenter')} steps[1].responsible"
    )
    assert "'asylcenter'" in problem.message


def test_a_notice_step_without_anyone_to_notify_is_reported(tmp_path: Path) -> None:
    text = broken(
        VALID,
        "    kind: task\n    responsible: skole\n",
        "    kind: notice\n    responsible: skole\n",
    )
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'kind: notice')} steps[1].kind"
    assert "notify" in problem.message


def test_a_dependency_on_an_unknown_step_is_named(tmp_path: Path) -> None:
    text = broken(VALID, "    after: [a]\n", "    after: [a, c]\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'after: [a, c]')} steps[1].after[1]"
    assert "unknown step 'c'" in problem.message


def test_a_dependency_cycle_is_named_step_by_step(tmp_path: Path) -> None:
    text = broken(VALID, "    when: [always]\n", "    when: [always]\n    after: [b]\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'after: [b]')} steps[0].after[0]"
    assert problem.message == "dependency cycle: a -> b -> a"


def test_a_step_that_depends_on_itself_is_a_cycle(tmp_path: Path) -> None:
    text = broken(VALID, "    after: [a]\n", "    after: [b]\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'after: [b]')} steps[1].after[0]"
    assert problem.message == "dependency cycle: b -> b"


def test_a_bad_due_uses_the_deadline_parser_message(tmp_path: Path) -> None:
    text = broken(VALID, "    due: arrival +1 month\n", "    due: arrival +1 fortnight\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'fortnight')} steps[1].due"
    assert "'fortnight'" in problem.message
    assert "unknown unit" in problem.message


def test_a_due_with_an_unknown_anchor_is_named(tmp_path: Path) -> None:
    text = broken(VALID, "    due: notice +2 wd\n", "    due: birthday +2 wd\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'birthday')} steps[0].due"
    assert "'birthday'" in problem.message


def test_an_unknown_condition_is_named(tmp_path: Path) -> None:
    text = broken(VALID, "    when: [always]\n", "    when: [always, sunny]\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'sunny')} steps[0].when[1]"
    assert "unknown condition 'sunny'" in problem.message


def test_an_unknown_member_filter_is_named(tmp_path: Path) -> None:
    text = broken(VALID, '    members: ["age 6-16"]\n', '    members: ["age 6-16", tall]\n')
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'tall')} steps[1].members[1]"
    assert "unknown member filter 'tall'" in problem.message


def test_member_filters_on_a_household_step_are_reported(tmp_path: Path) -> None:
    text = broken(VALID, "    when: [always]\n", "    when: [always]\n    members: [on_benefit]\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'members: [on_benefit]')} steps[0].members"
    assert "household" in problem.message


def test_a_duplicate_step_key_names_the_key_and_its_first_line(tmp_path: Path) -> None:
    text = broken(VALID, "  - key: b\n", "  - key: a\n")
    text = broken(text, "    after: [a]\n", "")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'key: a', 2)} steps[1].key"
    assert "duplicate step key 'a'" in problem.message
    assert f"line {line_of(text, 'key: a')}" in problem.message


def test_a_duplicate_department_key_is_named(tmp_path: Path) -> None:
    text = broken(VALID, "  - key: skole\n    name: Skolen\n", "  - key: team\n    name: Skolen\n")
    text = text.replace("skole", "team")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'key: team', 2)} departments[1].key"
    assert "duplicate department key 'team'" in problem.message


def test_the_special_departments_are_read_from_the_file(tmp_path: Path) -> None:
    definition = load_definition(write(tmp_path, VALID))
    assert definition.coordinators == "team"
    assert definition.asylum_centre == "asylcenter"
    assert definition.departments["team"].coordinators is True
    assert definition.departments["skole"].coordinators is False


def test_a_file_without_an_asylum_centre_has_none(tmp_path: Path) -> None:
    text = broken(VALID, "    from_case: true\n", "")
    definition = load_definition(write(tmp_path, text))
    assert definition.asylum_centre is None


def test_a_file_without_coordinators_is_refused_with_a_hint(tmp_path: Path) -> None:
    text = broken(VALID, "    coordinators: true\n", "")
    path = write(tmp_path, text)
    problem = only_problem(path)
    assert problem.where == f"{path}:{line_of(text, 'key: team')} departments"
    assert "no department is marked `coordinators: true`" in problem.message


def test_a_second_coordinators_department_is_named_at_its_line(tmp_path: Path) -> None:
    text = broken(VALID, "    name: Skolen\n", "    name: Skolen\n    coordinators: true\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    line = line_of(text, "coordinators: true", 2)
    assert problem.where == f"{path}:{line} departments[1].coordinators"
    assert "only one department may be marked `coordinators: true`" in problem.message
    assert "departments[0]" in problem.message


def test_a_second_asylum_centre_is_named_at_its_line(tmp_path: Path) -> None:
    text = broken(VALID, "    name: Skolen\n", "    name: Skolen\n    from_case: true\n")
    text = broken(text, "    notify: [skole]\n", "    notify: [team]\n")
    text = text.replace("responsible: skole", "responsible: team")
    path = write(tmp_path, text)
    problem = only_problem(path)
    line = line_of(text, "from_case: true", 2)
    assert problem.where == f"{path}:{line} departments[2].from_case"
    assert "only one department may be marked `from_case: true`" in problem.message
    assert "departments[1]" in problem.message


def test_the_coordinators_cannot_take_their_address_from_the_case(tmp_path: Path) -> None:
    text = broken(VALID, "    coordinators: true\n", "")
    text = broken(text, "    from_case: true\n", "    from_case: true\n    coordinators: true\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    line = line_of(text, "coordinators: true")
    assert problem.where == f"{path}:{line} departments[2].coordinators"
    assert "routing file" in problem.message


def test_a_coordinators_flag_that_is_not_true_or_false_is_named(tmp_path: Path) -> None:
    text = broken(VALID, "    coordinators: true\n", "    coordinators: ja\n")
    path = write(tmp_path, text)
    problem = only_problem(path)
    line = line_of(text, "coordinators: ja")
    assert problem.where == f"{path}:{line} departments[0].coordinators"
    assert "must be true or false" in problem.message


def test_a_hand_built_definition_without_coordinators_says_so() -> None:
    definition = Definition("X", (), {}, ())
    with pytest.raises(KeyError, match="coordinators: true"):
        _ = definition.coordinators
    assert definition.asylum_centre is None


def test_a_missing_file_is_reported_not_raised_as_an_os_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    assert check_definition(path) == [Problem(str(path), "file not found")]


def test_an_empty_file_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "# nothing yet\n")
    assert "empty" in only_problem(path).message


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID
    for old, new in [
        ("    phase: efter\n", "    phase: senere\n"),
        ("    responsible: team\n", "    responsible: teem\n"),
        ("    due: notice +2 wd\n", "    due: soon\n"),
        ("    after: [a]\n", "    after: [c]\n"),
        ('    members: ["age 6-16"]\n', '    members: ["age 16-6"]\n'),
        ("  - key: asylcenter\n", "  - key: team\n"),
    ]:
        text = broken(text, old, new)
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_definition(path)
    wheres = [p.where.removeprefix(f"{path}:") for p in raised.value.problems]
    assert wheres == [
        f"{line_of(text, 'key: team', 2)} departments[2].key",
        f"{line_of(text, 'responsible: teem')} steps[0].responsible",
        f"{line_of(text, 'due: soon')} steps[0].due",
        f"{line_of(text, 'phase: senere')} steps[1].phase",
        f"{line_of(text, 'age 16-6')} steps[1].members[0]",
        f"{line_of(text, 'after: [c]')} steps[1].after[0]",
    ]
    assert isinstance(raised.value, ProblemsError)
    assert "senere" in str(raised.value)


def test_the_file_is_named_as_given_so_messages_match_what_the_admin_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    text = broken(VALID, "    kind: task\n", "    kind: chore\n")
    (tmp_path / "config" / "koereplan.yaml").write_text(text, encoding="utf-8")
    problem = only_problem(Path("config/koereplan.yaml"))
    assert problem.where == f"config/koereplan.yaml:{line_of(text, 'kind: chore')} steps[0].kind"


def test_step_definitions_are_immutable(aalborg: Definition) -> None:
    step: StepDef = aalborg.step("visitation")
    with pytest.raises(AttributeError):
        step.legal = False  # type: ignore[misc]
