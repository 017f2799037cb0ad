"""The layers' walls, read from the source with `ast`: which package may import which.

The pure core knows no database, no Prefect and no other layer; tasks never import flows; the
entrypoints (cli, tasks, flows) leave SQL to services and models; and the core, models,
services, notifications and the unit tests never load Prefect, not even through another module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "koereplan",
    "settings",
    "models",
    "notifications",  # in layer order: services use notifications
    "services",
    "tasks",
    "flows",
    "serving",
    "cli",
    "devtools",
)

# What the pure core must never import.
CORE_FORBIDDEN = {
    "settings",
    "models",
    "services",
    "notifications",
    "tasks",
    "flows",
    "cli",
    "prefect",
    "sqlmodel",
    "sqlalchemy",
}

# Query building from sqlalchemy/sqlmodel: only services and models write SQL. Types
# (`Engine`, `Session`) and exceptions (`sqlalchemy.exc`) are not queries.
QUERY_NAMES = {
    "select",
    "insert",
    "update",
    "delete",
    "col",
    "func",
    "text",
    "and_",
    "or_",
    "not_",
    "case",
    "cast",
    "literal",
    "bindparam",
    "exists",
    "any_",
    "true",
    "false",
    "null",
    "join",
    "outerjoin",
    "union",
    "tuple_",
}

# Known breaches of the two contracts below: none since issue 11, item 1 landed. Keep them
# empty; a new breach fails the tests, and so does an entry that is no longer needed.
TASKS_IMPORTING_FLOWS: dict[str, set[str]] = {}
ENTRYPOINT_SQL: dict[str, set[str]] = {}

# Unit tests of the Prefect side itself (forms' schemas, deployments) live in tests/flows/.
PREFECT_FREE = ("koereplan", "settings", "models", "services", "notifications", "tests/unit")


@dataclass(frozen=True)
class Import:
    """One imported name: `module` is dotted, `name` the imported attribute (or None)."""

    module: str
    name: str | None
    line: int
    top_level: bool  # run at import time (not inside a function or `if TYPE_CHECKING`)


def source_files(folder: str) -> list[Path]:
    """Every Python file of a package or test folder, migrations' generated versions excluded."""
    return sorted(
        path
        for path in (ROOT / folder).rglob("*.py")
        if "migrations/versions" not in path.as_posix()
    )


def module_name(path: Path) -> str:
    """`services/monitor.py` → `services.monitor`; a package's `__init__` is the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, top_level: bool) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        lazy = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) or (
            isinstance(child, ast.If) and _is_type_checking(child)
        )
        inner = top_level and not lazy
        yield child, inner
        yield from _walk(child, inner)


@cache
def imports_of(path: Path) -> tuple[Import, ...]:
    """The imports a file makes, relative ones resolved against its package."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[Import] = []
    for node, top_level in _walk(ast.parse(path.read_text(), str(path)), True):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, None, node.lineno, top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *filter(None, [base])])
            found += [Import(base, alias.name, node.lineno, top_level) for alias in node.names]
    return tuple(found)


@cache
def file_of(module: str) -> Path | None:
    """The file of a first-party module, or None for anything else."""
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def targets(imported: Import) -> list[str]:
    """The modules an import loads: `from services import inbox` loads `services.inbox` too."""
    modules = [imported.module]
    if imported.name and file_of(f"{imported.module}.{imported.name}"):
        modules.append(f"{imported.module}.{imported.name}")
    return modules


def top(module: str) -> str:
    return module.split(".")[0]


def test_the_core_imports_no_other_layer_no_database_and_no_prefect() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{imported.line} imports {imported.module}"
        for path in source_files("koereplan")
        for imported in imports_of(path)
        if top(imported.module) in CORE_FORBIDDEN
    ]
    assert wrong == []


# Each package imports only the ones before it, lazily or not: the core at the bottom, the
# command line at the top; services never reach up into tasks, flows, the CLI or Prefect.
LAYERS = ("koereplan", "settings", "models", "notifications", "services", "tasks", "flows", "cli")


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    above = set(LAYERS[LAYERS.index(layer) + 1 :])
    if "tasks" in above:
        above.add("prefect")  # Prefect starts at the tasks: below them not even a lazy import
    wrong = [
        f"{path.relative_to(ROOT)}:{imported.line} imports {imported.module}"
        for path in source_files(layer)
        for imported in imports_of(path)
        if top(imported.module) in above
    ]
    assert wrong == []


def imports_between(folder: str, forbidden: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in source_files(folder):
        for imported in imports_of(path):
            if top(imported.module) == forbidden:
                found.setdefault(path.relative_to(ROOT).as_posix(), set()).add(imported.module)
    return found


def test_tasks_never_import_flows() -> None:
    assert imports_between("tasks", "flows") == TASKS_IMPORTING_FLOWS


def sql_in(folder: str) -> dict[str, set[str]]:
    """Query building the entrypoints of a folder import from sqlalchemy/sqlmodel."""
    found: dict[str, set[str]] = {}
    for path in source_files(folder):
        for imported in imports_of(path):
            if top(imported.module) not in {"sqlalchemy", "sqlmodel"}:
                continue
            name = imported.name
            is_query = (
                name is None  # `import sqlalchemy` leaves every query function a dot away
                or name in QUERY_NAMES
                or imported.module.startswith(("sqlalchemy.sql", "sqlmodel.sql"))
            )
            if is_query:
                where = path.relative_to(ROOT).as_posix()
                found.setdefault(where, set()).add(f"{imported.module}.{name or '*'}")
    return found


@pytest.mark.parametrize("folder", ["cli", "tasks", "flows"])
def test_entrypoints_leave_sql_to_services_and_models(folder: str) -> None:
    expected = {path: names for path, names in ENTRYPOINT_SQL.items() if path.startswith(folder)}
    assert sql_in(folder) == expected


def loads(path: Path) -> set[Path]:
    """The first-party files importing `path` runs at once (`a.b.c` runs `a`, `a.b`, `a.b.c`)."""
    files = set()
    for imported in imports_of(path):
        if imported.top_level:
            for module in targets(imported):
                parts = module.split(".")
                prefixes = (".".join(parts[:depth]) for depth in range(1, len(parts) + 1))
                files |= {file for file in map(file_of, prefixes) if file}
    return files


@cache
def prefect_chains() -> dict[Path, str]:
    """Every first-party file that loads Prefect when imported, with the chain that does it."""
    files = [path for folder in (*PACKAGES, "tests") for path in source_files(folder)]
    importers: dict[Path, set[Path]] = {}
    chains: dict[Path, str] = {}
    for path in files:
        for loaded in loads(path):
            importers.setdefault(loaded, set()).add(path)
        if any(
            imported.top_level and top(imported.module) == "prefect"
            for imported in imports_of(path)
        ):
            chains[path] = f"{path.relative_to(ROOT)} → prefect"
    queue = list(chains)
    while queue:
        loaded = queue.pop(0)
        for path in importers.get(loaded, set()) - chains.keys():
            chains[path] = f"{path.relative_to(ROOT)} → {chains[loaded]}"
            queue.append(path)
    return chains


@pytest.mark.parametrize("folder", PREFECT_FREE)
def test_prefect_stays_out_of_the_core_services_and_unit_tests(folder: str) -> None:
    chains = prefect_chains()
    assert [chains[path] for path in source_files(folder) if path in chains] == []
