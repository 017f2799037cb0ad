"""Benchmark one deadline-monitor run on a large database (issue section 6).

Builds ~7,000 cases with 500,000 steps (due dates spread over two years, `today` in the
middle) by bulk inserts, then times one monitor run (candidate query, decisions, digest
building, step updates, audit and outbox rows) plus the dispatch of the digests to a local
webhook sink, in a fresh subprocess so the peak RSS is that of the run alone.

    .venv/bin/python bench/sweep.py                     # SQLite only
    .venv/bin/python bench/sweep.py --postgres          # and PostgreSQL (koereplan_bench)
    .venv/bin/python bench/sweep.py --postgres postgresql+psycopg://postgres@host:5432/postgres

Targets on the reference machine: <= 2 s and <= 200 MB RSS per backend.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from _common import DEFAULT_POSTGRES, drop_postgres, fresh_postgres  # noqa: E402
from sqlalchemy import Engine, insert, text  # noqa: E402

BENCH_DATABASE = "koereplan_bench"
TEMPLATE_DATABASE = "koereplan_bench_built"
TODAY = date(2026, 11, 24)  # a Tuesday; due dates run from a year before to a year after
SPAN_DAYS = 730
BATCH = 20_000
SEED = 851
ROLES = ("hovedperson", "aegtefaelle", "barn", "barn", "barn", "anden")
# Roughly the Aalborg køreplan's share of steps per responsible department.
RESPONSIBLE = (
    ["jobcenter-integration"] * 45
    + ["socialcenter-integration"] * 35
    + ["sundhed-kultur"] * 6
    + ["familie-beskaeftigelse"] * 4
    + ["skoleforvaltningen"] * 4
    + ["boern-familie"] * 3
    + ["sundhedspleje"] * 3
)


def build(engine: Engine, *, cases: int, steps: int, seed: int = SEED) -> dict[str, int]:
    """Fill a migrated database with synthetic cases, members and steps; returns counts."""
    from koereplan.definition_file import load_definition
    from koereplan.paths import CONFIG_DIR
    from models.tables import Case, Member, Step

    rng = random.Random(seed)
    titles = [s.title for s in load_definition(CONFIG_DIR / "koereplan.aalborg.yaml").steps]
    start = TODAY - timedelta(days=SPAN_DAYS // 2)
    created = datetime(2024, 1, 1, tzinfo=UTC)
    per_case = steps // cases
    case_rows: list[dict[str, Any]] = []
    member_rows: list[dict[str, Any]] = []
    counts = {"cases": 0, "members": 0, "steps": 0, "open_or_planned": 0}
    for n in range(1, cases + 1):
        notice = start + timedelta(days=rng.randrange(SPAN_DAYS))
        case_rows.append(
            {
                "id": n,
                "ref": f"KR-B-{n:05d}",
                "notice_id": f"UST-B-{n:06d}",
                "notice_sha256": "0" * 64,
                "kind": "opholdstilladelse",
                "notice_date": notice,
                "arrival_date": notice + timedelta(days=14),
                "arrival_planned": False,
                "takeover_given": False,
                "takeover_date": notice + timedelta(days=14),
                "status": "active" if rng.random() < 0.95 else "completed",
                "flow_run_id": None,
                "inputs_applied": 0,
                "created_at": created,
            }
        )
        size = rng.choice((1, 2, 3, 4, 5, 6))
        for position in range(size):
            member_rows.append(
                {
                    "case_id": n,
                    "position": position,
                    "person_id": f"P-{n}-{position}",
                    "role": ROLES[position],
                    "given_name": "Navn",
                    "family_name": "Efternavn",
                    "birth_date": date(1990, 1, 1),
                    "formal_education": False,
                    "special_needs": False,
                    "self_supporting": False,
                }
            )
    with engine.begin() as conn:
        conn.execute(insert(Case.__table__), case_rows)  # type: ignore[attr-defined]
        conn.execute(insert(Member.__table__), member_rows)  # type: ignore[attr-defined]
    counts["cases"], counts["members"] = len(case_rows), len(member_rows)
    sizes: dict[int, int] = {}
    for row in member_rows:
        sizes[row["case_id"]] = sizes.get(row["case_id"], 0) + 1
    step_rows: list[dict[str, Any]] = []
    for case_id in range(1, cases + 1):
        completed = case_rows[case_id - 1]["status"] == "completed"
        for position in range(per_case):
            due = start + timedelta(days=rng.randrange(SPAN_DAYS))
            status, level, last = _status(rng, due, completed)
            member = rng.randrange(sizes[case_id]) if rng.random() < 0.6 else None
            step_rows.append(
                {
                    "case_id": case_id,
                    "position": position,
                    "key": f"s{position}",
                    "person_id": "" if member is None else f"P-{case_id}-{member}",
                    "phase": "hverdag",
                    "title": rng.choice(titles),
                    "kind": "task",
                    "responsible": rng.choice(RESPONSIBLE),
                    "notify": [],
                    "legal": rng.random() < 0.3,
                    "due": None if status == "waiting" else due,
                    "status": status,
                    "done_at": _done_at(due, case_id + position) if status == "done" else None,
                    "reminder_level": level,
                    "last_reminded_on": last,
                }
            )
            counts["open_or_planned"] += status in ("open", "planned")
        if len(step_rows) >= BATCH:
            _insert(engine, Step, step_rows)
            counts["steps"] += len(step_rows)
            step_rows = []
    if step_rows:
        _insert(engine, Step, step_rows)
        counts["steps"] += len(step_rows)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return counts


def _status(rng: random.Random, due: date, completed: bool) -> tuple[str, int, date | None]:
    """A step's state on TODAY: past steps are nearly all done, future ones mostly open."""
    if completed:
        return "done", 0, None
    roll = rng.random()
    if due < TODAY:
        if roll < 0.975:
            return ("done" if roll < 0.93 else "not_applicable"), 0, None
        # Overdue: some never reminded, some reminded, some escalated a while ago.
        level = rng.choice((0, 1, 2, 2, 3, 4))
        last = TODAY - timedelta(days=rng.randrange(1, 20)) if level else None
        return ("open" if rng.random() < 0.8 else "planned"), level, last
    if roll < 0.6:
        return "open", 0, None
    if roll < 0.85:
        return "planned", 0, None
    if roll < 0.95:
        return "waiting", 0, None
    return "done", 0, None


def _done_at(due: date, n: int) -> datetime:
    """When a done step was done: from 4 days early to 2 days late, at 10:00 UTC (no rng draw,
    so the sweep's random data stay as they were)."""
    day = due + timedelta(days=n % 7 - 4)
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(insert(table.__table__), rows)


def measure(url: str, today: date) -> dict[str, Any]:
    """One monitor run and one dispatch to a local webhook sink; runs in a fresh process."""
    from devtools.sinks import routing_to, webhook_sink
    from koereplan.definition_file import load_definition
    from koereplan.paths import CONFIG_DIR
    from models.db import make_engine
    from notifications.apprise_sender import AppriseSender
    from notifications.routing import parse_routing
    from services.dispatch import dispatch
    from services.monitor import monitor

    definition = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
    engine = make_engine(url)
    with engine.connect() as conn:  # open the pool's connection before the clock starts
        conn.execute(text("SELECT 1"))
    with webhook_sink() as sink:
        sender = AppriseSender(parse_routing(routing_to(sink, definition), "b"))
        rss_before = _peak_rss_mb()
        cpu_started, started = time.process_time(), time.perf_counter()
        report = monitor(engine, definition, today=today, within_wd=3, every_wd=5)
        monitored = time.perf_counter()
        sent = dispatch(engine, sender, definition)
        finished, cpu_finished = time.perf_counter(), time.process_time()
        posts = len(sink.requests)
    return {
        "backend": engine.dialect.name,
        "today": today.isoformat(),
        "candidates": report.candidates,
        "reminded_steps": report.reminded,
        "escalated_steps": report.escalated,
        "reminder_messages": report.reminder_messages,
        "escalation_messages": report.escalation_messages,
        "deliveries": sent.messages,
        "posts_received": posts,
        "errors": sent.errors,
        "monitor_s": round(monitored - started, 3),
        "dispatch_s": round(finished - monitored, 3),
        "total_s": round(finished - started, 3),
        "cpu_s": round(cpu_finished - cpu_started, 3),  # this process; the server's is apart
        "rss_after_imports_mb": rss_before,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def build_database(url: str, *, cases: int, steps: int) -> dict[str, Any]:
    """Migrate and fill the database once; returns counts and the build time."""
    from models.db import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    began = time.perf_counter()
    counts = build(engine, cases=cases, steps=steps)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return {**counts, "build_s": round(time.perf_counter() - began, 1)}


def measured(url: str, today: date) -> dict[str, Any]:
    """One monitor run plus dispatch, measured in a fresh child process."""
    child = subprocess.run(
        [sys.executable, __file__, "--measure", url, "--today", today.isoformat()],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if child.returncode:
        raise RuntimeError(f"the measuring process failed:\n{child.stderr}")
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def runs(copy: Any, *, repeat: int) -> list[dict[str, Any]]:
    """`repeat` first runs, each on a fresh copy of the built database, then the next day."""
    from koereplan.workdays import add_working_days

    results = []
    for attempt in range(repeat):
        url = copy()
        results.append({"run": f"first#{attempt + 1}", **measured(url, TODAY)})
    next_day = add_working_days(TODAY, 1)
    results.append({"run": "next working day", **measured(url, next_day)})
    return results


def arguments(doc: str | None, repeat_help: str) -> argparse.ArgumentParser:
    """The options every large-database benchmark takes (this one and bench/overview.py)."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=7_000)
    parser.add_argument("--steps", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3, help=repeat_help)
    parser.add_argument("--postgres", nargs="?", const=DEFAULT_POSTGRES, default=None)
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--today", type=date.fromisoformat, default=TODAY)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on SQLite and, with --postgres, on PostgreSQL; print JSON lines."""
    args = arguments(__doc__, "first runs, each on a fresh copy").parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.today)))
        return 0
    results: list[dict[str, Any]] = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            built = Path(folder) / "built.db"
            counts = build_database(f"sqlite:///{built}", cases=args.cases, steps=args.steps)
            print(json.dumps({"backend": "sqlite", **counts}), flush=True)

            def sqlite_copy() -> str:
                shutil.copyfile(built, Path(folder) / "run.db")
                return f"sqlite:///{folder}/run.db"

            results += _report(runs(sqlite_copy, repeat=args.repeat))
    if args.postgres:
        template = fresh_postgres(args.postgres, TEMPLATE_DATABASE)
        try:
            counts = build_database(template, cases=args.cases, steps=args.steps)
            print(json.dumps({"backend": "postgresql", **counts}), flush=True)

            def postgres_copy() -> str:
                return fresh_postgres(args.postgres, BENCH_DATABASE, template=TEMPLATE_DATABASE)

            results += _report(runs(postgres_copy, repeat=args.repeat))
        finally:
            drop_postgres(args.postgres, BENCH_DATABASE, TEMPLATE_DATABASE)
    firsts = [r for r in results if r["run"].startswith("first")]
    ok = all(r["total_s"] <= 2.0 and r["peak_rss_mb"] <= 200 and not r["errors"] for r in firsts)
    print("targets (<= 2 s, <= 200 MB):", "met" if ok else "MISSED", file=sys.stderr)
    return 0 if ok else 1


def _report(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for result in results:
        print(json.dumps(result), flush=True)
    return results


if __name__ == "__main__":
    sys.exit(main())
