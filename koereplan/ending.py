"""How a case ends before its steps are finished: withdrawn by a notice or closed by a coordinator.

Plain rules: the reason every lapsed step carries, what a coordinator must give to close a case,
which steps lapse and which of them a department had already been told of.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol, TypeVar

from koereplan.danish import CLOSE_REASON_DA
from koereplan.problems import Problem
from koereplan.progress import FINISHED
from koereplan.status import CloseReason, StepStatus

WITHDRAWN_REASON = "visitering tilbagekaldt"
CLOSE_REASONS = tuple(CloseReason)
MAX_NOTE = 500
_MUNICIPALITY_RE = re.compile(r"[0-9]{1,4}")


class EndingStep(Protocol):
    """What the rules look at in a step."""

    @property
    def status(self) -> str: ...


S = TypeVar("S", bound=EndingStep)


def closing_reason(grund: str) -> str:
    """The reason a closed case and its lapsed steps carry: `sagen lukket: dødsfald`."""
    return f"sagen lukket: {CLOSE_REASON_DA.get(grund, grund)}"


def close_problems(
    grund: str, *, kommune: str | None, note: str | None, own_municipality: str
) -> list[Problem]:
    """Everything wrong with a coordinator's closing, in Danish; empty when it may go ahead."""
    problems: list[Problem] = []
    if grund not in CLOSE_REASONS:
        problems.append(Problem("grund", f"skal være en af {', '.join(CLOSE_REASONS)}"))
    code = (kommune or "").strip()
    if grund == CloseReason.FRAFLYTTET and not code:
        problems.append(Problem("kommune", "mangler: angiv den nye kommunes kode ved fraflytning"))
    if code and not _MUNICIPALITY_RE.fullmatch(code):
        problems.append(Problem("kommune", "skal være en kommunekode af 1–4 cifre (fx 101)"))
    elif code and code.lstrip("0") == own_municipality.lstrip("0"):
        problems.append(Problem("kommune", "er kommunens egen kode; angiv den nye kommune"))
    if code and grund != CloseReason.FRAFLYTTET:
        problems.append(Problem("kommune", "angives kun ved fraflytning"))
    text = (note or "").strip()
    if grund == CloseReason.ANDET and not text:
        problems.append(Problem("note", "mangler: beskriv grunden, når grunden er 'andet'"))
    if len(text) > MAX_NOTE:
        problems.append(Problem("note", f"må højst være {MAX_NOTE} tegn"))
    return problems


def lapsing(steps: Iterable[S]) -> list[S]:
    """The steps an ending makes not applicable: every one not yet done or not applicable."""
    return [step for step in steps if step.status not in FINISHED]


def told_of(steps: Iterable[S]) -> list[S]:
    """Of the lapsing steps, those whose departments were told (they were open)."""
    return [step for step in steps if step.status == StepStatus.OPEN]
