"""`bench/floor.py N`: the product beside Prefect's own floor, through the same runner.

Usage: .venv/bin/python bench/floor.py N [--limit L] [--seed S] [--keep] [--in-process]
       [--prefect-postgres]

Set-up (not timed): a fresh temp home, the embedded default Prefect server, the sinks, N cases
made by one in-process intake (`start=False`), and one runner in this process
(`devtools.local_prefect.runner_in_thread`: the product's deployments plus the floor's,
`koereplan serve`'s poll interval and run limit, or `--limit`). Its flow runs are processes,
as under `koereplan serve --process`; with `--in-process`, both the floor's and the product's
runs execute on the runner's threads, as under `koereplan serve` (`serving.inprocess`).
`--prefect-postgres`: the Prefect server keeps its state in PostgreSQL, not SQLite.

FLOOR (timed first, so the product pays for any growth of the server's database): N runs of
`bench/floor_flow.py:floor` (start, one task, suspend, resume once, complete) created at once
with `run_deployment(timeout=0)`; the clock stops when all N are Suspended (FIRST), then every
run is resumed (the UI's call) and the clock stops when all N are Completed (ANSWER).
PRODUCT: the same for the N cases' reception runs: created, all Suspended (FIRST; the run
links itself, sends the "Ny sag" messages intake queued, publishes the checklist, tags itself,
waits), then each resumed with an answer that marks nothing (the form's "(intet trin …)")
and all Suspended again under `svar-1` (ANSWER: the answer applied, the checklist redrawn).

Printed: the four times, per household and as RATIO = product / floor per leg and in total
(issue: ≤ 1.3), the load before and after and the machine's CPU use.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from _common import (
    REPO,
    cpu_meter,
    load_average,
    make_notices,
    private_env,
    resume_like_the_ui,
    runs_of,
    surroundings,
    wait_until,
    write_notices,
)


def _all(deployment: str, n: int, test: Callable[[Any], bool]) -> Callable[[], bool]:
    def check() -> bool:
        runs = runs_of(deployment)
        bad = [r for r in runs if r.state and r.state.type.value in ("FAILED", "CRASHED")]
        if bad:
            raise RuntimeError(f"{len(bad)} {deployment} runs failed: {bad[0].state.message}")
        return sum(1 for r in runs if r.state and test(r.state)) >= n

    return check


def _paused(key: str) -> Callable[[Any], bool]:
    return lambda s: s.type.value == "PAUSED" and s.state_details.pause_key == key


def _leg(n: int, start: Callable[[], list[Any]], deployment: str, key: str,
         resume_input: dict[str, Any] | None, api_url: str, done: Callable[[Any], bool]
         ) -> tuple[float, float]:  # fmt: skip
    t0 = time.monotonic()
    run_ids = start()
    wait_until(_all(deployment, n, _paused(key)), 3600, 1.0, f"{deployment} suspended")
    first = time.monotonic() - t0
    t1 = time.monotonic()
    for run_id in run_ids:
        resume_like_the_ui(api_url, run_id, resume_input)
    wait_until(_all(deployment, n, done), 3600, 1.0, f"{deployment} after the resume")
    return first, time.monotonic() - t1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--limit", type=int, help="runs at once (default: koereplan serve's)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--in-process", action="store_true", help="runs on the runner's threads")
    parser.add_argument("--prefect-postgres", action="store_true", help="Prefect on PostgreSQL")
    args = parser.parse_args()

    home = private_env("floor")
    print(f"home {home}  load {load_average()}", flush=True)
    with surroundings(home, prefect_postgres=args.prefect_postgres) as sink:
        from floor_flow import floor
        from prefect.deployments import run_deployment

        from devtools.local_prefect import runner_in_thread
        from flows.intake import intake
        from koereplan.answers import NO_STEP
        from serving.limits import POLL_SECONDS, machine_run_limit

        write_notices(home / "inbox", make_notices(args.n, seed=args.seed))
        intake(start=False)
        os.chdir(REPO)  # entrypoints are relative to the working directory, as under serve
        limit = args.limit or machine_run_limit()
        extra = [floor.to_deployment(name="floor")]
        refs = [f"KR-{datetime.now().year}-{i:04d}" for i in range(1, args.n + 1)]

        def start(name: str, params: list[dict[str, Any]]) -> Callable[[], list[Any]]:
            return lambda: [
                run_deployment(name, parameters=p, timeout=0, as_subflow=False).id  # type: ignore[union-attr]
                for p in params
            ]

        if args.in_process:
            from devtools.local_prefect import running
            from flows.reception import reception
            from serving.inprocess import InProcessRunner
            from serving.serve import deployments

            threads = InProcessRunner(
                in_process={"reception": reception, "floor": floor},
                name="floor-bench",
                query_seconds=POLL_SECONDS,
                limit=limit,
            )
            for deployment in [*deployments(schedules=False), *extra]:
                threads.add_deployment(deployment)
            runner = running(threads)
        else:
            runner = runner_in_thread(POLL_SECONDS, limit, extra)
        load_before = load_average()
        with runner, cpu_meter() as cpu:
            floor_times = _leg(
                args.n, start("floor/floor", [{"n": i} for i in range(args.n)]), "floor",
                "svar-0", None, sink.api_url, lambda s: s.type.value == "COMPLETED",
            )  # fmt: skip
            print(f"  floor: {floor_times[0]:.1f} s to Suspended, {floor_times[1]:.1f} s to "
                  f"Completed  (load {load_average()})", flush=True)  # fmt: skip
            answer = {"trin": NO_STEP, "handling": "udført", "initialer": "BM"}
            product_times = _leg(
                args.n, start("reception/reception", [{"case_ref": r} for r in refs]),
                "reception", "svar-0", answer, sink.api_url, _paused("svar-1"),
            )  # fmt: skip
            busy = cpu.utilisation()
    n = args.n
    how = "on the runner's threads" if args.in_process else "a process each"
    how += ", Prefect on PostgreSQL" if args.prefect_postgres else ", Prefect on SQLite"
    print(f"\nFLOOR vs PRODUCT  N={n}, one runner, limit {limit}, poll {POLL_SECONDS} s, {how}")
    for label, f, p in (
        ("start → Suspended", floor_times[0], product_times[0]),
        ("resume → done", floor_times[1], product_times[1]),
        ("total", sum(floor_times), sum(product_times)),
    ):
        print(f"  {label:18s} floor {f:7.1f} s ({f / n:.2f} s/household)   product "
              f"{p:7.1f} s ({p / n:.2f} s/household)   RATIO {p / f:.2f}")  # fmt: skip
    print(f"  load before {load_before}, after {load_average()}; CPU during the clock {busy}")
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
