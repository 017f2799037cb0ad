"""Browser tests learn whether they failed, so their screenshots can be kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remember each phase's report on the test item (`rep_call`)."""
    outcome = yield
    setattr(item, f"rep_{call.when}", outcome.get_result())
