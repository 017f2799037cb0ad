"""`KOEREPLAN_ENV=production`: refuse to start on the demo's defaults.

The defaults make `make demo` and a first try work on one machine: the example routing file
(every department to local sinks), an SMTP server on 127.0.0.1 and no Prefect UI address. A
municipality that forgets one of them would go live sending nothing to anyone, or messages
without a link, and find out from the departments. In production each is refused at start
(serve, intake, every command that opens the database, the flows' runtime), with the setting
named and what to do; check-config lists the same problems.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from koereplan.paths import EXAMPLE_ROUTING
from settings import Settings

PRODUCTION = "production"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class UnsafeSettings(RuntimeError):
    """Production settings that still point at the demo; each problem names its setting."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "KOEREPLAN_ENV=production refuses to start:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )


def production_problems(settings: Settings) -> list[str]:
    """What a production process must not start with; empty outside production."""
    if settings.env != PRODUCTION:
        return []
    problems: list[str] = []
    if _same_file(settings.apprise_config, EXAMPLE_ROUTING):
        problems.append(
            f"KOEREPLAN_APPRISE_CONFIG is the example routing file ({EXAMPLE_ROUTING.name}, "
            "local sinks only): set it to the municipality's own routing file "
            "(check it with `koereplan check-config`)"
        )
    host = _host(settings.asylum_mail_url)
    if host is not None and _is_loopback(host):
        problems.append(
            f"KOEREPLAN_ASYLUM_MAIL_URL sends through an SMTP server on this machine ({host}): "
            "set it to the municipality's SMTP server, "
            "e.g. mailtos://user:password@smtp.kommune.dk?from=koereplan@kommune.dk"
        )
    if not settings.prefect_ui_url:
        problems.append(
            "PREFECT_UI_URL is not set: set it to the address people open the Prefect UI at "
            "(the reverse proxy's https address), so every message links to the case's run"
        )
    return problems


def require_production_ready(settings: Settings) -> None:
    """Raise `UnsafeSettings` when production settings still point at the demo."""
    problems = production_problems(settings)
    if problems:
        raise UnsafeSettings(problems)


def _same_file(path: Path, other: Path) -> bool:
    try:
        return path.resolve() == other.resolve() or (path.exists() and path.samefile(other))
    except OSError:
        return False


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
