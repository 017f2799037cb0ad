"""`bench/profile_reception.py`: where a reception run's process spends its time.

Usage: .venv/bin/python bench/profile_reception.py [--samples K] [--top T]

Set-up (not timed): a fresh temp home, a local Prefect server, sinks, 2*K cases made by one
in-process intake (`start=False`), the `reception` deployment applied, one run per case
created with `run_deployment(timeout=0)`.

Each flow-run process is started by hand exactly as a runner or process worker starts it:
`python -m prefect.engine` with PREFECT__FLOW_RUN_ID, cwd the temp home. Two phases, each
K times per mode:
  FIRST   spawn → Running → Suspended (svar-0) → process exit
  ANSWER  a UI-style resume (POST /flow_runs/{id}/resume with an answer), then the process
          again: spawn → Running → answer applied → Suspended (svar-1) → exit
Modes, interleaved sample by sample: PLAIN (wall and CPU from os.wait4, state times from
the run's state history) and PROFILED (`-X importtime` and cProfile of the main thread).

Printed per phase: medians of spawn→Running, Running→Suspended, Suspended→exit, child CPU;
then, from the profiled runs, the import self-time by package group (prefect, ours, sqlalchemy,
apprise, …) and the cumulative time of: the runtime (settings, engine, migrate, køreplan,
routing), dispatch, artifact creation, the flow's API calls (count and time), database
statements, the suspend call. Python's own start (`python -c pass`) is timed beside it.
Every figure is printed with the load average and this machine's CPU utilisation.
"""

from __future__ import annotations

import argparse
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import (
    REPO,
    cpu_meter,
    load_average,
    make_notices,
    private_env,
    resume_like_the_ui,
    surroundings,
    write_notices,
)

OURS = ("koereplan", "models", "services", "notifications", "tasks", "flows", "cli", "templates")
GROUPS = ("prefect", "sqlalchemy", "sqlmodel", "pydantic", "apprise", "jinja2", "babel",
          "alembic", "typer", "rich", "httpx", "holidays", "yaml", "psycopg", "opentelemetry",
          "anyio", "fastapi", "starlette")  # fmt: skip
# (label, regex over "file:line(function)" of cProfile entries); cumulative time of the first
# matching entry with the largest cumulative time.
CUMULATIVE = (
    ("runtime (settings, engine, migrate, køreplan)", r"services/runtime\.py.*get_runtime"),
    ("routing (Apprise plug-ins)", r"notifications/routing\.py.*\(load_routing\)"),
    ("  of which migrate", r"models/db\.py.*\(migrate\)"),
    ("dispatch (outbox → Apprise)", r"services/dispatch\.py.*\(dispatch\)"),
    ("checklist snapshot", r"services/checklist\.py.*\(snapshot\)"),
    ("artifact create", r"prefect/artifacts\.py.*\(create_table_artifact\)"),
    ("one turn (task body)", r"tasks/reception\.py.*\(take_turn\)"),
    ("apply answer (task body)", r"tasks/casework\.py.*\(apply_answer\)"),
    ("suspend_flow_run", r"prefect/flow_runs\.py.*\(suspend_flow_run\)"),
    ("load flow from entrypoint", r"prefect/flows\.py.*\(load_flow_from_flow_run\)"),
    ("API calls (sync httpx send)", r"httpx/_client\.py.*\(send\)"),
    ("DB statements (SQLAlchemy execute)", r"sqlalchemy/engine/base\.py.*\(_execute_context\)"),
)  # fmt: skip


COLUMNS = ("spawn→running", "running→suspended", "suspended→exit", "wall", "cpu", "peak MiB")


def _python_start() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def _spawn(run_id: str, env: dict[str, str], cwd: Path, profile: Path | None) -> dict[str, Any]:
    """One flow-run process, as a runner starts it; wall, CPU and its stderr."""
    cmd = [sys.executable]
    if profile is not None and profile.suffix == ".pyspy":
        spy = Path(sys.executable).with_name("py-spy")
        cmd = [str(spy), "record", "--idle", "--threads", "--format", "raw", "-r", "100",
               "-o", str(profile), "--", sys.executable]  # fmt: skip
    elif profile is not None:
        cmd += ["-X", "importtime", "-m", "cProfile", "-o", str(profile)]
    cmd += ["-m", "prefect.engine"]
    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env={**env, "PREFECT__FLOW_RUN_ID": run_id}, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if proc.returncode:
        raise RuntimeError(f"flow-run process exited {proc.returncode}:\n{stderr[-3000:]}")
    return {
        "started_at": started_at,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
        "stderr": stderr,
    }


def _states(run_id: str) -> list[Any]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return sorted(client.read_flow_run_states(run_id), key=lambda s: s.timestamp)


def _phase_times(run_id: str, spawned: dict[str, Any], key: str) -> dict[str, float]:
    """spawn→Running, Running→Suspended(key), Suspended→exit, from the state history."""
    start = spawned["started_at"]
    states = [s for s in _states(run_id) if s.timestamp >= start]
    running = next(s.timestamp for s in states if s.type.value == "RUNNING")
    paused = next(
        s.timestamp for s in states if s.type.value == "PAUSED" and s.state_details.pause_key == key
    )
    to_running = (running - start).total_seconds()
    to_paused = (paused - running).total_seconds()
    return {
        "spawn→running": to_running,
        "running→suspended": to_paused,
        "suspended→exit": spawned["wall"] - to_running - to_paused,
        "wall": spawned["wall"],
        "cpu": spawned["cpu"],
        "peak MiB": spawned["rss"],
    }


def _import_groups(stderr: str) -> dict[str, float]:
    """Import self-time (s) by package group, from `-X importtime` output."""
    groups: dict[str, float] = defaultdict(float)
    for match in re.finditer(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", stderr):
        top = match[2].split(".")[0]
        group = "ours" if top in OURS else top if top in GROUPS else "other"
        groups[group] += int(match[1]) / 1e6
    return dict(groups)


def _cumulative(profile: Path) -> dict[str, tuple[int, float]]:
    """(calls, cumulative seconds) of the functions in CUMULATIVE, from one cProfile file."""
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    found: dict[str, tuple[int, float]] = {}
    for label, pattern in CUMULATIVE:
        best = (0, 0.0)
        for (path, line, name), (_, ncalls, _, cumulative, _) in stats.items():
            if re.search(pattern, f"{path}:{line}({name})") and cumulative > best[1]:
                best = (ncalls, cumulative)
        found[label] = best
    found["total (main thread)"] = (0, max(v[3] for v in stats.values()))
    return found


def _print_spy(path: Path, top: int = 25) -> None:
    """Wall-clock samples (idle included) by thread and innermost library/our frame."""
    counts: dict[str, int] = defaultdict(int)
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        thread = frames[0][:40]
        shutdown = any("_shutdown" in f or "atexit" in f for f in frames)
        mine = [f for f in frames if "site-packages" in f or "/work/" in f]
        leaf = " <- ".join(f.split(" (")[0] for f in reversed(mine[-3:])) or frames[-1][:60]
        counts[f"{thread} {'[exit] ' if shutdown else ''}{leaf}"] += int(count)
        total += int(count)
    print(f"py-spy: {total} samples at 100 Hz (all threads, idle included)")
    for key, count in sorted(counts.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {count / 100:6.2f} s  {key[:160]}")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--samples", type=int, default=3, help="samples per phase and mode")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--py-spy", action="store_true", help="one more FIRST run under py-spy")
    parser.add_argument(
        "--before", type=Path, help="another checkout (git archive main): its runs interleaved"
    )
    args = parser.parse_args()
    modes = [("plain", REPO, False), ("profiled", REPO, True)]
    if args.before:
        modes.append(("before", args.before.resolve(), False))

    home = private_env("profile")
    print(f"home {home}  load {load_average()}", flush=True)
    with surroundings(home) as sink, cpu_meter() as cpu:
        from prefect.deployments import run_deployment

        from flows.intake import intake
        from flows.reception import reception
        from koereplan.answers import NO_STEP

        n = len(modes) * args.samples + (1 if args.py_spy else 0)
        write_notices(home / "inbox", make_notices(n, seed=13))
        intake(start=False)
        os.chdir(REPO)  # entrypoints are relative to the working directory, as under serve
        reception.to_deployment(name="reception").apply()
        runs = [
            str(run_deployment("reception/reception", parameters={"case_ref": ref},
                               timeout=0, as_subflow=False).id)  # type: ignore[union-attr]
            for ref in (f"KR-{datetime.now().year}-{i:04d}" for i in range(1, n + 1))
        ]  # fmt: skip
        env = {**os.environ, **sink.env, "PREFECT_API_URL": sink.api_url}
        starts = [_python_start() for _ in range(3)]
        profiles = Path(home / "profiles")
        profiles.mkdir()
        results: dict[tuple[str, str], list[dict[str, float]]] = defaultdict(list)
        imports: dict[str, list[dict[str, float]]] = defaultdict(list)
        cumul: dict[str, list[dict[str, tuple[int, float]]]] = defaultdict(list)
        resumes: list[float] = []
        for phase, key in (("FIRST", "svar-0"), ("ANSWER", "svar-1")):
            for i in range(args.samples):
                for m, (mode, code, profiled) in enumerate(modes):
                    run_id = runs[len(modes) * i + m]
                    if phase == "ANSWER":
                        answer = {"trin": NO_STEP, "handling": "udført", "initialer": "BM"}
                        resumes.append(resume_like_the_ui(sink.api_url, run_id, answer))
                    prof = profiles / f"{phase}-{i}.prof" if profiled else None
                    spawned = _spawn(run_id, {**env, "PYTHONPATH": str(code)}, code, prof)
                    results[(phase, mode)].append(_phase_times(run_id, spawned, key))
                    if prof is not None:
                        imports[phase].append(_import_groups(spawned["stderr"]))
                        cumul[phase].append(_cumulative(prof))
        if args.py_spy:
            spied = _spawn(runs[-1], {**env, "PYTHONPATH": str(REPO)}, REPO, profiles / "f.pyspy")
            print(f"py-spy FIRST run: {_phase_times(runs[-1], spied, 'svar-0')}")
            _print_spy(profiles / "f.pyspy")
        busy = cpu.utilisation()

    print(f"\nPython start (python -c pass): median {_median(starts):.3f} s")
    print(f"resume call (UI's POST …/resume) median {_median(resumes):.3f} s")
    for phase in ("FIRST", "ANSWER"):
        print(f"\n== {phase} ({args.samples} samples per mode; medians, seconds)")
        for mode, _, _ in modes:
            rows = results[(phase, mode)]
            cells = "  ".join(f"{k} {_median([r[k] for r in rows]):.2f}" for k in COLUMNS)
            print(f"  {mode:9s} {cells}")
        groups = imports[phase]
        total = sum(_median([g.get(k, 0.0) for g in groups]) for k in {*groups[0]})
        print(f"  imports (self time, profiled run; total {total:.2f} s):")
        for name in sorted(groups[0], key=lambda k: -_median([g.get(k, 0.0) for g in groups])):
            value = _median([g.get(name, 0.0) for g in groups])
            if value >= 0.01:
                print(f"    {name:14s} {value:6.2f} s  {100 * value / total:4.0f} %")
        print("  cumulative (cProfile, main thread; calls, seconds):")
        for label in [label for label, _ in CUMULATIVE] + ["total (main thread)"]:
            calls = _median([c[label][0] for c in cumul[phase]])
            secs = _median([c[label][1] for c in cumul[phase]])
            print(f"    {label:55s} {calls:5.0f}  {secs:6.2f}")
    print(f"\nload {load_average()}  CPU utilisation during the run {busy}", flush=True)
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
