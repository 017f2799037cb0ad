"""The form coordinators fill in on a waiting reception run in the Prefect UI.

Built from the case's unfinished steps each time the run waits, so the drop-down lists
exactly what can be marked now. Labels carry no personal data (`barn 2`, not a name).

The drop-down is an `enum` in the JSON schema only: the server checks answers against the
schema saved when the run waited, while the flow, re-run after the resume, reads the
answer as plain text. A step finished elsewhere in between must not fail the run.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from prefect.input import RunInput
from pydantic import Field, create_model

from koereplan.danish import CLOSE_REASON_DA
from services.checklist import Snapshot

HANDLINGER = ("udført", "ikke relevant")
NO_STEP = "(intet trin – kun ny ankomstdato eller opdatering)"
CLOSE_FIELD = "luk_sagen"
KEEP_OPEN = "nej – sagen fortsætter"
CLOSE_CHOICES = (KEEP_OPEN, *CLOSE_REASON_DA.values())


def coordinator_form(view: Snapshot) -> type[RunInput]:
    """A RunInput class whose `trin` field is a drop-down of the case's unfinished steps."""
    labels = [NO_STEP, *(choice.label for choice in view.choices)]
    return create_model(  # type: ignore[call-overload, no-any-return]
        "Registrering",
        __base__=RunInput,
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
            Field("udført", title="Handling"),
        ),
        initialer=(str, Field("", title="Dine initialer", max_length=20)),
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
            Field(None, title="Ny ankomstdato", description="Kun hvis ankomsten flyttes."),
        ),
        registreringsdato_cpr=(
            date | None,
            Field(
                None,
                title="Registreringsdato i CPR",
                description="Kun ved trinnet 'Registreret i CPR som tilflyttet kommunen': "
                "datoen starter integrationsansvaret.",
            ),
        ),
        overtagelse_samtykke=(
            date | None,
            Field(
                None,
                title="Overtagelsesdato efter samtykke",
                description="Kun hvis borgeren har givet samtykke til en tidligere overtagelse "
                "(mellem afgørelsen og lovens frist).",
            ),
        ),
        samtykke_givet=(
            bool,
            Field(False, title="Borgeren har givet samtykke", description="Kræves ved samtykke."),
        ),
    )
