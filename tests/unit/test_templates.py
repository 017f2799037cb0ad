"""Every message type renders in Danish, strictly, and without room for personal data."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest
from jinja2 import UndefinedError

from notifications.contexts import (
    CaseCompletedContext,
    CaseCreatedContext,
    CaseEndedContext,
    CaseSummary,
    DocumentProblemContext,
    DueChange,
    DueMovedContext,
    EscalationContext,
    MessageContext,
    MovingNoticeContext,
    NewStepsContext,
    NoticeRejectedContext,
    ReminderContext,
    StepLine,
    StepsLapsedContext,
    WeeklyDigestContext,
)
from notifications.links import flow_run_url
from notifications.messages import CONTEXT_TYPES, MessageType, render, template_environment
from notifications.wording import household_summary, language_da

UI = "http://127.0.0.1:4200"
RUN = flow_run_url("3f2c-run", UI)
CASE = CaseSummary(
    ref="UST-2026-100245",
    kind="opholdstilladelse",
    arrival=date(2026, 12, 7),
    takeover=date(2026, 12, 7),
    household=household_summary([41, 38, 12, 4]),
    interpreter_language="ti",
    flow_run_url=RUN,
)
LEGAL = StepLine(
    "UST-2026-100245",
    "Integrationskontrakt udarbejdet og underskrevet",
    date(2027, 1, 7),
    legal=True,
    person_label="voksen 1",
    flow_run_url=RUN,
)
INTERNAL = StepLine("UST-2026-100245", "Første møde på Jobcenter Integration", date(2026, 12, 21))
OTHER_CASE = StepLine("UST-2026-100300", "Cpr-nr. bestilt", None, person_label="barn 2")

FIXTURES: dict[MessageType, MessageContext] = {
    MessageType.CASE_CREATED: CaseCreatedContext("Jobcenter Integration, FB", CASE, [LEGAL]),
    MessageType.NEW_STEPS: NewStepsContext("Jobcenter Integration, FB", [LEGAL, OTHER_CASE]),
    MessageType.REMINDER: ReminderContext("Jobcenter Integration, FB", [LEGAL], date(2027, 1, 4)),
    MessageType.ESCALATION: EscalationContext(
        "Koordinatorer for modtagelsen", [LEGAL, INTERNAL], date(2027, 1, 11)
    ),
    MessageType.DUE_MOVED: DueMovedContext(
        "Jobcenter Integration, FB",
        [DueChange(LEGAL, date(2026, 12, 30))],
        reason="Ankomstdatoen er ændret",
    ),
    MessageType.MOVING_NOTICE: MovingNoticeContext(
        case_ref="UST-2026-100245",
        centre_name="Center Kongelunden",
        arrival=date(2027, 1, 7),
        household_size=4,
        household=CASE.household,
        interpreter_language="ar",
    ),
    MessageType.NOTICE_REJECTED: NoticeRejectedContext(
        "ust-100245.json", ["kommunekode 0461 er ikke 851", "ankomstdato mangler"]
    ),
    MessageType.STEPS_LAPSED: StepsLapsedContext(
        "Jobcenter Integration, FB", [LEGAL], "bortfaldet efter ændring fra Udlændingestyrelsen"
    ),
    MessageType.DOCUMENT_PROBLEM: DocumentProblemContext(
        "Koordinatorerne", "opholdstilladelse.pdf", "er ikke modtaget", "UST-2026-100245"
    ),
    MessageType.CASE_COMPLETED: CaseCompletedContext(
        "Socialcenter Integration, FB", CASE, date(2027, 6, 1), steps_done=40
    ),
    MessageType.CASE_ENDED: CaseEndedContext(
        "Koordinatorer for modtagelsen",
        "UST-2026-100245",
        "withdrawn",
        date(2026, 12, 3),
        steps_lapsed=2,
        reason="visitering tilbagekaldt",
        joined_by=["KR-2027-0001"],
    ),
    MessageType.WEEKLY_DIGEST: WeeklyDigestContext(
        "Jobcenter Integration, FB",
        date(2027, 1, 11),
        date(2027, 1, 17),
        open_total=3,
        overdue_total=1,
        overdue=[LEGAL],
        due_this_week=[INTERNAL],
        due_this_week_total=1,
        queue_url="http://127.0.0.1:4200/artifacts/key/afdeling-jobcenter-integration",
    ),
}


@pytest.mark.parametrize("message_type", list(MessageType))
def test_every_message_type_renders_subject_text_and_html(message_type: MessageType) -> None:
    message = render(message_type, FIXTURES[message_type])

    assert message.subject and "\n" not in message.subject
    assert message.text.strip() and message.html.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("message_type", list(MessageType))
def test_every_message_names_its_case_or_file(message_type: MessageType) -> None:
    message = render(message_type, FIXTURES[message_type])
    rejected = message_type == MessageType.NOTICE_REJECTED
    expected = "ust-100245.json" if rejected else "UST-2026-100245"

    assert expected in message.text and expected in message.html


@pytest.mark.parametrize("message_type", list(MessageType))
def test_a_subject_about_one_case_names_it(message_type: MessageType) -> None:
    context = FIXTURES[message_type]
    if isinstance(context, NewStepsContext | ReminderContext | EscalationContext):
        context = dataclasses.replace(context, steps=[LEGAL])
    rejected = message_type == MessageType.NOTICE_REJECTED

    subject = render(message_type, context).subject

    assert ("ust-100245.json" if rejected else "UST-2026-100245") in subject


def test_every_message_type_has_a_fixture_and_a_context_type() -> None:
    assert set(FIXTURES) == set(MessageType) == set(CONTEXT_TYPES)


def test_a_missing_template_variable_raises_instead_of_rendering_blank() -> None:
    template = template_environment().get_template("case_created/subject.txt.j2")

    with pytest.raises(UndefinedError):
        template.render()


def test_a_context_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(TypeError, match="CaseCreatedContext"):
        render("case_created", FIXTURES[MessageType.NEW_STEPS])


def test_html_escapes_markup_while_the_text_body_keeps_it_verbatim() -> None:
    hostile = NoticeRejectedContext("x.json", ["<script>alert(1)</script>"])

    message = render(MessageType.NOTICE_REJECTED, hostile)

    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert "<script>alert(1)</script>" in message.text


def test_dates_are_written_the_danish_way() -> None:
    message = render(MessageType.MOVING_NOTICE, FIXTURES[MessageType.MOVING_NOTICE])

    assert "7. januar 2027" in message.subject
    assert "7. januar 2027" in message.text and "7. januar 2027" in message.html


def test_legal_deadlines_are_marked_and_internal_ones_are_not() -> None:
    message = render(MessageType.ESCALATION, FIXTURES[MessageType.ESCALATION])
    lines = {line for line in message.text.splitlines() if line.startswith("- ")}

    assert any("Integrationskontrakt" in line and "(lovkrav)" in line for line in lines)
    assert any("Første møde" in line and "lovkrav" not in line for line in lines)
    assert message.subject == "Overskredet frist: 2 opgaver i sag UST-2026-100245 (heraf lovkrav)"


def test_escalation_says_how_many_days_each_step_is_overdue() -> None:
    message = render(MessageType.ESCALATION, FIXTURES[MessageType.ESCALATION])

    assert "4 dage over" in message.text
    assert "21 dage over" in message.text


def test_a_digest_groups_steps_by_case_with_one_link_each() -> None:
    message = render(MessageType.NEW_STEPS, FIXTURES[MessageType.NEW_STEPS])

    assert message.subject == "2 nye opgaver i Køreplan (2 sager)"
    assert f"Sag UST-2026-100245: {RUN}" in message.text
    assert "Sag UST-2026-100300\n- Cpr-nr. bestilt (barn 2) – frist ikke fastsat" in message.text
    assert message.html.count(f'href="{RUN}"') == 1


def test_a_single_new_step_reads_in_the_singular() -> None:
    message = render(MessageType.NEW_STEPS, NewStepsContext("Tandplejen (FB)", [INTERNAL]))

    assert message.subject == "1 ny opgave i Køreplan (sag UST-2026-100245)"


def test_the_case_links_to_its_flow_run_in_the_prefect_ui() -> None:
    message = render(MessageType.CASE_CREATED, FIXTURES[MessageType.CASE_CREATED])

    assert "http://127.0.0.1:4200/runs/flow-run/3f2c-run" in message.text
    assert 'href="http://127.0.0.1:4200/runs/flow-run/3f2c-run"' in message.html


@pytest.mark.parametrize("kind", list(FIXTURES), ids=str)
def test_the_plain_text_part_of_a_mail_keeps_the_link_address(kind: MessageType) -> None:
    from apprise import NotifyFormat
    from apprise.conversion import convert_between

    message = render(kind, FIXTURES[kind])
    links = re.findall(r'href="([^"]+)"', message.html)
    plain = convert_between(NotifyFormat.HTML, NotifyFormat.TEXT, message.html)

    assert all(link in plain for link in links), plain


def test_a_case_without_a_known_flow_run_has_no_link() -> None:
    case = dataclasses.replace(CASE, flow_run_url=None)

    message = render(MessageType.CASE_COMPLETED, CaseCompletedContext("x", case, date(2027, 6, 1)))

    assert "flow-run" not in message.text and "<a " not in message.html


def test_the_flow_run_link_comes_from_prefect_ui_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_UI_URL", "http://prefect.aalborg.example/")

    assert flow_run_url("abc") == "http://prefect.aalborg.example/runs/flow-run/abc"
    assert flow_run_url(None) is None


def test_without_prefect_ui_url_there_is_no_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_UI_URL", raising=False)

    assert flow_run_url("abc") is None


def test_the_interpreter_language_is_named_in_danish() -> None:
    message = render(MessageType.CASE_CREATED, FIXTURES[MessageType.CASE_CREATED])

    assert "Tolk: tigrinya" in message.text
    assert language_da("ar") == "arabisk"
    assert language_da("prs") == "dari"
    assert language_da("xx-unknown") == "xx-unknown"


def test_the_moving_notice_tells_the_centre_date_and_size_but_no_names() -> None:
    message = render(MessageType.MOVING_NOTICE, FIXTURES[MessageType.MOVING_NOTICE])

    assert "Antal personer: 4" in message.text
    assert "Tolkesprog: arabisk" in message.text
    assert "flow-run" not in message.text  # the centre cannot open the municipality's Prefect UI


def test_no_context_has_a_field_for_names_cpr_or_birth_dates() -> None:
    forbidden = {"name", "given_name", "family_name", "cpr", "birth_date", "health"}
    classes = [*CONTEXT_TYPES.values(), CaseSummary, StepLine, DueChange]

    for cls in classes:
        names = {f.name for f in dataclasses.fields(cls)}
        assert not names & forbidden, cls.__name__


def test_household_summary_counts_adults_children_and_age_bands() -> None:
    assert household_summary([41, 38, 12, 4]) == "2 voksne, 2 børn (1 i skolealderen, 1 under 6 år)"
    assert household_summary([70, 45]) == "2 voksne (1 på 65 år eller derover)"
    assert household_summary([30]) == "1 voksen"


def test_household_summary_notes_an_unaccompanied_minor_and_reunification() -> None:
    assert household_summary([17]) == "1 barn (1 på 17 år), ingen voksne"
    assert household_summary([35, 6, 16], kind="familiesammenfoering") == (
        "1 voksen, 2 børn (2 i skolealderen) – familiesammenføring"
    )


def test_household_summary_puts_children_at_band_edges_in_the_right_band() -> None:
    assert (
        household_summary([5, 6, 16, 0]) == "4 børn (2 i skolealderen, 2 under 6 år), ingen voksne"
    )
    assert household_summary([18]) == "1 voksen"


def test_a_case_ended_message_says_what_lapses_and_for_the_centre_which_move() -> None:
    context = FIXTURES[MessageType.CASE_ENDED]
    coordinators = render(MessageType.CASE_ENDED, context)
    assert coordinators.subject == "Sag UST-2026-100245 er tilbagekaldt"
    assert "tilbagekaldt visiteringen i sag UST-2026-100245 (3. december 2026)" in coordinators.text
    assert "2 opgaver hos jer i sagen bortfalder" in coordinators.text
    assert "Begrundelse: visitering tilbagekaldt" in coordinators.text
    assert "fortsat aktiv og skal vurderes: KR-2027-0001" in coordinators.text
    centre = dataclasses.replace(
        context,
        department_name="Center Kongelunden",
        ending="closed",
        steps_lapsed=0,
        reason=None,
        joined_by=[],
        arrival=date(2026, 12, 9),
    )
    message = render(MessageType.CASE_ENDED, centre)
    assert message.subject == "Sag UST-2026-100245 er lukket"
    assert "Flyttemeddelelsen med ankomst 9. december 2026 gælder ikke længere" in message.text
    assert "bortfalder" not in message.text and "Begrundelse" not in message.text
