"""The one place that decides which database, køreplan and sender a process uses."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine

from koereplan.definition import Definition
from koereplan.definition_file import load_definition
from koereplan.settings import Settings, get_settings
from models.db import make_engine, migrate
from notifications.apprise_sender import AppriseSender, Sender
from notifications.routing import load_routing


@dataclass(frozen=True)
class Runtime:
    """What flows, tasks and the CLI work with."""

    settings: Settings
    engine: Engine
    definition: Definition
    sender: Sender


@lru_cache(maxsize=1)
def get_runtime() -> Runtime:
    """Built once per process from the settings; the database is migrated to head first."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    migrate(engine)
    definition = load_definition(settings.definition)
    sender = AppriseSender(
        load_routing(settings.apprise_config),
        asylum_mail_url=settings.asylum_mail_url,
        read_timeout_s=settings.webhook_timeout_s,
    )
    return Runtime(settings=settings, engine=engine, definition=definition, sender=sender)


def use_settings(**env: str) -> None:
    """Switch this process to other settings (environment variables) and rebuild the runtime."""
    os.environ.update(env)
    get_settings.cache_clear()
    get_runtime.cache_clear()
