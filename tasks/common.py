"""The one task decorator: every Køreplan task runs each time it is called, never from a cache.

Tasks read and change the database, so a cached result would be yesterday's truth; Prefect's
default cache key (the inputs) would also try to hash engines and paths. One place says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import Task

P = ParamSpec("P")
R = TypeVar("R")


def koereplan_task(**options: Any) -> Callable[[Callable[P, R]], Task[P, R]]:
    """`@koereplan_task(**options)`: retries, run names and the like pass through."""

    return task(cache_policy=NO_CACHE, **options)  # type: ignore[no-any-return]
