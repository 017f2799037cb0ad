"""Fixtures for every test: fresh settings, the live stack, browser tests only when asked.

The database and the mail and HTTP sinks are tests/integration/conftest.py's, so unit tests
load no database driver.
"""

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from settings import get_settings

if TYPE_CHECKING:
    from tests.live import Stack


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are read once per process: each test reads the environment it set up anew."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator["Stack"]:
    """The README's coordinator's path running: Prefect server, receivers, `koereplan serve`."""
    from tests.live import live_stack

    with live_stack(tmp_path_factory.mktemp("live")) as stack:
        yield stack


# Fixtures that start a real Prefect server: tests using them carry the `prefect` marker, so
# `pytest -m "not prefect"` leaves them out.
PREFECT_SERVER_FIXTURES = {"prefect_server", "live", "server_with_auth"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that start a Prefect server; browser tests run in CI or when asked.

    Browser tests need CI=true or KOEREPLAN_BROWSER_TESTS=1.
    """
    for item in items:
        if PREFECT_SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.prefect)
    if os.environ.get("CI") == "true" or os.environ.get("KOEREPLAN_BROWSER_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="browser test: set CI=true or KOEREPLAN_BROWSER_TESTS=1")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
