"""Benchmark the overview (issue 12) on sweep.py's ~7,000 cases and 500,000 steps.

Builds the database with `bench/sweep.py`'s generator, then in a fresh process per run times
the three views the overview flow publishes (`oversigt`, every `afdeling-<key>` queue with
its first 200 lines, 12 months of `lovfrister`) including their markdown and chart, and the
weekly digests; prints JSON lines with seconds, peak RSS and the machine's load average
(the machine is shared: read the figures beside the load).

    .venv/bin/python bench/overview.py               # SQLite
    .venv/bin/python bench/overview.py --postgres    # and PostgreSQL (koereplan_bench)

Targets: overview <= 2 s and <= 250 MB RSS per backend.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import drop_postgres, fresh_postgres, load_average, peak_rss_mib
from sweep import BENCH_DATABASE, arguments, build_database

TARGET_S, TARGET_MB = 2.0, 250.0


def measure(url: str, today: date) -> dict[str, Any]:
    """The overview flow's work without Prefect, then the digests; in a fresh process."""
    from sqlalchemy import text

    from koereplan.compliance import months_back
    from koereplan.definition_file import load_definition
    from koereplan.paths import CONFIG_DIR
    from models.db import make_engine, session
    from notifications.overview_markdown import (
        compliance_markdown,
        overview_markdown,
        queue_markdown,
    )
    from services.casefile import department_names
    from services.digest import weekly_digests
    from services.overview import ARTIFACT_LINES, all_queues, compliance, overview

    definition = load_definition(CONFIG_DIR / "koereplan.aalborg.yaml")
    names = department_names(definition)
    engine = make_engine(url)
    with engine.connect() as conn:  # open the pool's connection before the clock starts
        conn.execute(text("SELECT 1"))
    rss_before = peak_rss_mib()
    times: dict[str, float] = {}
    sizes: dict[str, int] = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    with session(engine) as db:
        mark = time.perf_counter()
        sizes["oversigt"] = len(overview_markdown(overview(db, today=today), names))
        times["oversigt_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        found = all_queues(db, definition, today=today, limit=ARTIFACT_LINES)
        sizes["afdeling"] = sum(len(queue_markdown(q)) for q in found.values())
        times["afdeling_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        first, last = months_back(today)
        view = compliance(db, definition, today=today, first=first, last=last)
        sizes["lovfrister"] = len(compliance_markdown(view))
        times["lovfrister_s"] = time.perf_counter() - mark
    total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    overview_rss = peak_rss_mib()
    monday = date.fromordinal(today.toordinal() - today.weekday())
    mark = time.perf_counter()
    digests = weekly_digests(engine, definition, today=monday)
    digest_s = time.perf_counter() - mark
    return {
        "backend": engine.dialect.name,
        **{key: round(value, 3) for key, value in times.items()},
        "overview_total_s": round(total, 3),
        "overview_cpu_s": round(cpu, 3),  # this process; on a shared machine wall time waits
        "departments": len(found),
        "open_steps": sum(q.total for q in found.values()),
        "legal_steps_judged": sum(t.due + t.not_applicable for t in view.by_month.values()),
        "artifact_chars": sizes,
        "rss_after_imports_mb": rss_before,
        "overview_peak_rss_mb": overview_rss,
        "digests": len(digests.departments),
        "digest_s": round(digest_s, 3),
        "peak_rss_mb": peak_rss_mib(),
        "load": load_average(),
    }


def measured(url: str, today: date) -> dict[str, Any]:
    """One measurement in a child process, so its peak RSS is the overview's alone."""
    child = subprocess.run(
        [sys.executable, __file__, "--measure", url, "--today", today.isoformat()],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if child.returncode:
        raise RuntimeError(f"the measuring process failed:\n{child.stderr}")
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    """Build once per backend, measure `--repeat` times, print JSON lines and the verdict."""
    args = arguments(__doc__, "measurements on the same database").parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.today)))
        return 0
    results: list[dict[str, Any]] = []
    urls: list[str] = []
    folder = tempfile.TemporaryDirectory()
    try:
        if not args.no_sqlite:
            urls.append(f"sqlite:///{folder.name}/overview.db")
        if args.postgres:
            urls.append(fresh_postgres(args.postgres, BENCH_DATABASE))
        for url in urls:
            counts = build_database(url, cases=args.cases, steps=args.steps)
            print(json.dumps({"built": url.split(":")[0], **counts, "load": load_average()}))
            for attempt in range(args.repeat):
                result = {"run": attempt + 1, **measured(url, args.today)}
                # The digests write outbox rows; later runs find them written and add none.
                print(json.dumps(result), flush=True)
                results.append(result)
    finally:
        if args.postgres:
            drop_postgres(args.postgres, BENCH_DATABASE)
        folder.cleanup()
    ok = all(
        r["overview_total_s"] <= TARGET_S and r["overview_peak_rss_mb"] <= TARGET_MB
        for r in results
    )
    print(
        f"targets (<= {TARGET_S} s, <= {TARGET_MB} MB):", "met" if ok else "MISSED", file=sys.stderr
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
