"""The facts about a household that the køreplan's conditions look at (no names, no CPR)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from koereplan.status import CaseKind, MemberRole

ADULT_AGE = 18
PENSION_AGE = 67
SENIOR_AGE = 65
SCHOOL_AGE = (6, 16)  # inclusive
SMALL_CHILD_AGE = (0, 5)  # inclusive


def age_on(birth_date: date, day: date) -> int:
    """Whole years from `birth_date` to `day` (a 29 February birthday counts from 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


@dataclass(frozen=True)
class Person:
    """One member as the rules see them: ages are on the arrival date."""

    person_id: str
    role: str
    age: int
    has_cpr: bool = False
    formal_education: bool = False
    special_needs: bool = False
    self_supporting: bool = False

    @property
    def is_adult(self) -> bool:
        return self.age >= ADULT_AGE

    @property
    def is_child(self) -> bool:
        return self.age < ADULT_AGE

    @property
    def on_benefit(self) -> bool:
        """Not self-supporting and under pension age: the employment program applies."""
        return not self.self_supporting and self.age < PENSION_AGE


@dataclass(frozen=True)
class Household:
    """One case's household: its kind, whether an asylum centre is known, and its people."""

    kind: str
    has_asylum_centre: bool
    people: tuple[Person, ...]
    awaits_registration: bool = False  # the takeover starts at a CPR registration not yet known

    @property
    def is_reunification(self) -> bool:
        return self.kind == CaseKind.FAMILIESAMMENFOERING


ROLE_LABELS_DA: dict[str, str] = {
    MemberRole.HOVEDPERSON: "hovedperson",
    MemberRole.AEGTEFAELLE: "ægtefælle",
    MemberRole.BARN: "barn",
    MemberRole.ANDEN: "anden",
}


def person_labels(people: tuple[Person, ...] | list[Person]) -> dict[str, str]:
    """Labels that tell members apart without personal data: `hovedperson`, `barn 2`."""
    counts: dict[str, int] = {}
    for person in people:
        counts[person.role] = counts.get(person.role, 0) + 1
    seen: dict[str, int] = {}
    labels: dict[str, str] = {}
    for person in people:
        word = ROLE_LABELS_DA.get(person.role, person.role)
        seen[person.role] = seen.get(person.role, 0) + 1
        labels[person.person_id] = (
            f"{word} {seen[person.role]}" if counts[person.role] > 1 else word
        )
    return labels
