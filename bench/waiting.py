"""`bench/waiting.py N`: the RSS of `koereplan serve` with N reception runs waiting (default 50).

Usage: .venv/bin/python bench/waiting.py [N] [--seed S] [--timeout S] [--limit L]

Set-up: a fresh temp home (PREFECT_HOME, Køreplan SQLite, inbox), a local Prefect server
(SubprocessASGIServer), a webhook sink for every department and an SMTP sink for the asylum
centres (both in this process). Then `.venv/bin/koereplan serve --limit L` (default 5, the
CLI's default) is started as a SUBPROCESS with PREFECT_API_URL, PREFECT_RUNNER_POLL_FREQUENCY=1
and the KOEREPLAN_* settings; we wait until it has registered the `intake/intake` deployment
and note its idle RSS (the serve process and all its descendants).

Timed: N seeded synthetic notices are dropped into the inbox and one intake run is triggered
with `run_deployment("intake/intake", timeout=0)` (the 60 s schedule may add another intake run;
claims make that harmless). The clock stops when
  1. N reception runs are Suspended (state type PAUSED), then
  2. the serve process has no child flow-run process left (children started after the idle
     measurement whose command line runs `prefect.engine` or a multiprocessing spawn).
Printed: N, the time to 1 and to 2, the RSS of serve itself and of serve plus all its
descendants (psutil, MiB), the number of descendant processes, the idle RSS, and the load.
Then serve gets SIGINT (Ctrl-C), SIGTERM after 20 s, SIGKILL after 10 more.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from typing import Any

from _common import (
    REPO,
    count_runs,
    deployments_ready,
    load_average,
    make_notices,
    private_env,
    stop_process,
    surroundings,
    tree_rss_mib,
    wait_until,
    write_notices,
)


def _engine_children(pid: int, baseline: set[int]) -> list[Any]:
    """Descendants of `pid` that run a flow (started after the idle measurement)."""
    import psutil

    found = []
    for child in psutil.Process(pid).children(recursive=True):
        if child.pid in baseline:
            continue
        try:
            cmd = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "prefect.engine" in cmd or "multiprocessing" in cmd:
            found.append(child)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", type=int, nargs="?", default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--limit", type=int, default=5, help="koereplan serve --limit")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--keep", action="store_true", help="keep the temp home")
    args = parser.parse_args()

    from prefect.client.schemas.objects import StateType

    home = private_env("waiting")
    print(f"home {home}  load {load_average()}", flush=True)
    with surroundings(home) as sink:
        env = {
            **os.environ,
            **sink.env,
            "PREFECT_API_URL": sink.api_url,
            "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        }
        log = (home / "serve.log").open("wb")
        serve = subprocess.Popen(
            [str(REPO / ".venv/bin/koereplan"), "serve", "--limit", str(args.limit)],
            cwd=home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            started = wait_until(deployments_ready, 120, 0.5, "serve's deployments")
            time.sleep(3)  # let serve settle (its first scheduled intake may run)
            wait_until(lambda: not _engine_children(serve.pid, set()), 120, 0.5, "idle serve")
            import psutil

            baseline = {c.pid for c in psutil.Process(serve.pid).children(recursive=True)}
            idle_rss, idle_children = tree_rss_mib(serve.pid)
            idle_own = psutil.Process(serve.pid).memory_info().rss / 2**20
            print(
                f"serve up after {started:.1f} s; idle RSS {idle_own:.0f} MiB own, "
                f"{idle_rss:.0f} MiB with {idle_children} descendants",
                flush=True,
            )

            write_notices(home / "inbox", make_notices(args.n, seed=args.seed))
            from prefect.deployments import run_deployment

            load_before = load_average()
            t0 = time.monotonic()
            run_deployment("intake/intake", timeout=0, as_subflow=False)
            last = [-1]

            def all_paused() -> bool:
                paused = count_runs("reception", [StateType.PAUSED])
                bad = count_runs("reception", [StateType.FAILED, StateType.CRASHED])
                if bad:
                    raise RuntimeError(f"{bad} reception runs failed or crashed; see serve.log")
                if serve.poll() is not None:
                    raise RuntimeError(f"koereplan serve exited with {serve.returncode}")
                if paused != last[0]:
                    last[0] = paused
                    print(f"  {time.monotonic() - t0:6.1f} s  {paused} suspended", flush=True)
                return paused >= args.n

            wait_until(all_paused, args.timeout, 2, f"{args.n} suspended reception runs")
            t_paused = time.monotonic() - t0
            wait_until(
                lambda: not _engine_children(serve.pid, baseline), 120, 0.5, "no flow-run children"
            )
            t_idle = time.monotonic() - t0
            rss, children = tree_rss_mib(serve.pid)
            own = psutil.Process(serve.pid).memory_info().rss / 2**20
            cmds = [" ".join(c.cmdline())[:80] for c in psutil.Process(serve.pid).children(True)]
            print(
                f"WAITING {args.n} reception runs suspended after {t_paused:.1f} s "
                f"({t_paused / args.n:.2f} s per run, limit {args.limit}); no flow-run "
                f"children after {t_idle:.1f} s",
                flush=True,
            )
            print(
                f"RSS of koereplan serve: {own:.0f} MiB own, {rss:.0f} MiB with {children} "
                f"descendant process(es) {cmds}  (idle before: {idle_rss:.0f} MiB)",
                flush=True,
            )
            print(
                f"webhook POSTs {len(sink.webhooks.requests)}, mails {len(sink.mailbox.messages)}"
                f"  load before {load_before}, after {load_average()}",
                flush=True,
            )
        finally:
            stop_process(serve)
            log.close()
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
