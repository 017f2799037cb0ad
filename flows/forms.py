"""The form coordinators fill in on a waiting reception run in the Prefect UI.

Built from the case's unfinished steps each time the run waits, so the drop-down lists
exactly what can be marked now. Labels carry no personal data (`barn 2`, not a name).

The drop-down is an `enum` in the JSON schema only: the server checks answers against the
schema saved when the run waited, while the flow, re-run after the resume, reads the
answer as plain text. A step finished elsewhere in between must not fail the run.

What an answer needs is in the schema too (`required`, `minLength`, an `if`/`then` for the
reason of "ikke relevant"): the UI checks it against the server before it submits, so an
incomplete answer is refused on the form, next to the field, instead of being dropped.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from prefect.input import RunInput
from pydantic import ConfigDict, Field, create_model

from koereplan.answers import (
    CLOSE_CHOICES,
    DONE,
    HANDLINGER,
    KEEP_OPEN,
    NO_STEP,
    NOT_APPLICABLE,
    was_refused,
)
from services.checklist import Snapshot

NOT_BLANK = r"\S"  # JSON-schema patterns search: at least one character that is not a space
ALWAYS_REQUIRED = ["trin", "handling", "initialer"]


def form_intro(case_ref: str, note: str | None = None) -> str:
    """The text above the form: a refused last answer first, where the coordinator looks."""
    intro = f"Registrér et trin i sag {case_ref}."
    if was_refused(note):
        return f"**⚠ {note}** Udfyld formularen igen.\n\n{intro}"
    return intro


def answer_rules(schema: dict[str, Any]) -> None:
    """Required fields, real initials, and a reason whenever a step is marked "ikke relevant".

    The UI sends only some schema keywords to its pre-submit check (`required`, `allOf`
    among them, not `if`, `minLength` or `pattern` on a property), so the rules live in an
    `allOf` that it passes on whole and shows under the field ("'' should be non-empty").
    The server checks the whole schema again on resume; a reason of only spaces gets past
    both and is refused by the flow, which says so on the checklist and waits again.
    """
    schema["required"] = list(dict.fromkeys([*ALWAYS_REQUIRED, *schema.get("required", [])]))
    schema["allOf"] = [
        {"properties": {"initialer": {"minLength": 1}}},
        {
            "if": {
                "properties": {
                    "handling": {"const": NOT_APPLICABLE},
                    "trin": {"not": {"const": NO_STEP}},
                },
                "required": ["handling", "trin"],
            },
            "then": {
                "properties": {"begrundelse": {"minLength": 1}},
                "required": ["begrundelse"],
            },
        },
    ]


def plain_date(schema: dict[str, Any]) -> None:
    """An optional date as one date picker, not the UI's "date / None" type switch."""
    schema.pop("anyOf", None)
    schema.pop("default", None)  # a null default would make the server refuse an empty field
    schema.update(type="string", format="date")


class AnswerForm(RunInput):
    """Base of every coordinator form: the rules above go into its JSON schema."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=answer_rules)


def coordinator_form(view: Snapshot) -> type[RunInput]:
    """A RunInput class whose `trin` field is a drop-down of the case's unfinished steps."""
    labels = [NO_STEP, *(choice.label for choice in view.choices)]
    return create_model(  # type: ignore[call-overload, no-any-return]
        "Registrering",
        __base__=AnswerForm,
        trin=(
            str,
            Field(
                NO_STEP,
                title="Trin",
                description="Det trin, du vil registrere.",
                json_schema_extra={"enum": list[Any](labels)},
            ),
        ),
        handling=(  # type: ignore[arg-type]
            Literal[HANDLINGER],  # type: ignore[valid-type]
            Field(DONE, title="Handling"),
        ),
        initialer=(
            str,
            Field(
                title="Dine initialer",
                description="Skal udfyldes: hvem registrerer.",
                min_length=1,
                max_length=20,
                pattern=NOT_BLANK,
            ),
        ),
        begrundelse=(
            str,
            Field("", title="Begrundelse", description="Skal udfyldes ved 'ikke relevant'."),
        ),
        note=(str, Field("", title="Note", description="Uden personoplysninger.")),
        luk_sagen=(  # type: ignore[arg-type]
            Literal[CLOSE_CHOICES],  # type: ignore[valid-type]
            Field(
                KEEP_OPEN,
                title="Luk sagen",
                description="Kun hvis sagen skal lukkes: grunden. Ved 'fraflyttet' angives den "
                "nye kommunes kode, ved 'andet' en note. Trin-valget bruges da ikke.",
            ),
        ),
        ny_kommune=(
            str,
            Field("", title="Ny kommunekode", description="Kun ved 'fraflyttet' (fx 101)."),
        ),
        ny_ankomstdato=(
            date | None,
            Field(
                None,
                title="Ny ankomstdato",
                description="Kun hvis ankomsten flyttes.",
                json_schema_extra=plain_date,
            ),
        ),
        registreringsdato_cpr=(
            date | None,
            Field(
                None,
                title="Registreringsdato i CPR",
                description="Kun ved trinnet 'Registreret i CPR som tilflyttet kommunen': "
                "datoen starter integrationsansvaret.",
                json_schema_extra=plain_date,
            ),
        ),
        overtagelse_samtykke=(
            date | None,
            Field(
                None,
                title="Overtagelsesdato efter samtykke",
                description="Kun hvis borgeren har givet samtykke til en tidligere overtagelse "
                "(mellem afgørelsen og lovens frist).",
                json_schema_extra=plain_date,
            ),
        ),
        samtykke_givet=(
            bool,
            Field(False, title="Borgeren har givet samtykke", description="Kræves ved samtykke."),
        ),
    )
