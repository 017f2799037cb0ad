"""The words of a coordinator's answer: what the form offers and what the run reads back.

The form (a Prefect RunInput, built in `flows/forms.py`), the service that applies an answer
(`services/answers.py`), the wake that resumes a run after a change made elsewhere and the
checklist artifact all speak this vocabulary; it lives in the core so none of them needs
another's layer to spell it.
"""

from __future__ import annotations

from koereplan.danish import CLOSE_REASON_DA

DONE = "udført"
NOT_APPLICABLE = "ikke relevant"
HANDLINGER = (DONE, NOT_APPLICABLE)
NO_STEP = "(intet trin – kun ny ankomstdato eller opdatering)"
CLOSE_FIELD = "luk_sagen"
KEEP_OPEN = "nej – sagen fortsætter"
CLOSE_CHOICES = (KEEP_OPEN, *CLOSE_REASON_DA.values())
REFUSED = "Seneste svar blev ikke registreret: "
ALREADY_APPLIED = "allerede registreret"
# What a wake sends (a change made outside the form): no step, no change, so the run only
# redraws. It must pass the schema the server checks on resume, required initials included.
WAKE_ANSWER: dict[str, str] = {"trin": NO_STEP, "handling": DONE, "initialer": "Køreplan"}


def refused(reason: str) -> str:
    """The note of an answer the flow could not apply, recognisable by `was_refused`."""
    return REFUSED + reason


def was_refused(note: str | None) -> bool:
    """True when the last answer could not be applied."""
    return bool(note and note.startswith(REFUSED))
