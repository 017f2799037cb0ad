"""The takeover: the day the municipality's integration responsibility starts (IL § 4).

Every legal deadline counts from it, so it follows the law, not the arrival: for a refugee
placed by decision the statutory date (or an earlier one with consent); for a quota refugee
or family reunification the date of CPR registration as moved in, unknown until recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

from koereplan.danish import danish_date
from koereplan.status import CaseKind, TakeoverBasis
from koereplan.workdays import is_public_holiday

LegalBasis = Literal["asyl", "kvote"]
LEGAL_BASES: tuple[str, ...] = ("asyl", "kvote")
DEFAULT_LEGAL_BASIS: LegalBasis = "asyl"
REGISTRATION_STEP = "cpr_tilflyttet"

BASIS_DA: dict[str, str] = {
    TakeoverBasis.STATUTORY: "lovens frist",
    TakeoverBasis.CONSENT: "efter samtykke",
    TakeoverBasis.CPR_REGISTRATION: "fra CPR-registrering",
}
WAITING_FOR_REGISTRATION_DA = "venter på registrering i CPR"


LEGACY_DA = "fra ankomst; ikke genberegnet efter IL § 4, kør koereplan migrate-takeover"


@dataclass(frozen=True)
class Takeover:
    """The takeover date (None while the CPR registration is not known) and what fixed it."""

    date: date | None
    basis: TakeoverBasis


def describe_takeover(day: date | None, basis: str | None) -> str:
    """`4. januar 2027 (lovens frist)`, or why it is not known yet, in Danish."""
    if day is None:
        return f"ikke fastsat ({WAITING_FOR_REGISTRATION_DA})"
    return f"{danish_date(day)} ({BASIS_DA.get(basis or '', LEGACY_DA)})"


def statutory_takeover(decision: date) -> date:
    """IL § 4 stk. 2: the 1st of the month two months after the decision's month.

    "Fra udgangen af den første hele måned fra tidspunktet for afgørelsen": moved to the next
    weekday that is not a public holiday; the municipality's closing days play no part.
    """
    day = decision.replace(day=1) + relativedelta(months=2)
    while day.weekday() >= 5 or is_public_holiday(day):
        day += timedelta(days=1)
    return day


def by_registration(kind: str, legal_basis: str | None) -> bool:
    """IL § 4 stk. 3: quota refugees and family reunification start at CPR registration."""
    return kind == CaseKind.FAMILIESAMMENFOERING or legal_basis == "kvote"


def resolve_takeover(
    *, kind: str, legal_basis: str | None, decision: date, given: date | None
) -> Takeover:
    """The takeover from the household's legal basis and a date given in the notice, if any."""
    if by_registration(kind, legal_basis):
        return Takeover(given, TakeoverBasis.CPR_REGISTRATION)
    if given is None:
        return Takeover(statutory_takeover(decision), TakeoverBasis.STATUTORY)
    return Takeover(given, TakeoverBasis.CONSENT)


def consent_problem(consent: date, decision: date) -> str | None:
    """Why an agreed takeover date is not allowed (Danish), or None when it lies in bounds."""
    if consent < decision:
        return f"ligger før afgørelsesdatoen ({decision.isoformat()})"
    statutory = statutory_takeover(decision)
    if consent > statutory:
        return (
            f"ligger efter lovens frist for overtagelse ({statutory.isoformat()}); "
            "en overtagelse efter samtykke skal ligge mellem afgørelsen og lovens frist"
        )
    return None


def registration_problem(registered: date, decision: date, today: date) -> str | None:
    """Why a CPR registration date is not allowed (Danish), or None when it is."""
    if registered < decision:
        return f"ligger før afgørelsesdatoen ({decision.isoformat()})"
    if registered > today:
        return f"ligger i fremtiden (i dag er {today.isoformat()})"
    return None
