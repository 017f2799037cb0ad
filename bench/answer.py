"""`bench/answer.py`: a coordinator's answer, from Submit to the checklist showing it.

Usage: .venv/bin/python bench/answer.py [--answers K] [--households H] [--limit L]
       [--serve-arg ARG …] [--keep]

Set-up (not timed): a fresh temp home, the embedded default Prefect server, the sinks, and
`koereplan serve` as a subprocess (as `bench/fullpath.py`); H households (default 4) go through
intake and their reception runs are Suspended.

Timed, K times (default 20), one answer at a time, round robin over the households: the call
the UI's Resume form makes (`POST /flow_runs/{id}/resume` with the first step the form offers
marked "udført" with initials; the step is read from the form's saved schema), until the run
is Suspended again under the next key (`svar-<n+1>`) and its checklist artifact has changed.
Printed: p50/p90/max of that, and from the state history the split into pick-up (resume →
Running: serve's poll and, with process runs, the process start) and the run's own work
(Running → Suspended); the load before and after and the machine's CPU use. Target (issue):
p50 ≤ 3 s on an idle machine.
"""

from __future__ import annotations

import argparse
import shutil
import time
from typing import Any
from uuid import UUID

from _common import (
    count_runs,
    cpu_meter,
    describe,
    load_average,
    make_notices,
    private_env,
    resume_like_the_ui,
    runs_of,
    serve_subprocess,
    surroundings,
    wait_until,
    write_notices,
)


def _checklist(client: Any, run_id: UUID) -> tuple[str, str]:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    found = client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
    )
    return (found[0].data, found[0].description) if found else ("", "")


def _first_step(run_id: UUID, key: str) -> str:
    """The first step the waiting form offers (its drop-down, from the saved schema)."""
    from prefect.input.actions import read_flow_run_input

    schema = read_flow_run_input(f"suspended-{key}-schema", run_id)
    return str(schema["properties"]["trin"]["enum"][1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--households", type=int, default=4)
    parser.add_argument("--limit", type=int, help="koereplan serve --limit (default: its own)")
    parser.add_argument("--serve-arg", action="append", default=[], help="more serve arguments")
    parser.add_argument("--keep", action="store_true", help="keep the temp home")
    args = parser.parse_args()

    home = private_env("answer")
    print(f"home {home}  load {load_average()}", flush=True)
    serve_args = [*(["--limit", str(args.limit)] if args.limit else []), *args.serve_arg]
    with surroundings(home) as sink, serve_subprocess(sink, serve_args) as serve:
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.objects import StateType
        from prefect.deployments import run_deployment

        # families: enough open steps for every answer (seed 7 starts with families)
        write_notices(home / "inbox", make_notices(args.households, seed=7))
        run_deployment("intake/intake", timeout=0, as_subflow=False)
        wait_until(
            lambda: count_runs("reception", [StateType.PAUSED]) >= args.households,
            900,
            1.0,
            "the households' runs suspended",
        )
        runs = [run.id for run in runs_of("reception")]
        answered = dict.fromkeys(runs, 0)
        totals: list[float] = []
        pickup: list[float] = []
        work: list[float] = []
        load_before = load_average()
        with cpu_meter() as cpu, get_client(sync_client=True) as client:
            for i in range(args.answers):
                run_id = runs[i % len(runs)]
                key, next_key = f"svar-{answered[run_id]}", f"svar-{answered[run_id] + 1}"
                before = _checklist(client, run_id)
                answer = {"trin": _first_step(run_id, key), "handling": "udført", "initialer": "BM"}
                t0 = time.monotonic()
                resume_like_the_ui(sink.api_url, run_id, answer)

                def shown(
                    run_id: UUID = run_id, next_key: str = next_key, before: Any = before
                ) -> bool:
                    if serve.poll() is not None:
                        raise RuntimeError("koereplan serve exited: see serve.log")
                    state = client.read_flow_run(run_id).state
                    if state is not None and state.type.value in ("FAILED", "CRASHED"):
                        raise RuntimeError(f"the run {state.type.value}: see serve.log")
                    return bool(
                        state
                        and state.type.value == "PAUSED"
                        and state.state_details.pause_key == next_key
                        and _checklist(client, run_id) != before
                    )

                wait_until(shown, 300, 0.05, "the answer shown")
                totals.append(time.monotonic() - t0)
                answered[run_id] += 1
                states = sorted(client.read_flow_run_states(run_id), key=lambda s: s.timestamp)
                running = [s for s in states if s.type.value == "RUNNING"][-1]
                paused = states[-1]
                resumed = [s for s in states if s.timestamp < running.timestamp][-1]
                pickup.append((running.timestamp - resumed.timestamp).total_seconds())
                work.append((paused.timestamp - running.timestamp).total_seconds())
                print(f"  answer {i + 1:2d}: {totals[-1]:.2f} s", flush=True)
            busy = cpu.utilisation()
    print(f"\nANSWER ({args.answers} answers over {len(runs)} households, serve "
          f"{' '.join(serve_args) or '(defaults)'})")  # fmt: skip
    print(f"  resume → Suspended again with the checklist changed: {describe(totals)}")
    print(f"  pick-up (resume → Running; poll, process start): {describe(pickup)}")
    print(f"  the run's work (Running → Suspended): {describe(work)}")
    print(f"  load before {load_before}, after {load_average()}; CPU during the clock {busy}")
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
