"""The notice from Udlændingestyrelsen: parsed, checked, and every problem told in plain Danish.

`parse_notice` is the one door in. It never echoes personal data (names, CPR, birth dates)
in a problem, and it turns every bad input (size, encoding, JSON, types, rules) into a
`NoticeRejected` listing all problems found, never a traceback or pydantic's English.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BeforeValidator, Field, ValidationError, ValidationInfo, field_validator

from koereplan.arrival import MAX_ARRIVAL_YEARS, latest_arrival
from koereplan.household import Household, Person, age_on
from koereplan.notice_fields import (
    LANGUAGE_RE,
    AsylumCentre,
    Document,
    Envelope,
    Member,
    OptionalIsoDate,
    none_as_empty_list,
    normalize_municipality_code,
    notice_date_of,
    years_before,
)
from koereplan.notice_json import read_json
from koereplan.notice_problems import danish, fail, path, reject
from koereplan.problems import Problem
from koereplan.status import CaseKind
from koereplan.takeover import (
    DEFAULT_LEGAL_BASIS,
    Takeover,
    by_registration,
    consent_problem,
    resolve_takeover,
)
from koereplan.workdays import local_date

MAX_MEMBERS = 20

M = TypeVar("M", bound=Envelope)


class Notice(Envelope):
    """One notice as the contract (spec/notice-format.md) defines it, checked field by field."""

    kind: Literal["opholdstilladelse", "familiesammenfoering"]
    expected_arrival: OptionalIsoDate = None
    decision_date: OptionalIsoDate = None
    legal_basis: Literal["asyl", "kvote"] | None = None
    takeover_date: OptionalIsoDate = None
    asylum_centre: AsylumCentre | None = None
    interpreter_language: str | None = None
    members: Annotated[list[Member], Field(min_length=1, max_length=MAX_MEMBERS)]
    documents: Annotated[list[Document], BeforeValidator(none_as_empty_list)] = Field(
        default_factory=list
    )

    @field_validator("expected_arrival")
    @classmethod
    def _not_before_notice(cls, value: date | None, info: ValidationInfo) -> date | None:
        notice_date = notice_date_of(info)
        if value is not None and notice_date is not None:
            if value < notice_date:
                raise fail(f"ligger før meddelelsens dato ({notice_date.isoformat()})")
            if value > latest_arrival(notice_date):
                raise fail(
                    f"ligger mere end {MAX_ARRIVAL_YEARS} år efter meddelelsens dato "
                    f"({notice_date.isoformat()})"
                )
        return value

    @field_validator("decision_date")
    @classmethod
    def _decision_near_notice(cls, value: date | None, info: ValidationInfo) -> date | None:
        notice_date = notice_date_of(info)
        if value is not None and notice_date is not None:
            if value > notice_date:
                raise fail(f"ligger efter meddelelsens dato ({notice_date.isoformat()})")
            if value < years_before(notice_date, 1):
                raise fail(
                    f"ligger mere end et år før meddelelsens dato ({notice_date.isoformat()})"
                )
        return value

    @field_validator("legal_basis")
    @classmethod
    def _basis_only_for_permits(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("kind") == CaseKind.FAMILIESAMMENFOERING:
            raise fail("må ikke angives ved familiesammenføring (kun ved opholdstilladelse)")
        return value

    @field_validator("takeover_date")
    @classmethod
    def _takeover_in_bounds(cls, value: date | None, info: ValidationInfo) -> date | None:
        notice_date = notice_date_of(info)
        known = {"kind", "decision_date", "legal_basis"} <= info.data.keys()
        if value is None or not known or notice_date is None:
            return value  # a field it depends on is itself wrong and reported there
        decision = info.data["decision_date"] or notice_date
        if by_registration(info.data["kind"], info.data["legal_basis"]):
            if value < decision:
                raise fail(f"ligger før afgørelsesdatoen ({decision.isoformat()})")
            return value
        problem = consent_problem(value, decision)
        if problem:
            raise fail(problem)
        return value

    @field_validator("interpreter_language")
    @classmethod
    def _iso_639(cls, value: str | None) -> str | None:
        if value is not None and not LANGUAGE_RE.fullmatch(value):
            raise fail("skal være en ISO 639-sprogkode med 2–3 små bogstaver (fx ar, ti, prs)")
        return value

    @property
    def notice_date(self) -> date:
        """The `notice` anchor: the Copenhagen calendar day on which the notice was issued."""
        return local_date(self.issued_at)

    @property
    def normalized_municipality(self) -> str:
        """The municipality code without leading zeros, the form configuration compares."""
        return normalize_municipality_code(self.municipality_code)

    @property
    def is_reunification(self) -> bool:
        """Family reunification joins a case that already exists."""
        return self.kind == CaseKind.FAMILIESAMMENFOERING

    @property
    def decision(self) -> date:
        """The `decision` anchor: `decision_date`, else the notice date."""
        return self.decision_date or self.notice_date

    @property
    def basis(self) -> str:
        """The legal basis of an `opholdstilladelse` (`asyl` unless the notice says `kvote`)."""
        return self.legal_basis or DEFAULT_LEGAL_BASIS

    @property
    def takeover(self) -> Takeover:
        """The `takeover` anchor by the household's legal basis (køreplan spec, *Takeover*)."""
        return resolve_takeover(
            kind=self.kind,
            legal_basis=self.legal_basis,
            decision=self.decision,
            given=self.takeover_date,
        )

    def household(self, arrival: date) -> Household:
        """The facts the rules look at, ages on the arrival date, and no names or CPR."""
        return Household(
            kind=self.kind,
            has_asylum_centre=self.asylum_centre is not None,
            awaits_registration=self.takeover.date is None,
            people=tuple(
                Person(
                    person_id=m.person_id,
                    role=m.role,
                    age=age_on(m.birth_date, arrival),
                    has_cpr=m.cpr is not None,
                    formal_education=m.formal_education,
                    special_needs=m.special_needs,
                    self_supporting=m.self_supporting,
                )
                for m in self.members
            ),
        )


def _cross_checks(data: dict[str, Any]) -> list[Problem]:
    """Rules across items, checked on the raw data so they report even when other fields fail."""
    problems: list[Problem] = []
    if (
        data.get("kind") == CaseKind.FAMILIESAMMENFOERING
        and data.get("reference_notice_id") is None
    ):
        problems.append(
            Problem("reference_notice_id", "mangler (påkrævet ved familiesammenføring)")
        )
    reference = data.get("reference_notice_id")
    if isinstance(reference, str) and reference == data.get("notice_id"):
        problems.append(Problem("reference_notice_id", "kan ikke henvise til meddelelsen selv"))
    members = data.get("members")
    if isinstance(members, list):
        first_seen: dict[str, int] = {}
        for index, member in enumerate(members):
            person_id = member.get("person_id") if isinstance(member, dict) else None
            if not isinstance(person_id, str):
                continue
            if person_id in first_seen:
                problems.append(
                    Problem(
                        f"members[{index}].person_id",
                        f"bruges af to personer (også members[{first_seen[person_id]}])",
                    )
                )
            else:
                first_seen[person_id] = index
    return problems


def validate_notice(
    data: dict[str, Any], *, municipality_code: str, today: date | None = None
) -> Notice:
    """A first notice (or an amended one, merged) checked by every rule of the format."""
    return validate_as(Notice, data, municipality_code=municipality_code, today=today)


def validate_as(
    model: type[M], data: dict[str, Any], *, municipality_code: str, today: date | None = None
) -> M:
    """Validate decoded JSON as one kind of notice; every problem in Danish, or the model."""
    context = {"municipality_code": municipality_code, "today": today or local_date()}
    problems: list[Problem] = []
    result: M | None = None
    try:
        result = model.model_validate(data, context=context)
    except ValidationError as exc:
        problems.extend(
            Problem(path(error["loc"]), danish(error))
            for error in exc.errors(include_url=False, include_input=False)
        )
    problems.extend(_cross_checks(data))
    if problems or result is None:
        raise reject(problems)
    return result


def parse_notice(raw: bytes, *, municipality_code: str, today: date | None = None) -> Notice:
    """Read one notice file; raise NoticeRejected with every problem, in Danish, if it is bad."""
    return validate_notice(read_json(raw), municipality_code=municipality_code, today=today)
