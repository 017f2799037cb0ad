"""Reading a YAML file an administrator wrote: every problem at once, each at its line and path.

The file is composed to nodes (not loaded to values), so a problem can name the line
(`config/koereplan.aalborg.yaml:118 steps[12].responsible`) and an admin fixes the whole file in
one go. What the fields mean is the caller's; this module knows shapes only.
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

from koereplan.problems import Problem

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
STR_TAG = "tag:yaml.org,2002:str"
BOOL_TAG = "tag:yaml.org,2002:bool"


def compose_file(path: Path) -> tuple[Node | None, list[Problem]]:
    """The root node (None when empty), or the problem that stops reading: missing, bad YAML."""
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
    return root, []


@dataclass
class NodeReader:
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
            self.problem(node, path, f"{what} must be a mapping of fields, got {show(node)}")
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
            self.problem(node, path, f"{what} must be a list, got {show(node)}")
            return None
        return list(node.value)

    def text(self, node: Node | None, path: str, hint: str = "") -> str | None:
        """A non-empty text value; reports numbers, booleans, lists and blanks."""
        if node is None:
            return None
        if not isinstance(node, ScalarNode) or node.tag != STR_TAG or not str(node.value).strip():
            self.problem(node, path, f"must be text, got {show(node)}{hint}")
            return None
        return str(node.value)

    def key(self, node: Node | None, path: str) -> str | None:
        """A key: lowercase letters, digits, `_` and `-`, as used in tags, URLs and the database."""
        value = self.text(node, path)
        if value is not None and node is not None and not KEY_RE.match(value):
            self.problem(
                node, path, f"bad key {value!r}: use lowercase letters, digits, '_' and '-'"
            )
            return None
        return value

    def flag(self, node: Node | None, path: str, default: bool) -> bool | None:
        """A true/false value, `default` when absent."""
        if node is None:
            return default
        if not isinstance(node, ScalarNode) or node.tag != BOOL_TAG:
            self.problem(node, path, f"must be true or false, got {show(node)}")
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

    def choice(self, node: Node | None, path: str, known: list[str], what: str) -> str | None:
        """A value from a fixed list; the problem lists what is allowed."""
        value = self.text(node, path)
        if value is None or node is None:
            return None
        if value not in known:
            self.problem(node, path, f"unknown {what} {value!r} (known: {', '.join(known)})")
            return None
        return value


def line_of(problem: Problem) -> int:
    """A problem's line, so problems are listed in file order."""
    match = re.search(r":(\d+)(?: |$)", problem.where)
    return int(match[1]) if match else 0


def values(items: Iterable[tuple[str, Node, str]]) -> tuple[str, ...]:
    """Just the texts of a checked list."""
    return tuple(value for value, _, _ in items)


def hint(value: str, known: Iterable[str]) -> str:
    """A 'did you mean' for a near miss, so a typo is found at a glance."""
    close = difflib.get_close_matches(value, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def show(node: Node) -> str:
    """A node as a user wrote it, for messages."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    value: Any = node.value
    if node.tag == STR_TAG:
        return "empty text" if not str(value).strip() else repr(value)
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        return f"the number {value}"
    return str(value)
