"""Reading a case back: its household facts, member labels and department names."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from koereplan.danish import CASE_STATUS_DA
from koereplan.definition import Definition
from koereplan.household import Household, Person, age_on, person_labels
from koereplan.status import CaseStatus
from koereplan.takeover import by_registration
from models.tables import Case, Member, Step


class CaseError(LookupError):
    """A coordinator asked for something that does not exist or cannot be done."""


@dataclass
class CaseFile:
    """A case with its members and steps, loaded once per unit of work."""

    case: Case
    members: list[Member]
    steps: list[Step]

    @property
    def household(self) -> Household:
        """The rule facts of the household, ages on the arrival date."""
        return household_of(self.case, self.members)

    @property
    def labels(self) -> dict[str, str]:
        """`hovedperson`, `barn 2`: how members are told apart outside the database."""
        return person_labels(self.household.people)

    def label(self, person_id: str) -> str | None:
        """A member's label, or None for a household step."""
        return self.labels.get(person_id) if person_id else None


def household_of(case: Case, members: list[Member]) -> Household:
    """Build the household facts from stored members."""
    people = tuple(
        Person(
            person_id=m.person_id,
            role=m.role,
            age=age_on(m.birth_date, case.arrival_date),
            has_cpr=bool(m.cpr),
            formal_education=m.formal_education,
            special_needs=m.special_needs,
            self_supporting=m.self_supporting,
        )
        for m in sorted(members, key=lambda m: m.position)
    )
    return Household(
        kind=case.kind,
        has_asylum_centre=bool(case.asylum_centre_email),
        people=people,
        awaits_registration=by_registration(case.kind, case.legal_basis)
        and not case.takeover_given,
    )


def load_case(db: Session, ref: str, *, for_update: bool = False) -> CaseFile:
    """The case with this reference, or CaseError naming it."""
    query = select(Case).where(Case.ref == ref)
    if for_update:
        query = query.with_for_update()
    case = db.exec(query).first()
    if case is None:
        raise CaseError(f"Sagen {ref} findes ikke.")
    members = list(db.exec(select(Member).where(Member.case_id == case.id)).all())
    steps = list(
        db.exec(select(Step).where(Step.case_id == case.id).order_by(col(Step.position))).all()
    )
    return CaseFile(case=case, members=members, steps=steps)


def require_active(cf: CaseFile) -> None:
    """Only an active case takes answers, amendments and new dates: else CaseError saying why."""
    case = cf.case
    if case.status == CaseStatus.ACTIVE:
        return
    word = CASE_STATUS_DA.get(case.status, case.status)
    why = f" ({case.status_reason})" if case.status_reason else ""
    raise CaseError(f"Sag {case.ref} er {word}{why} og tager ikke imod registreringer.")


def department_names(definition: Definition) -> dict[str, str]:
    """Department key to Danish name."""
    return {key: dept.name for key, dept in definition.departments.items()}
