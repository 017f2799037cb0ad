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

NOTICE_OUTCOME_DA: dict[str, str] = {
    "accepted": "modtaget",
    "duplicate": "allerede modtaget",
    "conflict": "konflikt",
    "rejected": "afvist",
    "withdrawn": "tilbagekaldelse modtaget",
    "amended": "ændring anvendt",
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


def plural(n: int, one: str, many: str) -> str:
    """The Danish word for `n` things: `one` for exactly one, else `many` (`0 filer`)."""
    return one if n == 1 else many


def count_of(n: int, one: str, many: str) -> str:
    """`1 fil`, `3 filer`: the number with its word."""
    return f"{n} {plural(n, one, many)}"


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
