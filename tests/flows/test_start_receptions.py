"""Starting a case's reception run while the Prefect server is busy: retried per case."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from prefect.exceptions import PrefectHTTPStatusError

import tasks.intake as intake
from services.runs import RunToStart

CASE = RunToStart(
    case_id=1, ref="KR-2026-0001", kind="familie", status="active", reception_number=1
)


def answer(status: int) -> PrefectHTTPStatusError:
    request = httpx.Request("POST", "http://prefect.test/api/deployments/x/create_flow_run")
    return PrefectHTTPStatusError(
        f"{status}", request=request, response=httpx.Response(status, request=request)
    )


def starts(monkeypatch: pytest.MonkeyPatch, *outcomes: Exception | None) -> list[dict[str, Any]]:
    """Make run_deployment give these outcomes in turn (None: a run); its calls are returned."""
    calls: list[dict[str, Any]] = []
    pending = list(outcomes)

    def run_deployment(name: str, **kwargs: Any) -> Any:
        calls.append(kwargs)
        outcome = pending.pop(0)
        if outcome is not None:
            raise outcome
        return SimpleNamespace(id="run-1")

    monkeypatch.setattr(intake, "run_deployment", run_deployment)
    monkeypatch.setattr(intake, "START_PAUSES", (0.0, 0.0, 0.0))
    return calls


def test_a_busy_server_is_asked_again_with_the_same_idempotency_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = starts(monkeypatch, answer(503), httpx.ConnectError("down"), None)
    assert intake.start_reception(CASE).id == "run-1"
    assert len(calls) == 3
    assert {c["idempotency_key"] for c in calls} == {"modtagelse-KR-2026-0001"}


def test_a_refusal_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = starts(monkeypatch, answer(422))
    with pytest.raises(PrefectHTTPStatusError):
        intake.start_reception(CASE)
    assert len(calls) == 1


def test_a_server_busy_for_longer_than_the_pauses_fails_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = starts(monkeypatch, *[answer(503)] * 4)
    with pytest.raises(PrefectHTTPStatusError):
        intake.start_reception(CASE)
    assert len(calls) == 4
