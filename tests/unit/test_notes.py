"""A note that looks like a CPR number or a full date is refused, in Danish; work notes pass."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koereplan.notes import personal_data_problem, refusal


@pytest.mark.parametrize(
    "note",
    [
        "140298-1234",
        "cpr 1402981234",
        "CPR: 140298 1234",
        "født 14.02.1998",
        "1998-02-14",
        "14/2-98",
        "14. februar 1998",
        "fødselsdag 2. okt 2011",
    ],
)
def test_a_cpr_number_or_a_date_with_a_year_is_refused(note: str) -> None:
    problem = personal_data_problem(note)

    assert problem is not None and problem.startswith("Afvist: noten")
    assert "uden personoplysninger" in problem


@pytest.mark.parametrize(
    "note",
    [
        "",
        None,
        "bestilt i CPR",
        "møde 3/12 kl. 10",
        "sag KR-2026-0001, besked UST-2026-100245",
        "tlf. 98 76 54 32",
        "P-77120 har fået nøgler",
        "991399-1234 er ikke en dato",
    ],
)
def test_ordinary_work_notes_pass(note: str | None) -> None:
    assert personal_data_problem(note) is None


def test_the_message_names_the_field() -> None:
    assert "begrundelsen" in str(personal_data_problem("14.02.1998", "begrundelsen"))


@given(st.dates(), st.integers(0, 9999))
def test_every_cpr_number_of_a_real_birth_date_is_refused(born, serial) -> None:  # type: ignore[no-untyped-def]
    cpr = f"{born:%d%m%y}-{serial:04d}"

    assert personal_data_problem(f"nr {cpr}") is not None
    assert personal_data_problem(f"nr {cpr.replace('-', '')}.") is not None


def test_the_first_refused_field_is_named() -> None:
    fields = {"noten": "bestilt", "begrundelsen": "cpr 140298-1234"}

    assert "begrundelsen ligner et cpr-nummer" in str(refusal(fields))
    assert refusal({"noten": "bestilt", "begrundelsen": None}) is None
