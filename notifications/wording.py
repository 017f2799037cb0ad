"""Danish wording for messages: households as counts and age bands, languages, plurals.

The templates' filters (`sprog`, `sagstype`, `flertal`, `dage_over`) and the household summary a
case's first message carries; counts instead of people, so no personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from koereplan.danish import count_of
from koereplan.household import ADULT_AGE, SENIOR_AGE, SMALL_CHILD_AGE
from koereplan.household import SCHOOL_AGE as SCHOOL_AGE_YEARS

KIND_DA: dict[str, str] = {
    "opholdstilladelse": "opholdstilladelse",
    "familiesammenfoering": "familiesammenføring",
}
LANGUAGE_FALLBACK_DA: dict[str, str] = {"prs": "dari"}
SCHOOL_AGE = range(SCHOOL_AGE_YEARS[0], SCHOOL_AGE_YEARS[1] + 1)
SMALL_CHILD = range(SMALL_CHILD_AGE[0], SMALL_CHILD_AGE[1] + 1)


def language_da(code: str | None) -> str:
    """The Danish name of an ISO 639 code (`ti` -> `tigrinya`); unknown codes pass through."""
    if not code:
        return "ikke oplyst"
    from babel import Locale  # only here: a reception run queues messages without Babel

    key = code.strip().lower()
    return Locale("da").languages.get(key) or LANGUAGE_FALLBACK_DA.get(key, code)


def household_summary(ages: Sequence[int], kind: str | None = None) -> str:
    """Counts and age bands instead of people: `2 voksne, 2 børn (1 i skolealderen, …)`."""
    adults = [age for age in ages if age >= ADULT_AGE]
    children = [age for age in ages if age < ADULT_AGE]
    parts: list[str] = []
    if adults:
        seniors = sum(age >= SENIOR_AGE for age in adults)
        text = count_of(len(adults), "voksen", "voksne")
        if seniors:
            text += f" ({seniors} på {SENIOR_AGE} år eller derover)"
        parts.append(text)
    if children:
        bands = [
            (sum(age in SCHOOL_AGE for age in children), "i skolealderen"),
            (sum(age in SMALL_CHILD for age in children), "under 6 år"),
            (sum(age == ADULT_AGE - 1 for age in children), f"på {ADULT_AGE - 1} år"),
        ]
        detail = ", ".join(f"{n} {words}" for n, words in bands if n)
        parts.append(f"{count_of(len(children), 'barn', 'børn')} ({detail})")
    summary = ", ".join(parts) or "ingen personer oplyst"
    if not adults and children:
        summary += ", ingen voksne"
    if kind == "familiesammenfoering":
        summary += " – familiesammenføring"
    return summary


def days_late(due: date | None, today: date) -> int:
    return (today - due).days if due else 0
