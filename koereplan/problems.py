"""One shape for everything a user got wrong: where it is, and what is wrong, in plain words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in a notice or a config file.

    `where` names the field (`members[1].birth_date`) or the place in a file
    (`config/koereplan.yaml:42 steps[3].responsible`); `message` says what is wrong.
    """

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ProblemsError(ValueError):
    """Raised with every problem found, so a user fixes them all in one go."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
