"""Due dates: an anchor plus an offset, with the spec's rules for legal and internal dates.

Legal deadlines are the law's dates and never move. Internal targets that land on a
non-working day move back to the working day before, and none falls before the notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

from koereplan.workdays import add_working_days, working_day_on_or_after, working_day_on_or_before

Anchor = Literal["notice", "decision", "arrival", "takeover", "visitation"]
Unit = Literal["wd", "days", "weeks", "months", "years"]
ANCHORS: tuple[str, ...] = ("notice", "decision", "arrival", "takeover", "visitation")
UNITS: dict[str, Unit] = {
    "wd": "wd",
    "day": "days",
    "days": "days",
    "week": "weeks",
    "weeks": "weeks",
    "month": "months",
    "months": "months",
    "year": "years",
    "years": "years",
}

_DUE = re.compile(
    r"^\s*(?:on\s+(?P<on>[a-z]+)|(?P<anchor>[a-z]+)\s+(?P<sign>[+-])\s*(?P<n>\d{1,4})\s+(?P<unit>[a-z]+))\s*$"
)


@dataclass(frozen=True)
class Due:
    """When a step is due: `amount` `unit`s from `anchor` (amount may be negative)."""

    anchor: Anchor
    amount: int = 0
    unit: Unit = "days"

    def __str__(self) -> str:
        if self.amount == 0:
            return f"on {self.anchor}"
        sign = "+" if self.amount > 0 else "-"
        return f"{self.anchor} {sign}{abs(self.amount)} {self.unit}"


def parse_due(text: str) -> Due:
    """Parse `on arrival`, `notice +2 wd`, `takeover +1 month`; ValueError says what is allowed."""
    match = _DUE.match(text or "")
    if not match:
        raise ValueError(
            f"bad due {text!r}: write 'on ANCHOR' or 'ANCHOR +N UNIT' "
            f"(anchors: {', '.join(ANCHORS)}; units: wd, days, weeks, months, years)"
        )
    anchor = match["on"] or match["anchor"]
    if anchor not in ANCHORS:
        raise ValueError(
            f"bad due {text!r}: unknown anchor {anchor!r} (known: {', '.join(ANCHORS)})"
        )
    if match["on"]:
        return Due(anchor=anchor)  # type: ignore[arg-type]
    unit = UNITS.get(match["unit"])
    if unit is None:
        raise ValueError(
            f"bad due {text!r}: unknown unit {match['unit']!r}"
            " (known: wd, days, weeks, months, years)"
        )
    amount = int(match["n"]) * (-1 if match["sign"] == "-" else 1)
    return Due(anchor=anchor, amount=amount, unit=unit)  # type: ignore[arg-type]


def shift(anchor_date: date, due: Due) -> date:
    """The raw date `due` names, counted from `anchor_date` itself (months clip to month end)."""
    if due.unit == "wd":
        return add_working_days(anchor_date, due.amount)
    if due.unit == "days":
        return anchor_date + timedelta(days=due.amount)
    if due.unit == "weeks":
        return anchor_date + timedelta(weeks=due.amount)
    if due.unit == "months":
        return anchor_date + relativedelta(months=due.amount)
    return anchor_date + relativedelta(years=due.amount)


def due_date(anchor_date: date, due: Due, *, legal: bool, notice_date: date) -> date:
    """The step's due date: legal dates exactly as the law counts; internal ones on working days."""
    raw = shift(anchor_date, due)
    if legal:
        return raw
    moved = working_day_on_or_before(raw)
    if moved < notice_date:
        return working_day_on_or_after(notice_date)
    return moved
