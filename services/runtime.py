"""The one place that decides which database, køreplan and sender a process uses."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from koereplan.definition import Definition
from koereplan.definition_file import load_definition
from models.db import make_engine, migrate
from settings import Settings, get_settings
from settings.production import require_production_ready

if TYPE_CHECKING:
    from notifications.apprise_sender import Address, Sender
    from notifications.messages import RenderedMessage


@dataclass(frozen=True)
class Runtime:
    """What flows, tasks and the CLI work with."""

    settings: Settings
    engine: Engine
    definition: Definition
    sender: Sender


class LazySender:
    """A `Sender` that loads Apprise and the routing file the first time something is sent.

    A reception run's process builds the runtime every time, but sends only when its outbox
    holds something: Apprise's plug-ins and the routing file cost ~0.7 s of its life.
    """

    def __init__(self, build: Callable[[], Sender]) -> None:
        self._build = build
        self._sender: Sender | None = None
        self._lock = threading.Lock()

    def _get(self) -> Sender:
        with self._lock:
            if self._sender is None:
                self._sender = self._build()
            return self._sender

    def addresses(self, department: str, refs: Sequence[str] = ()) -> list[Address]:
        """The department's addresses (see `AppriseSender.addresses`)."""
        return self._get().addresses(department, refs)

    def deliver(self, address: Address, message: RenderedMessage, key: str | None = None) -> None:
        """One delivery (see `AppriseSender.deliver`)."""
        self._get().deliver(address, message, key)


def _apprise_sender(settings: Settings) -> Sender:
    from notifications.apprise_sender import AppriseSender
    from notifications.routing import load_routing

    return AppriseSender(
        load_routing(settings.apprise_config),
        asylum_mail_url=settings.asylum_mail_url,
        read_timeout_s=settings.webhook_timeout_s,
    )


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
    sender = LazySender(lambda: _apprise_sender(settings))
    return Runtime(settings=settings, engine=engine, definition=definition, sender=sender)


def use_settings(**env: str) -> None:
    """Switch this process to other settings (environment variables) and rebuild the runtime.

    Through the environment, not a Settings object, because the runner's flow-run processes
    inherit it.
    """
    os.environ.update(env)
    get_settings.cache_clear()
    get_runtime.cache_clear()
