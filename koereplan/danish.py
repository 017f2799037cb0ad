"""Danish words for dates and states, as case workers read them."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from koereplan.status import CaseStatus, CloseReason, NoticeOutcome, Phase, StepStatus

# CLDR's Danish names (Babel's `da` locale, checked day by day in tests/unit/test_dates.py):
# written out so a reception run's process does not load Babel and its locale data (~0.2 s).
MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
             "september", "oktober", "november", "december")  # fmt: skip
SHORT_MONTHS_DA = ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.",
                   "okt.", "nov.", "dec.")  # fmt: skip
SHORT_WEEKDAYS_DA = ("man.", "tirs.", "ons.", "tors.", "fre.", "lør.", "søn.")

STATUS_DA: dict[str, str] = {
    StepStatus.PLANNED: "afventer",
    StepStatus.OPEN: "åben",
    StepStatus.DONE: "udført",
    StepStatus.NOT_APPLICABLE: "ikke relevant",
    StepStatus.WAITING: "venter på dato",
}

CASE_STATUS_DA: dict[str, str] = {
    CaseStatus.ACTIVE: "aktiv",
    CaseStatus.COMPLETED: "afsluttet",
    CaseStatus.WITHDRAWN: "tilbagekaldt",
    CaseStatus.CLOSED: "lukket",
}

NOTICE_OUTCOME_DA: dict[str, str] = {
    NoticeOutcome.ACCEPTED: "modtaget",
    NoticeOutcome.DUPLICATE: "allerede modtaget",
    NoticeOutcome.CONFLICT: "konflikt",
    NoticeOutcome.REJECTED: "afvist",
    NoticeOutcome.WITHDRAWN: "tilbagekaldelse modtaget",
    NoticeOutcome.AMENDED: "ændring anvendt",
}

CLOSE_REASON_DA: dict[str, str] = {
    CloseReason.FRAFLYTTET: "fraflyttet",
    CloseReason.UDREJST: "udrejst",
    CloseReason.DOEDSFALD: "dødsfald",
    CloseReason.ANDET: "andet",
}

PHASE_DA: dict[str, str] = {
    Phase.FOER: "Før modtagelsen",
    Phase.ANKOMST: "Ved modtagelsen",
    Phase.HVERDAG: "Hverdagen begynder",
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
    return f"{day.day}. {MONTHS_DA[day.month - 1]} {day.year}"


@lru_cache(maxsize=4096)
def short_danish_date(day: date | None) -> str:
    """`tirs. 24. nov. 2026`: starts with the weekday, so Markdown never reads a list item."""
    if day is None:
        return "ikke fastsat"
    month = SHORT_MONTHS_DA[day.month - 1]
    return f"{SHORT_WEEKDAYS_DA[day.weekday()]} {day.day}. {month} {day.year}"
