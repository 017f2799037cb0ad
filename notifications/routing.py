"""Which Apprise URLs reach which department, read from Apprise's own YAML and checked at load."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from apprise import AppriseAsset
from apprise.config.base import ConfigBase
from apprise.manager_plugins import NotificationManager
from apprise.plugins.base import NotifyBase
from apprise.utils.cwe312 import cwe312_url
from apprise.utils.parse import GET_SCHEMA_RE

from notifications.logcapture import capture_apprise_log

TOP_LEVEL_KEYS = {"version", "tag", "tags", "urls", "asset"}
RETIRED_SCHEMES = {
    "msteams": "Teams is workflows:// in Apprise 1.x",
}


class RoutingError(ValueError):
    """The routing file cannot be trusted; each problem reads `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Route:
    """One notification service: its full URL (may hold secrets) and a loggable form."""

    url: str
    safe_url: str
    tags: frozenset[str]
    line: int


@dataclass(frozen=True)
class Routing:
    """The departments' addresses: Apprise tags are department keys."""

    source: str
    routes: tuple[Route, ...]

    def urls_for(self, department: str) -> list[str]:
        """Full URLs for one department, in file order and without duplicates."""
        return list(dict.fromkeys(r.url for r in self.routes if department in r.tags))

    def safe_urls_for(self, department: str) -> list[str]:
        """The same URLs with secrets masked, for logs and `check-config`."""
        return list(dict.fromkeys(r.safe_url for r in self.routes if department in r.tags))

    @property
    def tags(self) -> set[str]:
        """Every tag used by at least one URL."""
        return {tag for route in self.routes for tag in route.tags}


def load_routing(path: str | Path) -> Routing:
    """Read and validate a routing file (the runtime passes `KOEREPLAN_APPRISE_CONFIG`)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RoutingError([f"{name}: cannot read: {exc.strerror}"]) from None
    return parse_routing(text, name)


def parse_routing(text: str, name: str = "<routing>") -> Routing:
    """Validate Apprise YAML text, reporting every problem with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise RoutingError([f"{name}:{line}: invalid YAML: {exc.problem or exc}"]) from None
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        raise RoutingError([f"{name}:{line}: expected a mapping with `version: 1` and `urls:`"])

    problems: list[str] = []
    top = {key.value: (key, value) for key, value in root.value}
    for key_name, (key, _value) in top.items():
        if key_name not in TOP_LEVEL_KEYS:
            problems.append(f"{name}:{_line(key)}: unsupported key `{key_name}`")
    version = top.get("version")
    if version is not None and _construct(version[1]) != 1:
        problems.append(f"{name}:{_line(version[1])}: only `version: 1` is supported")

    header: dict[str, Any] = {"version": 1}
    for key_name in ("tag", "tags", "asset"):
        if key_name in top:
            header[key_name] = _construct(top[key_name][1])

    routes: list[Route] = []
    urls = top.get("urls")
    if urls is None:
        problems.append(f"{name}:1: no `urls:` list")
    elif not isinstance(urls[1], yaml.SequenceNode):
        problems.append(f"{name}:{_line(urls[1])}: `urls:` must be a list")
    else:
        for entry in urls[1].value:
            found, problem = _routes_of(entry, header)
            routes.extend(found)
            if problem:
                problems.append(f"{name}:{_line(entry)}: {problem}")
    if problems:
        raise RoutingError(problems)
    return Routing(source=name, routes=tuple(routes))


def missing_departments(
    routing: Routing, department_keys: Iterable[str], *, from_case: Iterable[str] = ()
) -> list[str]:
    """Departments nobody could reach; `from_case` ones (the asylum centre) need no route."""
    by_case = set(from_case)
    return [key for key in department_keys if key not in by_case and not routing.urls_for(key)]


def unused_tags(routing: Routing, department_keys: Iterable[str]) -> list[str]:
    """Tags that match no department: usually a typo in the routing file."""
    return sorted(routing.tags - set(department_keys))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _construct(node: yaml.Node) -> Any:
    """Turn one node back into plain Python values."""
    return yaml.SafeLoader("").construct_document(node)


def _url_of(value: Any) -> str | None:
    """The URL of one `urls:` entry: a string, or the schema-looking key of a mapping."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in value:
            if isinstance(key, str) and GET_SCHEMA_RE.match(key):
                return key
    return None


def _routes_of(entry: yaml.Node, header: dict[str, Any]) -> tuple[list[Route], str | None]:
    """Let Apprise parse one entry alone, so its own rules apply and the line stays known."""
    value = _construct(entry)
    url = _url_of(value)
    if url is None:
        return [], "entry is not a URL (expected `scheme://...`)"
    match = GET_SCHEMA_RE.match(url)
    if match is None:
        return [], f"not a URL: {cwe312_url(url)}"
    scheme = match.group("schema").lower()
    if scheme not in NotificationManager():
        hint = RETIRED_SCHEMES.get(scheme, "Apprise does not know this service")
        return [], f"unknown service `{scheme}://`: {hint}"
    document = yaml.safe_dump({**header, "urls": [value]}, allow_unicode=True)
    with capture_apprise_log() as log:
        parsed, _ = ConfigBase.config_parse_yaml(document, asset=AppriseAsset())
    servers = [server for server in parsed if isinstance(server, NotifyBase)]
    if not servers or log:
        detail = f" ({log[0]})" if log else ""
        return [], f"Apprise cannot use {cwe312_url(url)}{detail}"
    routes = [
        Route(
            url=server.url(),
            safe_url=server.url(privacy=True),
            tags=frozenset(str(tag) for tag in server.tags),
            line=_line(entry),
        )
        for server in servers
    ]
    if not any(route.tags for route in routes):
        return [], f"{routes[0].safe_url} has no tag: no department would receive it"
    return routes, None
