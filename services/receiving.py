"""Receiving a batch of notices: the one orchestration behind `koereplan intake` and the flow.

Take the inbox's settled notices (or the files named on the command line), receive each on
its own so one bad file never stops the rest, then file the documents beside them (after the
notices, so documents find their announcements). What happens afterwards — waking amended
runs, starting receptions, sending — differs on purpose: the flow does it through Prefect,
the CLI only when Prefect is configured. The flow passes its tasks for the three steps, so
each shows as a task run; the CLI uses the plain service calls below.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from koereplan.status import NoticeOutcome
from services import documents, inbox
from services.intake import Received, receive_file
from services.runtime import get_runtime

PUT_BACK = "lagt tilbage"  # a file given back to the inbox: the next intake takes it again
WAITING = "venter"  # notices still being written: taken once they have settled


@dataclass
class Batch:
    """What one intake made of its files."""

    results: list[Received] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # per file not received: why, in Danish
    put_back: list[str] = field(default_factory=list)  # error names of inbox files given back
    waiting: int = 0

    def outcomes(self) -> Counter[str]:
        """Files per outcome, with those put back and those still being written."""
        counts = Counter(str(result.outcome) for result in self.results)
        if self.put_back:
            counts[PUT_BACK] = len(self.put_back)
        if self.waiting:
            counts[WAITING] = self.waiting
        return counts

    def amended(self) -> list[str]:
        """The cases an amendment changed, each once: their waiting runs must redraw."""
        refs = (r.case_ref for r in self.results if r.outcome == NoticeOutcome.AMENDED)
        return [ref for ref in dict.fromkeys(refs) if ref]


def take(folder: Path) -> inbox.Taken:
    """Claim every settled notice, refuse what is no file; another intake's claims are its own."""
    runtime = get_runtime()
    return inbox.take_inbox(runtime.engine, runtime.definition, runtime.settings, folder)


def receive_one(folder: Path | None, path: Path) -> Received:
    """A claimed inbox file (filed away afterwards) or a named file (left where it is)."""
    runtime = get_runtime()
    if folder is not None:
        return inbox.receive_claimed(
            runtime.engine, runtime.definition, runtime.settings, folder, path
        )
    raw = inbox.read_notice_bytes(path)
    return receive_file(
        runtime.engine, runtime.definition, runtime.settings, file_name=path.name, raw=raw
    )


def file_documents(folder: Path) -> Mapping[str, int]:
    """File the settled documents beside received notices; counts only, never a file name."""
    runtime = get_runtime()
    found = inbox.document_files(folder, runtime.settings.inbox_settle_seconds)
    return documents.file_documents(
        runtime.engine, runtime.definition, runtime.settings, folder, found
    )


def receive_batch(
    folder: Path | None = None,
    files: Sequence[Path] = (),
    *,
    taking: Callable[[Path], inbox.Taken] = take,
    receiving: Callable[[Path | None, Path], Received] = receive_one,
    filing: Callable[[Path], object] = file_documents,
    advance: Callable[[int], None] | None = None,
) -> Batch:
    """Receive the named `files`, or else every settled notice in `folder` (the inbox).

    `advance(total)` is called once per file handled, for a progress bar.
    """
    batch = Batch()
    work: list[tuple[Path, Path | None]]
    if files:
        work = [(path, None) for path in files]
    else:
        folder = folder or get_runtime().settings.inbox
        taken = taking(folder)
        batch.results.extend(taken.refused)
        batch.waiting = taken.waiting
        work = [(path, folder) for path in taken.claimed]
    for path, home in work:
        try:
            batch.results.append(receiving(home, path))
        except Exception as error:  # this file only: the next one is not its concern
            if home is not None:  # receive_claimed gave it back to the inbox
                batch.put_back.append(type(error).__name__)
            if isinstance(error, OSError | inbox.RefusedEntry):
                batch.unread.append(f"{path.name}: {unreadable(error)}")
            else:
                batch.unread.append(f"{path.name}: {PUT_BACK} i indbakken ({type(error).__name__})")
        if advance:
            advance(len(work))
    if not files and folder is not None:
        filing(folder)
    return batch


def unreadable(error: Exception) -> str:
    """Why a file could not be read, in Danish, without its content."""
    if isinstance(error, inbox.RefusedEntry):
        return error.problem.message
    if isinstance(error, FileNotFoundError):
        return "findes ikke"
    reason = error.strerror if isinstance(error, OSError) else None
    return f"kan ikke læses ({reason or type(error).__name__})"
