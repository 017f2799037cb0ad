"""`bench/workers.py N`: the production topology with 1, then 2 workers of a work pool.

Usage: .venv/bin/python bench/workers.py N [--workers 1 2] [--type process|koereplan]
       [--limit L] [--timeout S]

For each worker count, set up from nothing (not timed): a Prefect server keeping its state in
a fresh PostgreSQL database, Køreplan's database in another (127.0.0.1:5432), the webhook and
mail sinks, the work pool `koereplan` of the given type (`prefect work-pool create`), the
deployments of prefect.yaml (`prefect --no-prompt deploy --all`, KOEREPLAN_HOME = this
checkout) and that many `prefect worker start --pool koereplan --limit L` processes, each
with `PREFECT_WORKER_QUERY_SECONDS=2` and the same settings (the README's "Several workers").

Timed from the moment N seeded notices are in the shared inbox and one intake run is asked
for, until every first message (`case_created`) is sent and N reception runs are Suspended,
as in `fullpath.py`. `--type koereplan` is `serving/worker.py` (reception runs on the
workers' threads); `process` starts a Python process per run and per answer.

Printed per worker count: the time, runs per second after the first suspended, how many
reception runs each worker executed (from its log), the machine's CPU use during the clock
and the CPU seconds each part used (server, workers with their flow-run processes, the rest
of the machine), and the load. With two cores, compare the CPU use: a count that leaves no
idle CPU cannot show what a second machine would add; the per-worker figure is then
runs/s per CPU-second the workers used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from pathlib import Path

from _common import (
    REPO,
    count_runs,
    cpu_meter,
    deployments_ready,
    load_average,
    make_notices,
    private_env,
    stop_process,
    stored_cases,
    surroundings,
    unsent_first_messages,
    wait_until,
    write_notices,
)

PREFECT = str(REPO / ".venv/bin/prefect")


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its living descendants, and of its reaped
    children (psutil's children_user/children_system), so flow-run processes count too."""
    import psutil

    try:
        proc = psutil.Process(pid)
        times = proc.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in proc.children(recursive=True):
            try:
                t = child.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                continue
        return total
    except psutil.NoSuchProcess:
        return 0.0


def executed_by(log: Path) -> int:
    """Flow runs a worker took: its submissions less those another worker had already taken."""
    text = log.read_text(errors="replace")
    return text.count("submitting flow run") - text.count("Aborted submission")


def server_pid() -> int | None:
    """The local Prefect server's uvicorn process (started by `surroundings`)."""
    import psutil

    for proc in psutil.Process().children(recursive=True):
        try:
            if "prefect.server.api.server:create_app" in " ".join(proc.cmdline()):
                return proc.pid
        except psutil.NoSuchProcess:
            continue
    return None


def one_round(n: int, workers: int, kind: str, limit: int | None, timeout: float) -> Path:
    """Set up the topology with `workers` workers, drop N notices, time the full path."""
    import psutil

    home = private_env(f"workers{workers}")
    print(f"\n== {workers} worker(s), type {kind}; home {home}; load {load_average()}", flush=True)
    with surroundings(home, prefect_postgres=True, app_postgres=True) as sink:
        from prefect.client.schemas.objects import StateType
        from prefect.deployments import run_deployment

        from serving.limits import POLL_SECONDS, REQUEST_TIMEOUT_SECONDS, machine_run_limit

        env = {
            **os.environ,
            **sink.env,
            "PREFECT_API_URL": sink.api_url,
            "KOEREPLAN_HOME": str(REPO),
            "PREFECT_WORKER_QUERY_SECONDS": str(POLL_SECONDS),
            "PREFECT_API_REQUEST_TIMEOUT": str(REQUEST_TIMEOUT_SECONDS),
            "PREFECT_LOGGING_LEVEL": "INFO",  # the worker's "submitting flow run" lines
        }
        for command in (
            ["work-pool", "create", "koereplan", "--type", kind],
            ["--no-prompt", "deploy", "--all"],
        ):
            subprocess.run([PREFECT, *command], cwd=REPO, env=env, check=True, capture_output=True)
        wait_until(deployments_ready, 60, 0.5, "the deployments")
        limit = limit or machine_run_limit()
        procs, logs = [], []
        start = [PREFECT, "worker", "start", "--pool", "koereplan", "--type", kind]
        for i in range(workers):
            logs.append(home / f"worker-{i}.log")
            with logs[-1].open("ab") as log:
                procs.append(
                    subprocess.Popen(
                        [*start, "--limit", str(limit), "--name", f"worker-{i}"],
                        cwd=home,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        try:
            time.sleep(8)  # the workers register and poll; the first scheduled intake runs

            write_notices(home / "inbox", make_notices(n, seed=2026))
            load_before = load_average()
            server = server_pid()
            cpu_before = {
                "server": tree_cpu_seconds(server) if server else 0.0,
                "workers": sum(tree_cpu_seconds(p.pid) for p in procs),
            }
            machine_before = psutil.cpu_times()
            with cpu_meter() as cpu:
                t0 = time.monotonic()
                run_deployment("intake/intake", timeout=0, as_subflow=False)
                seen: dict[str, float] = {}
                first: list[float] = []

                def progress() -> bool:
                    now = time.monotonic() - t0
                    for proc in procs:
                        if proc.poll() is not None:
                            raise RuntimeError(f"a worker exited ({proc.returncode}): {home}")
                    if "cases" not in seen and stored_cases() >= n:
                        seen["cases"] = now
                    if "cases" in seen and "messages" not in seen and not unsent_first_messages():
                        seen["messages"] = now
                    paused = count_runs("reception", [StateType.PAUSED])
                    if count_runs("reception", [StateType.FAILED, StateType.CRASHED]):
                        raise RuntimeError(f"reception runs failed or crashed: {home}")
                    if paused and not first:
                        first.append(now)
                        print(f"  {now:7.1f} s  first suspended", flush=True)
                    if paused >= n:
                        seen["suspended"] = now
                    return {"cases", "messages", "suspended"} <= set(seen)

                wait_until(progress, timeout, 1.0, "the full path")
                busy = cpu.utilisation()
            machine = psutil.cpu_times()
            machine_cpu = sum(machine) - sum(machine_before)
            machine_cpu -= (machine.idle - machine_before.idle) + (
                machine.iowait - machine_before.iowait
            )
            used = {
                "server": (tree_cpu_seconds(server) if server else 0.0) - cpu_before["server"],
                "workers": sum(tree_cpu_seconds(p.pid) for p in procs) - cpu_before["workers"],
            }
            load_after = load_average()
        finally:
            for proc in procs:
                stop_process(proc)
        executed = [executed_by(log) for log in logs]
    done = max(seen["messages"], seen["suspended"])
    spread = seen["suspended"] - first[0]
    rate = (n - 1) / spread if spread > 0 else float("nan")
    rest = machine_cpu - used["server"] - used["workers"]
    print(f"WORKERS {workers} × `prefect worker start --type {kind} --limit {limit}`  N={n}")
    print(f"  cases after {seen['cases']:.1f} s; first messages sent after "
          f"{seen['messages']:.1f} s; all Suspended after {seen['suspended']:.1f} s "
          f"→ done after {done:.1f} s")  # fmt: skip
    print(f"  {rate:.2f} runs/s after the first suspended ({first[0]:.1f} s)")
    print(f"  flow runs each worker took (intake and receptions): {executed}")
    print(f"  CPU during the clock: {busy}; CPU seconds: server {used['server']:.0f}, "
          f"workers and their runs {used['workers']:.0f}, rest (PostgreSQL, sinks, this "
          f"script) {rest:.0f}")  # fmt: skip
    if used["workers"] > 0:
        print(f"  workers: {n / used['workers']:.2f} households per CPU-second of the workers")
    print(f"  load before {load_before}, after {load_after}")
    return home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--type", default="process", choices=["process", "koereplan"])
    parser.add_argument("--limit", type=int, help="each worker's --limit (default: run-limit)")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    homes = [one_round(args.n, w, args.type, args.limit, args.timeout) for w in args.workers]
    for home in homes:  # at the end: this process's Prefect settings still name the first
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
