"""An amendment from Udlændingestyrelsen: what it may change, and the notice it leaves behind.

An amendment names the notice that opened the case and carries only the fields that changed.
The merged notice (stored notice + amendment) is checked by the rules of a first notice, so
an amendment can never leave a case the first notice could not have made.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field

from koereplan.notice import MAX_MEMBERS
from koereplan.notice_fields import AsylumCentre, Document, Envelope, Member, OptionalIsoDate
from koereplan.problems import Problem

AENDRING = "aendring"
# The fields an amendment may carry; every other field of the stored notice stays as it was.
AMENDABLE = (
    "expected_arrival",
    "asylum_centre",
    "interpreter_language",
    "decision_date",
    "legal_basis",
    "takeover_date",
    "members",
    "documents",
)
MEMBER_FIELDS = (
    "role",
    "given_name",
    "family_name",
    "birth_date",
    "cpr",
    "formal_education",
    "special_needs",
    "self_supporting",
)


class Amendment(Envelope):
    """An `aendring` notice: the envelope, and the fields it changes checked by their own type.

    The rules across fields (arrival after the notice date, CPR against birth date, …) are
    checked again on the merged notice, where they can see the stored values too.
    """

    kind: Literal["aendring"]
    reference_notice_id: str
    expected_arrival: OptionalIsoDate = None
    takeover_date: OptionalIsoDate = None
    asylum_centre: AsylumCentre | None = None
    interpreter_language: str | None = None
    members: Annotated[list[Member], Field(min_length=1, max_length=MAX_MEMBERS)] | None = None
    documents: list[Document] | None = None


def changes_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an amendment changes: amendable, present and not `null`."""
    return {key: data[key] for key in AMENDABLE if data.get(key) is not None}


def merge(stored: Mapping[str, Any], amendment: Mapping[str, Any]) -> dict[str, Any]:
    """The notice as it stands after the amendment: the envelope of the stored notice kept."""
    return {**stored, **changes_of(amendment)}


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Names of the fields that differ (`members.birth_date`), never their values."""
    names = [key for key in AMENDABLE if key != "members" and before.get(key) != after.get(key)]
    old = _members_by_id(before)
    new = _members_by_id(after)
    if list(old) != list(new):  # someone joined or left, or the order changed
        names.append("members")
    for person_id in old.keys() & new.keys():
        names.extend(
            f"members.{name}"
            for name in MEMBER_FIELDS
            if old[person_id].get(name) != new[person_id].get(name)
        )
    return sorted(dict.fromkeys(names), key=_field_order)


def role_changes(stored_roles: Mapping[str, str], after: Mapping[str, Any]) -> list[Problem]:
    """A person keeps their role across notices: a changed role is a different person."""
    problems = []
    for index, member in enumerate(_members(after)):
        old = stored_roles.get(str(member.get("person_id")))
        role = member.get("role")
        if old is not None and role != old:
            problems.append(
                Problem(
                    f"members[{index}].role",
                    f"person {member.get('person_id')} har rollen {old} i sagen og kan ikke "
                    f"skifte rolle til {role} ved en ændring",
                )
            )
    return problems


def arrival_after(
    current: date, changed: list[str], merged_expected: date | None
) -> tuple[date, bool]:
    """The case's arrival after an amendment, and whether it moved.

    A planned or rescheduled arrival stays unless the amendment itself changes
    `expected_arrival`.
    """
    if "expected_arrival" in changed and merged_expected is not None:
        return merged_expected, merged_expected != current
    return current, False


def _members(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    members = data.get("members")
    return [m for m in members if isinstance(m, Mapping)] if isinstance(members, list) else []


def _members_by_id(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(m.get("person_id")): m for m in _members(data)}


def _field_order(name: str) -> int:
    top = name.split(".", 1)[0]
    return AMENDABLE.index(top) if top in AMENDABLE else len(AMENDABLE)
