"""The køreplan as data: one validated YAML file per municipality, so no municipality lives in code.

`load_definition` reads the file and reports every problem at once, each with the file, the line
and the YAML path (`config/koereplan.aalborg.yaml:118 steps[12].responsible`), so an admin can
fix the whole file in one go.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from koereplan.conditions import SCOPES, household_condition, parse_member_filter
from koereplan.deadlines import Due, parse_due
from koereplan.household import Household, Person
from koereplan.problems import Problem, ProblemsError

KINDS: tuple[str, ...] = ("task", "notice", "automatic")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"


class ConfigError(ProblemsError):
    """Raised when a køreplan file is wrong, with every problem found in it."""


@dataclass(frozen=True)
class Department:
    """Who does a step or is told about it; `key` is the Apprise tag."""

    key: str
    name: str
    from_case: bool = False


@dataclass(frozen=True)
class Phase:
    """A stretch of the reception; steps are ordered by phase first."""

    key: str
    title: str


@dataclass(frozen=True)
class StepDef:
    """One line of the køreplan: what is done, by whom, for whom, when and after what."""

    key: str
    phase: str
    title: str
    scope: str
    members: tuple[str, ...]
    kind: str
    responsible: str
    notify: tuple[str, ...]
    when: tuple[str, ...]
    after: tuple[str, ...]
    due: Due
    legal: bool

    @property
    def per_member(self) -> bool:
        """True when the step is made once per matching member rather than once per case."""
        return self.scope != "household"

    def applies_to(self, household: Household) -> bool:
        """Whether the case gets this step at all: every `when` condition must hold."""
        return all(household_condition(name)(household) for name in self.when)

    def members_of(self, household: Household) -> list[Person]:
        """The members one step each is made for, in notice order; [] for a household step."""
        scope = SCOPES[self.scope]
        if scope is None:
            return []
        filters = [parse_member_filter(text) for text in self.members]
        return [p for p in household.people if scope(p) and all(f(p) for f in filters)]


@dataclass(frozen=True)
class Definition:
    """A municipality's whole køreplan; `steps` are in køreplan order (phase, then file order)."""

    municipality_name: str
    phases: tuple[Phase, ...]
    departments: dict[str, Department]
    steps: tuple[StepDef, ...]
    municipality_code: str | None = None
    _steps_by_key: dict[str, StepDef] = field(init=False, repr=False, compare=False)
    _position: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        phase_order = {phase.key: i for i, phase in enumerate(self.phases)}
        ordered = tuple(sorted(self.steps, key=lambda s: phase_order[s.phase]))
        object.__setattr__(self, "steps", ordered)
        object.__setattr__(self, "_steps_by_key", {s.key: s for s in ordered})
        object.__setattr__(self, "_position", {s.key: i for i, s in enumerate(ordered)})

    def step(self, key: str) -> StepDef:
        """The step named `key`; KeyError names it when the køreplan has no such step."""
        try:
            return self._steps_by_key[key]
        except KeyError:
            raise KeyError(f"no step {key!r} in the køreplan") from None

    def has_step(self, key: str) -> bool:
        """Whether the køreplan has a step named `key` (stored cases may outlive a step)."""
        return key in self._steps_by_key

    def phase_index(self, key: str) -> int:
        """The phase's place in the køreplan (0 for the first), for ordering and display."""
        for i, phase in enumerate(self.phases):
            if phase.key == key:
                return i
        raise KeyError(f"no phase {key!r} in the køreplan")

    def order_key(self, step_key: str, member_index: int = -1) -> tuple[int, int, int]:
        """Sort key for a case's steps: phase, then køreplan order, then member order in the notice.

        Household steps use the default `member_index` -1 so they sort before member steps.
        Unknown step keys (a step removed from the file) sort last.
        """
        position = self._position.get(step_key)
        if position is None:
            return (len(self.phases), len(self.steps), member_index)
        return (self.phase_index(self.steps[position].phase), position, member_index)

    def department(self, key: str) -> Department:
        """The department named `key`; KeyError names it when the køreplan has no such one."""
        try:
            return self.departments[key]
        except KeyError:
            raise KeyError(f"no department {key!r} in the køreplan") from None


def default_definition_path() -> Path:
    """The køreplan shipped with the product (Aalborg's); settings may point elsewhere."""
    return Path(__file__).resolve().parent.parent / "config" / "koereplan.aalborg.yaml"


def load_definition(path: Path) -> Definition:
    """Read and validate a køreplan file; ConfigError lists every problem in it."""
    definition, problems = _read(Path(path))
    if problems or definition is None:
        raise ConfigError(problems)
    return definition


def check_definition(path: Path) -> list[Problem]:
    """Every problem in a køreplan file, empty when it is fine (for `check-config`)."""
    return _read(Path(path))[1]


# ── reading ──────────────────────────────────────────────────────────────────────────────────

_TOP_FIELDS = {"municipality": True, "phases": True, "departments": True, "steps": True}
_MUNICIPALITY_FIELDS = {"name": True, "code": False}
_PHASE_FIELDS = {"key": True, "title": True}
_DEPARTMENT_FIELDS = {"key": True, "name": True, "from_case": False}
_STEP_FIELDS = {
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


def _read(path: Path) -> tuple[Definition | None, list[Problem]]:
    """Parse and check the file; the definition is None when any problem was found."""
    reader = _Reader(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(str(path), "file not found")]
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(str(path), f"cannot read the file: {error}")]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        what = " ".join(part for part in (error.context, error.problem) if part)
        return None, [Problem(f"{path}{line}", f"YAML syntax error: {what}")]
    except yaml.YAMLError as error:
        return None, [Problem(str(path), f"YAML syntax error: {error}")]
    if root is None:
        return None, [Problem(str(path), "the file is empty")]
    definition = reader.definition(root)
    problems = sorted(reader.problems, key=_line)
    return (None if problems else definition), problems


@dataclass
class _Reader:
    """Walks the composed YAML nodes, collecting problems with their line and path."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, node: Node, path: str, message: str) -> None:
        """Record a problem at `node`'s line, naming its YAML path."""
        where = f"{self.file}:{node.start_mark.line + 1}"
        self.problems.append(Problem(f"{where} {path}" if path else where, message))

    # ── shapes ──

    def fields(
        self, node: Node, path: str, spec: dict[str, bool], what: str
    ) -> dict[str, Node] | None:
        """A mapping's fields by name; reports a non-mapping, duplicate, extra or missing field."""
        if not isinstance(node, MappingNode):
            self.problem(node, path, f"{what} must be a mapping of fields, got {_show(node)}")
            return None
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            name = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            sub = f"{path}.{name}" if path else name
            if name in found:
                self.problem(key_node, sub, f"field {name!r} is given twice")
            elif name not in spec:
                allowed = ", ".join(spec)
                self.problem(
                    key_node, sub, f"unknown field {name!r} in {what} (allowed: {allowed})"
                )
            else:
                found[name] = value_node
        for name, required in spec.items():
            if required and name not in found:
                self.problem(node, path, f"{what} is missing the field {name!r}")
        return found

    def sequence(self, node: Node, path: str, what: str) -> list[Node] | None:
        """A list's items; reports anything that is not a list."""
        if not isinstance(node, SequenceNode):
            self.problem(node, path, f"{what} must be a list, got {_show(node)}")
            return None
        return list(node.value)

    def text(self, node: Node | None, path: str, hint: str = "") -> str | None:
        """A non-empty text value; reports numbers, booleans, lists and blanks."""
        if node is None:
            return None
        if not isinstance(node, ScalarNode) or node.tag != _STR or not str(node.value).strip():
            self.problem(node, path, f"must be text, got {_show(node)}{hint}")
            return None
        return str(node.value)

    def key(self, node: Node | None, path: str) -> str | None:
        """A key: lowercase letters, digits, `_` and `-`, as used in tags, URLs and the database."""
        value = self.text(node, path)
        if value is not None and node is not None and not _KEY.match(value):
            self.problem(
                node, path, f"bad key {value!r}: use lowercase letters, digits, '_' and '-'"
            )
            return None
        return value

    def flag(self, node: Node | None, path: str, default: bool) -> bool | None:
        """A true/false value, `default` when absent."""
        if node is None:
            return default
        if not isinstance(node, ScalarNode) or node.tag != _BOOL:
            self.problem(node, path, f"must be true or false, got {_show(node)}")
            return None
        return bool(SafeConstructor.bool_values[str(node.value).lower()])

    def texts(self, node: Node | None, path: str) -> list[tuple[str, Node, str]] | None:
        """A list of texts, each with its node and path; [] when absent."""
        if node is None:
            return []
        items = self.sequence(node, path, "this field")
        if items is None:
            return None
        out: list[tuple[str, Node, str]] = []
        for i, item in enumerate(items):
            value = self.text(item, f"{path}[{i}]")
            if value is not None:
                out.append((value, item, f"{path}[{i}]"))
        return out

    # ── the file ──

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
        items = self.sequence(node, "departments", "departments") if node is not None else None
        for i, item in enumerate(items or []):
            path = f"departments[{i}]"
            found = self.fields(item, path, _DEPARTMENT_FIELDS, "a department")
            if found is None:
                continue
            key = self.key(found.get("key"), f"{path}.key")
            name = self.text(found.get("name"), f"{path}.name")
            from_case = self.flag(found.get("from_case"), f"{path}.from_case", False)
            if key is None or name is None or from_case is None:
                continue
            if key in departments:
                self.problem(found["key"], f"{path}.key", f"duplicate department key {key!r}")
                continue
            departments[key] = Department(key=key, name=name, from_case=from_case)
        return departments

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
            found = self.fields(item, path, _STEP_FIELDS, "a step")
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
        if kind == "notice" and notify == []:
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
                members=_values(members),
                kind=kind,
                responsible=responsible,
                notify=_values(notify),
                when=_values(when),
                after=_values(after),
                due=due,
                legal=legal,
            ),
            after,
        )

    def choice(self, node: Node | None, path: str, known: list[str], what: str) -> str | None:
        """A value from a fixed list; the problem lists what is allowed."""
        value = self.text(node, path)
        if value is None or node is None:
            return None
        if value not in known:
            self.problem(node, path, f"unknown {what} {value!r} (known: {', '.join(known)})")
            return None
        return value

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
            self.problem(node, path, f"unknown department {value!r}{_hint(value, departments)}")
            return None
        return value

    def dependencies(self, keys: set[str], afters: dict[str, list[tuple[str, Node, str]]]) -> None:
        """Every `after` must name a step in the file, and no steps may wait on each other."""
        graph: dict[str, list[tuple[str, Node, str]]] = {key: [] for key in afters}
        for key, refs in afters.items():
            for value, node, path in refs:
                if value not in keys:
                    hint = _hint(value, sorted(keys))
                    self.problem(node, path, f"depends on unknown step {value!r}{hint}")
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


def _line(problem: Problem) -> int:
    """A problem's line, so problems are listed in file order."""
    match = re.search(r":(\d+)(?: |$)", problem.where)
    return int(match[1]) if match else 0


def _values(items: Iterable[tuple[str, Node, str]]) -> tuple[str, ...]:
    """Just the texts of a checked list."""
    return tuple(value for value, _, _ in items)


def _hint(value: str, known: Iterable[str]) -> str:
    """A 'did you mean' for a near miss, so a typo is found at a glance."""
    close = difflib.get_close_matches(value, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _show(node: Node) -> str:
    """A node as a user wrote it, for messages."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    value: Any = node.value
    if node.tag == _STR:
        return "empty text" if not str(value).strip() else repr(value)
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        return f"the number {value}"
    return str(value)
