"""Named conditions (does a step apply to this household?) and member filters (to whom?).

The køreplan file refers to these by name; `check-config` rejects names not listed here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from koereplan.household import SCHOOL_AGE, SENIOR_AGE, Household, Person

HouseholdCondition = Callable[[Household], bool]
MemberFilter = Callable[[Person], bool]


HOUSEHOLD_CONDITIONS: dict[str, HouseholdCondition] = {
    "always": lambda h: True,
    "family": lambda h: any(p.is_child for p in h.people),
    "not_reunification": lambda h: not h.is_reunification,
    "has_asylum_centre": lambda h: h.has_asylum_centre,
    "school_age_child": lambda h: any(
        p.is_child and SCHOOL_AGE[0] <= p.age <= SCHOOL_AGE[1] for p in h.people
    ),
    "senior_or_special_needs": lambda h: any(
        p.age >= SENIOR_AGE or p.special_needs for p in h.people
    ),
    "unaccompanied_minor": lambda h: not any(p.is_adult for p in h.people),
    "awaits_cpr_registration": lambda h: h.awaits_registration,
}

SCOPES: dict[str, MemberFilter | None] = {
    "household": None,
    "each_member": lambda p: True,
    "each_adult": lambda p: p.is_adult,
    "each_child": lambda p: p.is_child,
}

MEMBER_FILTERS: dict[str, MemberFilter] = {
    "on_benefit": lambda p: p.on_benefit,
    "without_cpr": lambda p: not p.has_cpr,
    "formal_education": lambda p: p.formal_education,
    "special_needs": lambda p: p.special_needs,
}

_AGE_RANGE = re.compile(r"^age (\d{1,3})-(\d{1,3})$")


def parse_member_filter(text: str) -> MemberFilter:
    """A filter by name, or `age A-B` (inclusive); raises ValueError naming what is allowed."""
    if text in MEMBER_FILTERS:
        return MEMBER_FILTERS[text]
    match = _AGE_RANGE.match(text.strip())
    if match:
        low, high = int(match[1]), int(match[2])
        if low > high:
            raise ValueError(f"age range {text!r} runs backwards")
        return lambda p: low <= p.age <= high
    known = ", ".join([*MEMBER_FILTERS, "age A-B"])
    raise ValueError(f"unknown member filter {text!r} (known: {known})")


def household_condition(name: str) -> HouseholdCondition:
    """A condition by name; raises ValueError naming what is allowed."""
    try:
        return HOUSEHOLD_CONDITIONS[name]
    except KeyError:
        known = ", ".join(HOUSEHOLD_CONDITIONS)
        raise ValueError(f"unknown condition {name!r} (known: {known})") from None
