"""`bench/burst.py N`: N notices at once through the real intake path, against N empty runs.

Usage: .venv/bin/python bench/burst.py N [--seed S] [--receptions] [--reception-timeout S]
       [--profile FILE] [--skip-empty]

Set-up (not timed): a fresh temp home with PREFECT_HOME, a local Prefect server
(SubprocessASGIServer, its own SQLite), a fresh Køreplan SQLite database migrated to head, a
local HTTP webhook sink that every department is routed to (`/hooks/<department>`), an SMTP
sink for the asylum centres' mail, and the flow modules imported and the runtime built once.
N seeded synthetic notices (singles, couples, families with children of various ages, about
10 % familiesammenføring referencing an earlier household; half with expected_arrival, about
60 % with an asylum centre) are written into the inbox, named so that a referenced notice
sorts, and so is received, before the one that references it.

PRODUCT (timed): the intake flow driven the way `koereplan demo` and the e2e tests drive it:
`flows.intake.intake(start=False)` called in this process, a real Prefect flow run against
the local server: `take_inbox_files` (one task), `receive_notice_file` (one task run per
file: parse, plan, one SQLite transaction, file moved to processed/), `dispatch_outbox` (one
task: every pending outbox row, one digest per department and address, POSTed to the sink).
If the flow returns with work left (the dispatcher takes at most 500 rows x 5 rounds per
call), the flow is run again at once, as the next scheduled intake would (the schedule waits
60 s; the back-to-back runs are a lower bound). The clock stops when
  - every notice is a case in the database (N cases), and
  - every outbox row is `sent`, and
  - for every case_created row (department, case ref) the webhook sink has received a POST
    at /hooks/<department> whose body names the case ref (the digest lists several cases),
    and the SMTP sink has received the asylum centres' mails.
`start=False`: the reception runs are not started inside the clock (see RECEPTIONS).

EMPTY (timed, same server, same process, run before PRODUCT so that PRODUCT pays for any
growth of the server's database): the same N files in another inbox and the same flow
structure with the product work removed: a flow `bench-empty-intake(inbox)` called in this
process, one listing task (sorted file names, no claim), one no-op task per file with the
same arguments and task options as `receive_notice_file` (NO_CACHE), and one no-op
"dispatch" task with the same retries. Same number of flow runs (1) and task runs (N + 2).
RATIO = PRODUCT elapsed / EMPTY elapsed: what the product adds on top of Prefect's own
per-task cost.

EMPTY-FLOWS (timed, same server and process): N empty flow runs, one per notice, driven from
this process one after another as async flows (a sync flow run costs ~1 s more on exit):
what a flow run per household costs before any work. Its ratio is the issue's reading of
"N empty Prefect flow runs"; the EMPTY ratio above is the stricter per-task one.
Both are preceded by one untimed warm-up run of the empty flow over an empty
inbox (client, server and flow registration).

RECEPTIONS (--receptions, optional): after PRODUCT, `start_pending_receptions()` (N
`run_deployment("reception/reception", timeout=0, as_subflow=False, idempotency_key=…)`
calls) is timed on its own, then a runner (`devtools.local_prefect.runner_in_thread`, poll 1 s,
limit 5 like `koereplan serve`) executes them; we wait until every reception run is
Suspended (PAUSED) or --reception-timeout passes, and print runs done, runs/s and the wall
time per run.

Printed: N, elapsed, cases/s, empty elapsed, ratio, peak RSS of this process, the load.
Targets (issue): 1,000 notices <= 180 s and ratio <= 1.3 on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _common import (
    load_average,
    make_notices,
    peak_rss_mib,
    private_env,
    surroundings,
    write_notices,
)

REF_RE = re.compile(r"KR-\d{4}-\d{4,}")


def _empty_flow() -> Any:
    """The intake flow's shape with the product work removed (defined after Prefect's env)."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    @task(cache_policy=NO_CACHE)
    def list_files(folder: Path) -> list[Path]:
        return sorted(p for p in folder.iterdir() if p.is_file())

    @task(cache_policy=NO_CACHE, task_run_name="tom-fil")
    def empty_file(folder: Path, claimed: Path) -> str:
        return "accepted"

    @task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[5, 30])
    def empty_dispatch() -> int:
        return 0

    @flow(name="bench-empty-intake", log_prints=False)
    def empty_intake(inbox: str) -> dict[str, int]:
        folder = Path(inbox)
        outcomes: Counter[str] = Counter()
        for claimed in list_files(folder):
            outcomes[empty_file(folder, claimed)] += 1
        empty_dispatch()
        return dict(outcomes)

    return empty_intake


def _empty_case_flow() -> Any:
    """One empty flow run per notice: Prefect's cost of a run per household, nothing else."""
    from prefect import flow

    @flow(name="bench-empty-case", log_prints=False)
    async def empty_case(n: int) -> int:
        return n

    return empty_case


def run_empty_case_flows(n: int) -> float:
    """N empty flow runs, driven from this process one after another (async: no 1 s exit)."""
    import asyncio

    empty_case = _empty_case_flow()

    async def drive() -> None:
        for i in range(n):
            await empty_case(i)

    asyncio.run(empty_case(-1))  # warm-up, untimed
    started = time.monotonic()
    asyncio.run(drive())
    return time.monotonic() - started


def delivery_state(webhooks: Any, mailbox: Any) -> dict[str, Any]:
    """Cases, outbox rows by status, and which case_created pairs the sinks have not seen."""
    from sqlmodel import func, select

    from models.db import session
    from models.tables import Case, OutboxMessage
    from services.runtime import get_runtime

    with session(get_runtime().engine) as db:
        cases = db.exec(select(func.count()).select_from(Case)).one()
        by_status = {
            status: count
            for status, count in db.exec(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        }
        wanted = set(
            db.exec(
                select(OutboxMessage.department, Case.ref)
                .join(Case, Case.id == OutboxMessage.case_id)
                .where(OutboxMessage.message_type == "case_created")
            ).all()
        )
        centre_rows = db.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.department == "asylcenter", OutboxMessage.status == "sent")
        ).one()
    seen: set[tuple[str, str]] = set()
    for path, body in zip(list(webhooks.paths), list(webhooks.requests), strict=True):
        department = path.rsplit("/", 1)[-1]
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        seen.update((department, ref) for ref in REF_RE.findall(text))
    return {
        "cases": cases,
        "outbox": by_status,
        "missing": wanted - seen,
        "case_created_rows": len(wanted),
        "posts": len(webhooks.requests),
        "mails": len(mailbox.messages),
        "centre_rows_sent": centre_rows,
    }


def done(state: dict[str, Any], n: int) -> bool:
    """Every case exists, nothing is left in the outbox, and the sinks saw every pair."""
    unsent = sum(v for k, v in state["outbox"].items() if k != "sent")
    mails_ok = state["centre_rows_sent"] == 0 or state["mails"] > 0
    return state["cases"] == n and unsent == 0 and not state["missing"] and mails_ok


def run_product(n: int, sink: Any, profile: str | None) -> dict[str, Any]:
    from flows.intake import intake

    runs: list[dict[str, Any]] = []
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    started = time.monotonic()
    if profiler:
        profiler.enable()
    state: dict[str, Any] = {}
    for _ in range(20):
        run_started = time.monotonic()
        outcome = intake(start=False)
        runs.append({**outcome, "s": round(time.monotonic() - run_started, 1)})
        state = delivery_state(sink.webhooks, sink.mailbox)
        if done(state, n):
            break
    elapsed = time.monotonic() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return {"elapsed": elapsed, "runs": runs, "state": state}


def run_receptions(n: int, timeout: float) -> dict[str, Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    from devtools.local_prefect import runner_in_thread
    from tasks.intake import start_pending_receptions

    def count(types: list[StateType]) -> int:
        with get_client(sync_client=True) as client:
            return client.count_flow_runs(
                flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=types))
                ),
                deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["reception"])),
            )

    def _count_all() -> int:
        return count([t for t in StateType])

    result: dict[str, Any] = {}
    with runner_in_thread(poll_seconds=1, limit=5):
        started = time.monotonic()
        refs: list[str] = []
        result["errors"] = []
        for _ in range(4):  # like the start_receptions task: retries=3, idempotent by key
            try:
                refs += start_pending_receptions()
                break
            except Exception as error:  # e.g. 503 from a busy server
                result["errors"].append(f"{type(error).__name__}: {str(error)[:80]}")
        result["create_s"] = time.monotonic() - started
        result["created"] = _count_all()
        paused = 0
        while time.monotonic() - started < timeout:
            paused = count([StateType.PAUSED])
            if paused >= result["created"]:
                break
            time.sleep(2)
        result["paused"] = paused
        result["failed"] = count([StateType.FAILED, StateType.CRASHED])
        result["elapsed"] = time.monotonic() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", type=int, nargs="?", default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--receptions", action="store_true", help="also run the receptions")
    parser.add_argument("--reception-timeout", type=float, default=300)
    parser.add_argument("--profile", help="write a cProfile of the PRODUCT part to this file")
    parser.add_argument("--skip-empty", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temp home")
    args = parser.parse_args()

    home = private_env("burst")
    print(f"home {home}  load {load_average()}", flush=True)
    t = time.monotonic()
    with surroundings(home) as sink:
        from services.runtime import get_runtime

        get_runtime()  # migrate the fresh database before the clock
        import flows.intake  # noqa: F401  (imports before the clock)

        print(f"set-up {time.monotonic() - t:.1f} s", flush=True)
        notices = make_notices(args.n, seed=args.seed)
        kinds = Counter(
            "reunification"
            if x["kind"] == "familiesammenfoering"
            else ("single" if len(x["members"]) == 1 else "household")
            for x in notices
        )
        print(f"notices {dict(kinds)}", flush=True)

        empty_flow = _empty_flow()
        empty_inbox = home / "empty-inbox"
        empty_inbox.mkdir()
        empty_flow(str(empty_inbox))  # warm-up, untimed
        empty_s = None
        if not args.skip_empty:
            write_notices(empty_inbox, notices)
            load_empty = load_average()
            started = time.monotonic()
            outcome = empty_flow(str(empty_inbox))
            empty_s = time.monotonic() - started
            assert sum(outcome.values()) == args.n, outcome
            print(f"EMPTY   {args.n} task runs in {empty_s:.1f} s  load {load_empty}", flush=True)

        flows_s = None
        if not args.skip_empty:
            load_flows = load_average()
            flows_s = run_empty_case_flows(args.n)
            print(
                f"EMPTY-FLOWS {args.n} empty flow runs in {flows_s:.1f} s  load {load_flows}",
                flush=True,
            )

        write_notices(home / "inbox", notices)
        load_product = load_average()
        product = run_product(args.n, sink, args.profile)
        state = product["state"]
        elapsed = product["elapsed"]
        print(
            f"PRODUCT {args.n} notices in {elapsed:.1f} s = {args.n / elapsed:.2f} cases/s  "
            f"({len(product['runs'])} intake run(s): {product['runs']})  load {load_product}",
            flush=True,
        )
        print(
            f"  cases {state['cases']}, outbox {state['outbox']}, case_created rows "
            f"{state['case_created_rows']}, webhook POSTs {state['posts']}, "
            f"asylum-centre mails {state['mails']} ({state['centre_rows_sent']} rows), "
            f"missing pairs {len(state['missing'])}",
            flush=True,
        )
        if not done(state, args.n):
            print("  NOT COMPLETE: the clock stopped after 20 intake runs", flush=True)
        if empty_s:
            print(
                f"RATIO   {elapsed / empty_s:.2f} against the empty intake-shaped flow", flush=True
            )
        if flows_s:
            print(
                f"RATIO   {elapsed / flows_s:.2f} against {args.n} empty flow runs (target <= 1.3)",
                flush=True,
            )
        print(f"peak RSS {peak_rss_mib():.0f} MiB  load {load_average()}", flush=True)

        if args.receptions:
            rec = run_receptions(args.n, args.reception_timeout)
            per_run = rec["elapsed"] / rec["paused"] if rec["paused"] else float("nan")
            print(
                f"RECEPTIONS {rec['created']} run_deployment calls in {rec['create_s']:.1f} s; "
                f"{rec['paused']} suspended, {rec['failed']} failed/crashed after "
                f"{rec['elapsed']:.1f} s = {per_run:.2f} s wall per run (limit 5); "
                f"errors while starting: {rec['errors']}  "
                f"load {load_average()}",
                flush=True,
            )
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
