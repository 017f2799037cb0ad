"""The coordinator's form: what the Prefect UI and the server refuse before the run gets it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from prefect._internal.pydantic.v2_schema import create_v2_schema
from prefect.utilities.schema_tools.validation import build_error_obj, validate

from flows.forms import coordinator_form, form_intro
from koereplan.answers import NO_STEP, refused, was_refused
from services.checklist import Choice, Snapshot

HOUSING = "Bolig fundet og indbo bestilt (frist 1. december 2026) [#5]"
# The keys the Prefect UI (3.8.8) keeps when it sends a schema to /ui/schemas/validate.
UI_KEEPS = {
    "definitions", "position", "block_type_slug", "$ref", "anyOf", "allOf", "example", "default",
    "const", "description", "enum", "format", "items", "prefixItems", "properties", "required",
    "title", "type", "maxItems", "minItems",
}  # fmt: skip


def form_schema() -> dict[str, Any]:
    """The schema the run saves when it waits, as Prefect builds it."""
    view = Snapshot(
        ref="KR-2026-0001",
        status="active",
        flow_run_id=None,
        inputs_applied=0,
        arrival=date(2026, 12, 8),
        rows=[],
        choices=[Choice(5, "bolig_indbo", None, HOUSING)],
        messages={},
    )
    form = coordinator_form(view).with_initial_data(description="x", handling="udført")
    return create_v2_schema(form.__name__, model_base=form)


def as_the_ui_sends_it(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema after the UI's mapping: unknown keywords dropped at the root and per field."""
    kept = {k: v for k, v in schema.items() if k in UI_KEEPS}
    kept["properties"] = {
        name: {k: v for k, v in field.items() if k in UI_KEEPS}
        for name, field in schema["properties"].items()
    }
    return kept


def refusals(answer: dict[str, Any], schema: dict[str, Any]) -> dict[str, list[str]]:
    """Field -> messages, as the UI shows them under each field."""
    errors = build_error_obj(validate(answer, schema, preprocess=True))["errors"]
    return {e["property"]: e["errors"] for e in errors}


def answer(**fields: Any) -> dict[str, Any]:
    """What the form sends: the pre-filled fields plus what the coordinator typed."""
    return {"trin": NO_STEP, "handling": "udført", "begrundelse": "", "note": "", **fields}


def test_initials_are_required_and_the_other_free_text_fields_optional() -> None:
    schema = form_schema()
    assert set(schema["required"]) == {"trin", "handling", "initialer"}
    assert "default" not in schema["properties"]["initialer"]


@pytest.mark.parametrize("send", [lambda s: s, as_the_ui_sends_it], ids=["server", "ui"])
@pytest.mark.parametrize(
    ("fields", "refused_field"),
    [
        ({}, "initialer"),
        ({"initialer": ""}, "initialer"),
        ({"trin": HOUSING, "handling": "ikke relevant", "initialer": "KT"}, "begrundelse"),
    ],
    ids=["no initials", "empty initials", "not applicable without a reason"],
)
def test_an_incomplete_answer_is_refused_on_the_field_it_lacks(
    send: Any, fields: dict[str, Any], refused_field: str
) -> None:
    assert list(refusals(answer(**fields), send(form_schema()))) == [refused_field]


@pytest.mark.parametrize("send", [lambda s: s, as_the_ui_sends_it], ids=["server", "ui"])
@pytest.mark.parametrize(
    "fields",
    [
        {"trin": HOUSING, "initialer": "KT"},
        {"trin": HOUSING, "handling": "ikke relevant", "initialer": "KT", "begrundelse": "Nej"},
        {"handling": "ikke relevant", "initialer": "KT"},  # no step: nothing to give a reason for
        {"initialer": "KT", "ny_ankomstdato": "2026-12-16"},
    ],
)
def test_a_complete_answer_passes(send: Any, fields: dict[str, Any]) -> None:
    assert refusals(answer(**fields), send(form_schema())) == {}


def test_an_empty_arrival_date_is_one_date_field_that_may_stay_empty() -> None:
    schema = form_schema()
    assert schema["properties"]["ny_ankomstdato"] == {
        "description": "Kun hvis ankomsten flyttes.",
        "format": "date",
        "title": "Ny ankomstdato",
        "type": "string",
    }
    assert refusals(answer(initialer="KT", ny_ankomstdato=None), schema) == {}


def test_initials_of_only_spaces_are_refused_by_the_server() -> None:
    assert list(refusals(answer(initialer="  "), form_schema())) == ["initialer"]


def test_a_refused_answer_is_said_first_above_the_form() -> None:
    note = refused("Angiv en begrundelse, når et trin ikke er relevant.")
    assert was_refused(note) and not was_refused("Bolig fundet: udført (KT)")
    intro = form_intro("KR-2026-0001", note)
    assert intro.startswith("**⚠ Seneste svar blev ikke registreret: Angiv en begrundelse")
    assert form_intro("KR-2026-0001", "Bolig fundet: udført (KT)") == (
        "Registrér et trin i sag KR-2026-0001."
    )
