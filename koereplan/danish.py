"""Danish words for dates and states, as case workers read them."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel.dates import format_date

STATUS_DA: dict[str, str] = {
    "planned": "afventer",
    "open": "åben",
    "done": "udført",
    "not_applicable": "ikke relevant",
    "waiting": "venter på dato",
}

CASE_STATUS_DA: dict[str, str] = {
    "active": "aktiv",
    "completed": "afsluttet",
    "withdrawn": "tilbagekaldt",
    "closed": "lukket",
}

CLOSE_REASON_DA: dict[str, str] = {
    "fraflyttet": "fraflyttet",
    "udrejst": "udrejst",
    "doedsfald": "dødsfald",
    "andet": "andet",
}

PHASE_DA: dict[str, str] = {
    "foer": "Før modtagelsen",
    "ankomst": "Ved modtagelsen",
    "hverdag": "Hverdagen begynder",
}


@lru_cache(maxsize=4096)
def danish_date(day: date | None) -> str:
    """`7. januar 2027`; an unknown date is `ikke fastsat`."""
    if day is None:
        return "ikke fastsat"
    return format_date(day, format="d. MMMM y", locale="da")


@lru_cache(maxsize=4096)
def short_danish_date(day: date | None) -> str:
    """`tirs. 24. nov. 2026`: starts with the weekday, so Markdown never reads a list item."""
    if day is None:
        return "ikke fastsat"
    return format_date(day, format="EEE d. MMM y", locale="da")
