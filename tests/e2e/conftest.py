"""A real Prefect server (one per session), a runner thread, and a fresh Køreplan per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.runner import Runner
from prefect.testing.utilities import prefect_test_harness

from devtools.sinks import MailSink, WebhookSink, mail_sink, routing_to, webhook_sink
from koereplan.definition_file import load_definition
from koereplan.paths import CONFIG_DIR
from services.runtime import get_runtime
from settings import get_settings

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One Prefect test server for the whole session."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(scope="session")
def webhooks() -> Iterator[WebhookSink]:
    """Every department's webhook, on one real local HTTP server."""
    with webhook_sink() as sink:
        yield sink


@pytest.fixture(scope="session")
def mailbox() -> Iterator[MailSink]:
    """The asylum centres' mail, on one real local SMTP server."""
    with mail_sink() as sink:
        yield sink


@pytest.fixture(scope="session")
def koereplan_env(
    tmp_path_factory: pytest.TempPathFactory,
    prefect_server: None,
    webhooks: WebhookSink,
    mailbox: MailSink,
) -> Iterator[Path]:
    """Settings for the runner's subprocesses: one database, inbox and routing for the session."""
    home = tmp_path_factory.mktemp("koereplan")
    routing = home / "apprise.yaml"
    routing.write_text(routing_to(webhooks, load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")))
    env = {
        "KOEREPLAN_DATABASE_URL": f"sqlite:///{home}/koereplan.db",
        "KOEREPLAN_INBOX": str(home / "inbox"),
        "KOEREPLAN_INBOX_SETTLE_SECONDS": "0",  # tests write a notice and take it at once
        "KOEREPLAN_DOCUMENTS_DIR": str(home / "documents"),
        "KOEREPLAN_APPRISE_CONFIG": str(routing),
        "KOEREPLAN_ASYLUM_MAIL_URL": mailbox.base_url,
        "PREFECT_UI_URL": "http://127.0.0.1:4200",
    }
    old = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    get_settings.cache_clear()
    get_runtime.cache_clear()
    yield home
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()
    get_runtime.cache_clear()


@pytest.fixture(scope="session")
def runner(koereplan_env: Path) -> Iterator[Runner]:
    """Serves intake and reception in a background thread, polling twice a second."""
    from devtools.local_prefect import runner_in_thread

    # At most 8 runs execute at once: the test server's SQLite stays responsive on 2 cores.
    with runner_in_thread(poll_seconds=0.5, limit=8) as running:
        yield running
