"""`bench/fullpath.py N`: N households dropped into a running `koereplan serve`, to the end.

Usage: .venv/bin/python bench/fullpath.py N [--limit L] [--serve-arg ARG …] [--seed S]
       [--timeout S] [--keep] [--prefect-postgres] [--app-postgres]

Set-up (not timed): a fresh temp home (PREFECT_HOME, Køreplan SQLite, inbox), the embedded
default Prefect server (SubprocessASGIServer on SQLite, as `koereplan demo` uses), a webhook
sink for every department and an SMTP sink for the asylum centres, then
`.venv/bin/koereplan serve [--limit L] [ARG …]` as a subprocess; the clock waits until serve has
registered its deployments and its first scheduled intake is over. `--prefect-postgres`: the
Prefect server keeps its state in PostgreSQL (127.0.0.1:5432) instead of SQLite;
`--app-postgres`: so does Køreplan's own database (the production topology's databases).

Timed from the moment N seeded notices are in the inbox and one intake run is asked for
(`run_deployment("intake/intake", timeout=0)`; the 60 s schedule may add another, claims make
that harmless) until
  CASES      N cases exist in the Køreplan database,
  MESSAGES   every `case_created` outbox row is `sent` (every first message delivered),
  SUSPENDED  N reception runs are Suspended (state PAUSED, waiting for a coordinator).
The full path is done at the later of MESSAGES and SUSPENDED.

Printed: the three times, the reception runs per second after the first one suspended, an
extrapolation to 1,000 households at that rate (a straight line: say so when quoting it), the
per-run stages from the runs' state histories (median / p90 of waiting for a runner slot,
process start, run to suspension), the load before and after, and the machine's CPU use.
"""

from __future__ import annotations

import argparse
import shutil
import time

from _common import (
    count_runs,
    cpu_meter,
    describe,
    load_average,
    make_notices,
    private_env,
    runs_of,
    serve_subprocess,
    stage_times,
    stored_cases,
    surroundings,
    tree_rss_mib,
    unsent_first_messages,
    wait_until,
    write_notices,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--limit", type=int, help="koereplan serve --limit (default: its own)")
    parser.add_argument("--serve-arg", action="append", default=[], help="more serve arguments")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--keep", action="store_true", help="keep the temp home")
    parser.add_argument("--prefect-postgres", action="store_true", help="Prefect on PostgreSQL")
    parser.add_argument("--app-postgres", action="store_true", help="Køreplan on PostgreSQL")
    args = parser.parse_args()

    home = private_env("fullpath")
    print(f"home {home}  load {load_average()}", flush=True)
    serve_args = [*(["--limit", str(args.limit)] if args.limit else []), *args.serve_arg]
    databases = {"prefect_postgres": args.prefect_postgres, "app_postgres": args.app_postgres}
    with surroundings(home, **databases) as sink, serve_subprocess(sink, serve_args) as serve:
        from prefect.client.schemas.objects import StateType
        from prefect.deployments import run_deployment

        time.sleep(3)  # serve's first scheduled intake (an empty inbox) runs now

        write_notices(home / "inbox", make_notices(args.n, seed=args.seed))
        load_before = load_average()
        with cpu_meter() as cpu:
            t0 = time.monotonic()
            run_deployment("intake/intake", timeout=0, as_subflow=False)
            seen: dict[str, float] = {}
            first_paused: list[float] = []
            last = [-1]

            def progress() -> bool:
                now = time.monotonic() - t0
                if serve.poll() is not None:
                    raise RuntimeError(f"koereplan serve exited ({serve.returncode}): serve.log")
                if "cases" not in seen and stored_cases() >= args.n:
                    seen["cases"] = now
                if "cases" in seen and "messages" not in seen and not unsent_first_messages():
                    seen["messages"] = now
                paused = count_runs("reception", [StateType.PAUSED])
                if count_runs("reception", [StateType.FAILED, StateType.CRASHED]):
                    raise RuntimeError("reception runs failed or crashed: see serve.log")
                if paused and not first_paused:
                    first_paused.append(now)
                if paused != last[0]:
                    last[0] = paused
                    print(f"  {now:7.1f} s  {paused} suspended", flush=True)
                if paused >= args.n:
                    seen["suspended"] = now
                return {"cases", "messages", "suspended"} <= set(seen)

            wait_until(progress, args.timeout, 1.0, "the full path")
            busy = cpu.utilisation()
        load_after = load_average()
        rss, children = tree_rss_mib(serve.pid)
        runs = runs_of("reception")
        stages = stage_times([run.id for run in runs], "svar-0")

    done = max(seen["messages"], seen["suspended"])
    spread = seen["suspended"] - first_paused[0]
    rate = (args.n - 1) / spread if spread > 0 else float("nan")
    at_1000 = first_paused[0] + 999 / rate if rate == rate else float("nan")
    backends = (
        f"Prefect on {'PostgreSQL' if args.prefect_postgres else 'SQLite'}, "
        f"Køreplan on {'PostgreSQL' if args.app_postgres else 'SQLite'}"
    )
    print(f"\nFULL PATH  N={args.n}  serve {' '.join(serve_args) or '(defaults)'}  {backends}")
    print(f"  cases after {seen['cases']:.1f} s; first messages delivered after "
          f"{seen['messages']:.1f} s; all reception runs Suspended after "
          f"{seen['suspended']:.1f} s  → done after {done:.1f} s")  # fmt: skip
    print(f"  first run Suspended after {first_paused[0]:.1f} s; then {rate:.2f} runs/s")
    print(f"  extrapolated to 1,000 households at that rate (straight line): {at_1000:.0f} s")
    print(f"  per run: waiting for a runner slot {describe(stages['slot'])}")
    print(f"           process start (Pending→Running) {describe(stages['start'])}")
    print(f"           run to suspension (Running→Suspended) {describe(stages['to_suspended'])}")
    print(f"  load before {load_before}, after {load_after}; CPU during the clock {busy}")
    print(f"  serve's RSS at the end: {rss:.0f} MiB with {children} child processes")
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
