"""The overview flow on a real Prefect server: three kinds of artifacts, same keys every run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from devtools.sinks import WebhookSink
from flows.overview import overview
from services.intake import receive_file
from services.runtime import get_runtime
from settings import Settings, get_settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = ("Rami", "Haddad", "Lina", "1985-06-30")


@pytest.fixture
def own_database(
    koereplan_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A database of its own: cases made here must not wait for the session's intake."""
    monkeypatch.setenv("KOEREPLAN_DATABASE_URL", f"sqlite:///{tmp_path}/overview.db")
    get_settings.cache_clear()
    get_runtime.cache_clear()
    yield
    get_runtime().engine.dispose()
    monkeypatch.undo()
    get_settings.cache_clear()
    get_runtime.cache_clear()


def artifacts(keys: list[str]) -> dict[str, list[str]]:
    """Every stored version's markdown, per key, oldest first."""
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys))
        )
    versions: dict[str, list[str]] = {}
    for artifact in sorted(found, key=lambda a: a.created):  # type: ignore[arg-type, return-value]
        versions.setdefault(str(artifact.key), []).append(str(artifact.data))
    return versions


def test_the_overview_publishes_stable_keys_updated_in_place(own_database: None) -> None:
    runtime = get_runtime()
    raw = (EXAMPLES / "familie.json").read_bytes()
    ref = receive_file(
        runtime.engine, runtime.definition, Settings(), file_name="familie.json", raw=raw
    ).case_ref
    departments = sorted(k for k in runtime.definition.departments if k != "asylcenter")
    keys = ["oversigt", "lovfrister", *(f"afdeling-{k}" for k in departments)]

    first = overview(today=date(2026, 11, 23))
    second = overview(today=date(2026, 11, 24))

    assert first == second == {"artifacts": len(keys)}
    versions = artifacts(keys)
    assert sorted(versions) == sorted(keys)
    assert all(len(texts) == 2 for texts in versions.values())  # one per run, same key
    with get_client(sync_client=True) as client:
        latest = client.read_latest_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys))
        )
    assert sorted(str(a.key) for a in latest) == sorted(keys)  # the UI shows one per key
    oversigt = versions["oversigt"][-1]
    assert "# Oversigt 24. november 2026" in oversigt and ref in oversigt
    assert "data:image/svg+xml;base64," in versions["lovfrister"][-1]
    queue = versions["afdeling-socialcenter-integration"][-1]
    assert queue.startswith("# Socialcenter Integration") and ref in queue
    everything = "".join(text for texts in versions.values() for text in texts)
    assert not [name for name in NAMES if name in everything]


def test_the_monitor_sends_the_weekly_digest_once_even_when_run_twice_on_monday(
    own_database: None, webhooks: WebhookSink
) -> None:
    from flows.monitor import deadline_monitor

    runtime = get_runtime()
    raw = (EXAMPLES / "enlig-voksen.json").read_bytes()
    receive_file(runtime.engine, runtime.definition, Settings(), file_name="e.json", raw=raw)
    monday = date(2026, 11, 30)
    first = deadline_monitor(today=monday)
    second = deadline_monitor(today=monday)
    assert first["weekly_digests"] > 0 and second["weekly_digests"] == 0
    digests = [body for body in webhooks.requests if "Ugens overblik" in str(body)]
    assert 0 < len(digests) <= first["weekly_digests"]  # mail departments get theirs by mail
    assert "artifacts/key/afdeling-" in str(digests[0])
