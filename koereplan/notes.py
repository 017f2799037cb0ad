"""Notes and reasons a coordinator types: refused when they look like personal data.

The form says "Uden personoplysninger", and notes travel into the audit log, the checklist
artifact and messages. A CPR number, or a date with a year (a birth date, most often), is
refused with a Danish message; dates without a year ("møde 3/12") are ordinary work notes.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = (
    "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_CPR = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})[-\s]?\d{4}(?!\d)")
_NUMERIC_DATE = re.compile(
    r"(?<!\d)(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2}))(?![\d])"
)
_WORDED_DATE = re.compile(rf"(?<!\d)\d{{1,2}}\.?\s*(?:{MONTHS})\.?\s*\d{{4}}(?!\d)", re.IGNORECASE)


def personal_data_problem(text: str | None, field: str = "noten") -> str | None:
    """A Danish refusal when `text` holds a CPR number or a full date; None when it is fine."""
    if not text:
        return None
    for match in _CPR.finditer(text):
        if _is_date(*match.groups()):
            return (
                f"Afvist: {field} ligner et cpr-nummer. Skriv uden personoplysninger "
                "(brug sagsnummer og person-id, fx P-77120)."
            )
    if _NUMERIC_DATE.search(text) or _WORDED_DATE.search(text):
        return (
            f"Afvist: {field} indeholder en dato med årstal (fx en fødselsdato). Skriv uden "
            "personoplysninger; en dato uden årstal (fx 3/12) er i orden."
        )
    return None


def _is_date(day: str, month: str, year: str) -> bool:
    """Whether ddmmyy is a calendar date in some century, as a CPR number's first six are."""
    try:
        date(2000 + int(year), int(month), int(day))
    except ValueError:
        try:
            date(1900 + int(year), int(month), int(day))
        except ValueError:
            return False
    return True


def refusal(fields: dict[str, str | None]) -> str | None:
    """The first refusal among a coordinator's free-text fields (Danish label -> text)."""
    for label, text in fields.items():
        problem = personal_data_problem(text, label)
        if problem:
            return problem
    return None
