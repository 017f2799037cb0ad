"""The one place that decides which database, køreplan and sender a process uses."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine

from koereplan.definition import Definition
from koereplan.definition_file import load_definition
from models.db import make_engine, migrate
from notifications.apprise_sender import AppriseSender, Sender
from notifications.routing import load_routing
from settings import Settings, get_settings
from settings.production import require_production_ready


@dataclass(frozen=True)
class Runtime:
    """What flows, tasks and the CLI work with."""

    settings: Settings
    engine: Engine
    definition: Definition
    sender: Sender


@lru_cache(maxsize=1)
def get_runtime() -> Runtime:
    """Built once per process from the settings; the database is migrated to head first.

    Under `KOEREPLAN_ENV=production` the demo's defaults are refused before anything is
    touched (`UnsafeSettings`): every flow, serve and every command that opens the database
    comes through here.
    """
    settings = get_settings()
    require_production_ready(settings)
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
    """Switch this process to other settings (environment variables) and rebuild the runtime.

    Through the environment, not a Settings object, because the runner's flow-run processes
    inherit it.
    """
    os.environ.update(env)
    get_settings.cache_clear()
    get_runtime.cache_clear()
