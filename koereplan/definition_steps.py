"""The steps of a køreplan file, read and checked: each field, references, dependencies, cycles.

A step is checked against what the file defines (phases, departments, other steps) and what the
code knows (scopes, kinds, member filters, conditions, due rules); every problem at its line.
"""

from __future__ import annotations

from yaml.nodes import Node

from koereplan.conditions import SCOPES, household_condition, parse_member_filter
from koereplan.deadlines import parse_due
from koereplan.definition import KINDS, Department, Phase, StepDef
from koereplan.status import StepKind
from koereplan.yaml_reader import NodeReader, hint, values

STEP_FIELDS = {
    "key": True,
    "phase": True,
    "title": True,
    "scope": True,
    "members": False,
    "kind": True,
    "responsible": True,
    "notify": False,
    "when": False,
    "after": False,
    "due": True,
    "legal": False,
}


class StepsReader(NodeReader):
    """Reads the `steps` list; `definition_file.py` reads the rest of the file around it."""

    def steps(
        self, node: Node | None, phases: dict[str, Phase], departments: dict[str, Department]
    ) -> list[StepDef]:
        """Every step, then the checks across steps (unknown dependencies and cycles)."""
        items = self.sequence(node, "steps", "steps") if node is not None else None
        if node is not None and items == []:
            self.problem(node, "steps", "there must be at least one step")
        steps: list[StepDef] = []
        seen: dict[str, int] = {}
        # For the checks across steps: each step's `after` entries with their nodes and paths.
        afters: dict[str, list[tuple[str, Node, str]]] = {}
        for i, item in enumerate(items or []):
            path = f"steps[{i}]"
            found = self.fields(item, path, STEP_FIELDS, "a step")
            if found is None:
                continue
            key_node = found.get("key")
            key = self.key(key_node, f"{path}.key")
            if key is not None and key_node is not None:
                if key in seen:
                    self.problem(
                        key_node,
                        f"{path}.key",
                        f"duplicate step key {key!r} (first used at line {seen[key]})",
                    )
                    key = None
                else:
                    seen[key] = key_node.start_mark.line + 1
            step, after = self.step(found, path, key, phases, departments)
            if key is not None and after is not None:
                afters[key] = after
            if step is not None:
                steps.append(step)
        self.dependencies(set(seen), afters)
        return steps

    def step(
        self,
        found: dict[str, Node],
        path: str,
        key: str | None,
        phases: dict[str, Phase],
        departments: dict[str, Department],
    ) -> tuple[StepDef | None, list[tuple[str, Node, str]] | None]:
        """One step's fields, each checked against what the file and the code know."""
        before = len(self.problems)
        phase = self.choice(found.get("phase"), f"{path}.phase", list(phases), "phase")
        title = self.text(found.get("title"), f"{path}.title")
        scope = self.choice(found.get("scope"), f"{path}.scope", list(SCOPES), "scope")
        kind = self.choice(found.get("kind"), f"{path}.kind", list(KINDS), "kind")
        responsible = self.department_ref(
            found.get("responsible"), f"{path}.responsible", departments
        )
        if responsible is not None and departments[responsible].from_case:
            self.problem(
                found["responsible"],
                f"{path}.responsible",
                f"department {responsible!r} is outside the municipality (its address comes"
                " from the case) and cannot be responsible for a step; put it under notify",
            )
        notify = self.texts(found.get("notify"), f"{path}.notify")
        for value, item, item_path in notify or []:
            self.department_ref(item, item_path, departments, value)
        if kind == StepKind.NOTICE and notify == []:
            self.problem(
                found["kind"],
                f"{path}.kind",
                "a notice step must notify at least one department",
            )
        members = self.texts(found.get("members"), f"{path}.members")
        for value, item, item_path in members or []:
            try:
                parse_member_filter(value)
            except ValueError as error:
                self.problem(item, item_path, str(error))
        if scope == "household" and members:
            self.problem(
                found["members"],
                f"{path}.members",
                "member filters only apply to each_member, each_adult or each_child steps,"
                " not to a household step",
            )
        when = self.texts(found.get("when"), f"{path}.when")
        for value, item, item_path in when or []:
            try:
                household_condition(value)
            except ValueError as error:
                self.problem(item, item_path, str(error))
        after = self.texts(found.get("after"), f"{path}.after")
        due_text = self.text(found.get("due"), f"{path}.due")
        due = None
        if due_text is not None:
            try:
                due = parse_due(due_text)
            except ValueError as error:
                self.problem(found["due"], f"{path}.due", str(error))
        legal = self.flag(found.get("legal"), f"{path}.legal", False)
        if (
            len(self.problems) > before
            or key is None
            or phase is None
            or title is None
            or scope is None
            or kind is None
            or responsible is None
            or notify is None
            or members is None
            or when is None
            or after is None
            or due is None
            or legal is None
        ):
            return None, after
        return (
            StepDef(
                key=key,
                phase=phase,
                title=title,
                scope=scope,
                members=values(members),
                kind=kind,
                responsible=responsible,
                notify=values(notify),
                when=values(when),
                after=values(after),
                due=due,
                legal=legal,
            ),
            after,
        )

    def department_ref(
        self,
        node: Node | None,
        path: str,
        departments: dict[str, Department],
        value: str | None = None,
    ) -> str | None:
        """A reference to a department listed in the file."""
        if value is None:
            value = self.text(node, path)
        if value is None or node is None:
            return None
        if value not in departments:
            self.problem(node, path, f"unknown department {value!r}{hint(value, departments)}")
            return None
        return value

    def dependencies(self, keys: set[str], afters: dict[str, list[tuple[str, Node, str]]]) -> None:
        """Every `after` must name a step in the file, and no steps may wait on each other."""
        graph: dict[str, list[tuple[str, Node, str]]] = {key: [] for key in afters}
        for key, refs in afters.items():
            for value, node, path in refs:
                if value not in keys:
                    near = hint(value, sorted(keys))
                    self.problem(node, path, f"depends on unknown step {value!r}{near}")
                elif value in graph:
                    graph[key].append((value, node, path))
        for cycle in _cycles(graph):
            start = cycle[0]
            _, node, path = next(ref for ref in graph[start] if ref[0] == cycle[1])
            self.problem(node, path, f"dependency cycle: {' -> '.join(cycle)}")


def _cycles(graph: dict[str, list[tuple[str, Node, str]]]) -> list[list[str]]:
    """Each distinct dependency cycle once, starting at its step that comes first in the file."""
    order = {key: i for i, key in enumerate(graph)}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    stack: list[str] = []
    found: dict[frozenset[str], list[str]] = {}

    def visit(key: str) -> None:
        state[key] = 1
        stack.append(key)
        for target, _, _ in graph[key]:
            if state.get(target) == 1:
                loop = stack[stack.index(target) :]
                first = min(range(len(loop)), key=lambda i: order[loop[i]])
                loop = loop[first:] + loop[:first]
                found.setdefault(frozenset(loop), [*loop, loop[0]])
            elif target not in state:
                visit(target)
        stack.pop()
        state[key] = 2

    for key in graph:
        if key not in state:
            visit(key)
    return sorted(found.values(), key=lambda cycle: order[cycle[0]])
