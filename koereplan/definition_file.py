"""The køreplan file read and checked: `load_definition`, and `check_definition` for `check-config`.

Every problem is reported at once, each with the file, the line and the YAML path, so an admin
can fix the whole file in one go.
"""

from __future__ import annotations

from pathlib import Path

from yaml.nodes import Node

from koereplan.definition import Definition, Department, Phase
from koereplan.definition_steps import StepsReader
from koereplan.problems import Problem, ProblemsError
from koereplan.yaml_reader import compose_file, line_of


class ConfigError(ProblemsError):
    """Raised when a køreplan file is wrong, with every problem found in it."""


def load_definition(path: Path) -> Definition:
    """Read and validate a køreplan file; ConfigError lists every problem in it."""
    definition, problems = _read(Path(path))
    if problems or definition is None:
        raise ConfigError(problems)
    return definition


def check_definition(path: Path) -> list[Problem]:
    """Every problem in a køreplan file, empty when it is fine (for `check-config`)."""
    return _read(Path(path))[1]


_TOP_FIELDS = {"municipality": True, "phases": True, "departments": True, "steps": True}
_MUNICIPALITY_FIELDS = {"name": True, "code": False}
_PHASE_FIELDS = {"key": True, "title": True}
_DEPARTMENT_FIELDS = {"key": True, "name": True, "from_case": False, "coordinators": False}


def _read(path: Path) -> tuple[Definition | None, list[Problem]]:
    """Parse and check the file; the definition is None when any problem was found."""
    root, problems = compose_file(path)
    if root is None:
        return None, problems or [Problem(str(path), "the file is empty")]
    reader = _Reader(str(path))
    definition = reader.definition(root)
    problems = sorted(reader.problems, key=line_of)
    return (None if problems else definition), problems


class _Reader(StepsReader):
    """The køreplan's fields: each checked against what the file and the code know."""

    def definition(self, root: Node) -> Definition | None:
        """The whole file: municipality, phases, departments and steps."""
        top = self.fields(root, "", _TOP_FIELDS, "the file")
        if top is None:
            return None
        name, code = self.municipality(top.get("municipality"))
        phases = self.phases(top.get("phases"))
        departments = self.departments(top.get("departments"))
        steps = self.steps(top.get("steps"), phases, departments)
        if self.problems or name is None:
            return None
        return Definition(
            municipality_name=name,
            municipality_code=code,
            phases=tuple(phases.values()),
            departments=departments,
            steps=tuple(steps),
        )

    def municipality(self, node: Node | None) -> tuple[str | None, str | None]:
        """The municipality's name and (informational) code."""
        if node is None:
            return None, None
        found = self.fields(node, "municipality", _MUNICIPALITY_FIELDS, "municipality")
        if found is None:
            return None, None
        name = self.text(found.get("name"), "municipality.name")
        hint = '; put the code in quotes, e.g. "851"'
        code = self.text(found.get("code"), "municipality.code", hint)
        return name, code

    def phases(self, node: Node | None) -> dict[str, Phase]:
        """The phases by key, in file order; reports duplicates."""
        phases: dict[str, Phase] = {}
        items = self.sequence(node, "phases", "phases") if node is not None else None
        if node is not None and items == []:
            self.problem(node, "phases", "there must be at least one phase")
        for i, item in enumerate(items or []):
            path = f"phases[{i}]"
            found = self.fields(item, path, _PHASE_FIELDS, "a phase")
            if found is None:
                continue
            key = self.key(found.get("key"), f"{path}.key")
            title = self.text(found.get("title"), f"{path}.title")
            if key is None or title is None:
                continue
            if key in phases:
                self.problem(found["key"], f"{path}.key", f"duplicate phase key {key!r}")
                continue
            phases[key] = Phase(key=key, title=title)
        return phases

    def departments(self, node: Node | None) -> dict[str, Department]:
        """The departments by key, in file order; reports duplicates."""
        departments: dict[str, Department] = {}
        marked: dict[str, list[tuple[str, Node]]] = {"coordinators": [], "from_case": []}
        items = self.sequence(node, "departments", "departments") if node is not None else None
        for i, item in enumerate(items or []):
            path = f"departments[{i}]"
            found = self.fields(item, path, _DEPARTMENT_FIELDS, "a department")
            if found is None:
                continue
            key = self.key(found.get("key"), f"{path}.key")
            name = self.text(found.get("name"), f"{path}.name")
            # A bad flag is reported and read as false, so the steps naming the department
            # are not reported too.
            from_case = self.flag(found.get("from_case"), f"{path}.from_case", False) or False
            coordinators = (
                self.flag(found.get("coordinators"), f"{path}.coordinators", False) or False
            )
            if key is None or name is None:
                continue
            if key in departments:
                self.problem(found["key"], f"{path}.key", f"duplicate department key {key!r}")
                continue
            if from_case and coordinators:
                self.problem(
                    found["coordinators"],
                    f"{path}.coordinators",
                    "the coordinators need an address in the routing file, not one from the case",
                )
            departments[key] = Department(
                key=key, name=name, from_case=from_case, coordinators=coordinators
            )
            for flag, value in (("coordinators", coordinators), ("from_case", from_case)):
                if value:
                    marked[flag].append((path, found[flag]))
        self.special_departments(node, departments, marked)
        return departments

    def special_departments(
        self,
        node: Node | None,
        departments: dict[str, Department],
        marked: dict[str, list[tuple[str, Node]]],
    ) -> None:
        """Exactly one department is the coordinators', at most one is the asylum centre.

        The code tells them by role (overviews, escalations, rejected notices; moving notices),
        so the file must say which department plays each.
        """
        for flag, flagged in marked.items():
            for path, flag_node in flagged[1:]:
                self.problem(
                    flag_node,
                    f"{path}.{flag}",
                    f"only one department may be marked `{flag}: true` ({flagged[0][0]} is)",
                )
        if node is not None and departments and not marked["coordinators"] and not self.problems:
            self.problem(
                node,
                "departments",
                "no department is marked `coordinators: true`: mark the coordinators' department"
                " (overviews, escalations and rejected notices go there)",
            )
