"""The coordinator's path in a real browser: Chromium on the Prefect UI, as the README tells it.

A notice is dropped, the scheduled intake starts the household's run; the coordinator follows
the link in the department's message, reads the checklist, is refused an incomplete answer,
answers, and sees the checklist change; the department is told. Screenshots of every stage are
kept under data/browser-test/ when the test fails.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from koereplan.danish import short_danish_date
from koereplan.paths import REPO_ROOT
from models.db import make_engine, session
from models.tables import Step
from tests.live import Stack, wait_for

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KEPT = REPO_ROOT / "data" / "browser-test"
HOUSING = "Bolig fundet"  # the title breaks after "indbo" in the table
MEETING = "Første møde i Socialcenter"


class Coordinator:
    """A person at a 1400 px screen, with a screenshot taken at each stage."""

    def __init__(self, page: Any, shots: Path) -> None:
        self.page = page
        self.shots = shots
        self.stage = 0

    def snap(self, name: str) -> None:
        self.stage += 1
        self.page.screenshot(path=self.shots / f"{self.stage:02d}-{name}.png", full_page=True)

    def open_checklist(self, run_url: str, key: str) -> None:
        """From the run page, one click on the Artifacts tab, one on the checklist's card.

        A click that lands before the page has wired its tabs does nothing (seen under load in
        CI): the tab is clicked again, as a person would, when no card shows.
        """
        self.page.goto(run_url)
        card = self.page.locator(".p-card").filter(has_text=key).first
        for attempt in range(3):
            self.page.get_by_text("Artifacts", exact=True).first.click()
            try:
                card.wait_for(timeout=20_000)
                break
            except playwright.TimeoutError:
                if attempt == 2:
                    raise
        card.click()
        self.page.wait_for_url(re.compile(r"/artifacts/artifact/"))
        self.page.locator("table").first.wait_for()

    def row(self, title: str) -> str:
        return str(self.page.locator("tr").filter(has_text=title).first.inner_text())

    def open_form(self, run_url: str) -> Any:
        """Resume, once the page has loaded the run: earlier, the UI offers a bare "resume?"."""
        self.page.goto(run_url)
        for _ in range(3):
            self.page.get_by_role("link", name="reception").first.wait_for()
            self.page.get_by_role("button", name="Resume").click()
            dialog = self.page.get_by_role("dialog")
            try:
                dialog.get_by_text("Dine initialer").wait_for(timeout=20_000)
                return dialog
            except playwright.TimeoutError:
                dialog.get_by_role("button", name="Close").click()
        raise AssertionError("the Resume dialog never showed the form")

    def field(self, dialog: Any, title: str) -> Any:
        label = self.page.locator(".schema-form-property__label", has_text=title)
        return dialog.locator(".schema-form-property").filter(has=label).first

    def choose(self, dialog: Any, title: str, option: str) -> None:
        self.field(dialog, title).locator(".p-select-button__control").press("ArrowDown")
        self.page.get_by_role("option").filter(has_text=option).first.click()

    def submit(self, dialog: Any) -> None:
        """Submit a complete answer; on the UI's error toast (a busy server) submit again."""
        for attempt in range(3):
            dialog.get_by_role("button", name="Submit").click()
            try:
                dialog.wait_for(state="hidden", timeout=60_000)
                return
            except playwright.TimeoutError:
                if attempt == 2 or not dialog.get_by_role("button", name="Submit").is_visible():
                    raise

    def options(self, dialog: Any, title: str) -> list[str]:
        """The choices a drop-down offers, in order; the list is closed on its first choice."""
        self.field(dialog, title).locator(".p-select-button__control").press("ArrowDown")
        found = [str(t).strip() for t in self.page.get_by_role("option").all_inner_texts()]
        self.page.get_by_role("option").first.click()
        return found

    def type(self, dialog: Any, title: str, text: str) -> None:
        self.field(dialog, title).locator("textarea").fill(text)


@pytest.fixture
def coordinator(tmp_path: Path) -> Iterator[Coordinator]:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install -y chromium)")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="da-DK")
        page.set_default_timeout(60_000)
        try:
            yield Coordinator(page, shots)
        finally:
            browser.close()


@pytest.fixture
def keep_on_failure(
    request: pytest.FixtureRequest, coordinator: Coordinator, live: Stack
) -> Iterator[None]:
    """On failure: the page as it was, every stage's screenshot and the logs, in data/."""
    yield
    report = getattr(request.node, "rep_call", None)
    if report is None or not report.failed:
        return
    coordinator.snap("failure")
    shutil.rmtree(KEPT, ignore_errors=True)
    shutil.copytree(coordinator.shots, KEPT)
    for log in live.home.glob("*.log"):
        shutil.copy(log, KEPT / log.name)


def test_the_coordinators_path_in_the_prefect_ui(
    live: Stack, coordinator: Coordinator, keep_on_failure: None
) -> None:
    page = coordinator.page
    dropped = time.monotonic()
    notice_id = live.drop("enlig-voksen.json", notice_id="UST-2026-BROWSER")
    case = live.case(notice_id)
    run = f"/flow_runs/{case.flow_run_id}"
    wait_for(lambda: state(live, run, "svar-0"), 240, f"{case.ref} to wait", every=1)
    to_suspended = time.monotonic() - dropped

    # The department's "Ny sag" message links to the run; the link lands on the run page.
    created = wait_for(lambda: first_message(live, f"Ny sag {case.ref}"), 60, "Ny sag")
    run_url = f"{live.ui_url}/runs/flow-run/{case.flow_run_id}"
    assert run_url in created["message"]
    page.goto(run_url)
    page.get_by_text(f"modtagelse-{case.ref}").first.wait_for()
    page.get_by_role("link", name="reception").first.wait_for()
    coordinator.snap("run-page")

    # The checklist: a due date as a person reads it, phases as sections.
    key = f"koereplan-{case.ref.lower()}"
    housing_due = short_danish_date(step(live, case.id, "bolig_indbo").due)
    coordinator.open_checklist(run_url, key)
    coordinator.snap("checklist")
    assert housing_due in coordinator.row(HOUSING)
    assert page.get_by_role("heading", name="Før modtagelsen").is_visible()

    # An incomplete answer is refused on the form, before anything reaches the run.
    dialog = coordinator.open_form(run_url)
    assert coordinator.field(dialog, "Dine initialer").inner_text().startswith("Dine initialer\n")
    assert "(Optional)" not in coordinator.field(dialog, "Dine initialer").inner_text()
    coordinator.snap("form")
    dialog.get_by_role("button", name="Submit").click()
    dialog.get_by_text("'initialer' is a required property").wait_for()
    coordinator.choose(dialog, "Trin", HOUSING)
    coordinator.choose(dialog, "Handling", "ikke relevant")
    coordinator.type(dialog, "Dine initialer", "KT")
    dialog.get_by_role("button", name="Submit").click()
    coordinator.field(dialog, "Begrundelse").get_by_text("should be non-empty").wait_for()
    coordinator.snap("refused-before-submit")
    assert state(live, run, "svar-0"), "the run still waits for its first answer"

    # A complete answer: the step is done, the checklist says so, the department is told.
    coordinator.choose(dialog, "Handling", "udført")
    submitted = time.monotonic()
    coordinator.submit(dialog)
    wait_for(lambda: "| udført |" in artifact_row(live, key, HOUSING), 180, "the checklist")
    to_checklist = time.monotonic() - submitted
    timings = f"drop → Suspended {to_suspended:.1f} s; Submit → checklist {to_checklist:.1f} s"
    (coordinator.shots / "timings.txt").write_text(timings + "\n")
    print(timings)
    coordinator.open_checklist(run_url, key)
    coordinator.snap("checklist-updated")
    assert coordinator.row(HOUSING).split("\t")[0].strip() == "udført"
    done = step(live, case.id, "bolig_indbo")
    assert (done.status, done.done_by) == ("done", "KT")
    told = wait_for(lambda: live.messages("*-webhook-renovation.json"), 60, "renovation's message")
    assert any("Affald bortskaffet" in text for text in told.values())

    # A change from the terminal wakes the run: it redraws the checklist and waits with a
    # fresh form. A form opened before the change is refused by the server, in a toast that
    # names the step, and the fresh form no longer offers it.
    wait_for(lambda: state(live, run, "svar-1"), 120, "the run to wait again")
    dialog = coordinator.open_form(run_url)
    coordinator.choose(dialog, "Trin", MEETING)
    coordinator.type(dialog, "Dine initialer", "KT")
    cli = live.koereplan("done", case.ref, "moeder_koordineret", "--af", "AB")
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "vækket" in cli.stdout, cli.stdout
    wait_for(lambda: state(live, run, "svar-2"), 180, "the run to redraw after the change")
    dialog.get_by_role("button", name="Submit").click()
    toast = page.get_by_text("is not one of").first
    toast.wait_for()
    coordinator.snap("stale-form-refused")
    assert MEETING in toast.inner_text()
    dialog.get_by_role("button", name="Close").click()
    dialog = coordinator.open_form(run_url)
    offered = coordinator.options(dialog, "Trin")
    assert not [o for o in offered if o.startswith(MEETING)], offered
    assert (step(live, case.id, "moeder_koordineret").done_by) == "AB"

    # An answer the flow cannot apply (a blank reason gets past the form) is said first, on the
    # checklist and above the form, and the run waits again.
    coordinator.choose(dialog, "Trin", offered[1])
    coordinator.choose(dialog, "Handling", "ikke relevant")
    coordinator.type(dialog, "Dine initialer", "KT")
    coordinator.type(dialog, "Begrundelse", "   ")
    coordinator.submit(dialog)
    wait_for(lambda: state(live, run, "svar-3"), 180, "the run to wait after the refusal")
    dialog = coordinator.open_form(run_url)
    warning = dialog.get_by_text("Seneste svar blev ikke registreret")
    warning.scroll_into_view_if_needed()
    coordinator.snap("refused-after-submit")
    assert "Angiv en begrundelse" in warning.inner_text()
    coordinator.open_checklist(run_url, key)
    page.get_by_text("Seneste svar blev ikke registreret").first.wait_for()
    coordinator.snap("checklist-says-refused")


def state(live: Stack, run: str, key: str) -> bool:
    """The run waits for the answer with this key."""
    current = live.api("GET", run)["state"]
    return bool(
        current and current["type"] == "PAUSED" and current["state_details"].get("pause_key") == key
    )


def step(live: Stack, case_id: int | None, key: str) -> Step:
    engine = make_engine(live.env["KOEREPLAN_DATABASE_URL"])
    try:
        with session(engine) as db:
            return db.exec(select(Step).where(Step.case_id == case_id, Step.key == key)).one()
    finally:
        engine.dispose()


def first_message(live: Stack, title: str) -> dict[str, Any] | None:
    for text in live.messages("*-webhook-*.json").values():
        body = json.loads(text)
        if str(body.get("title", "")).startswith(title):
            return dict(body)
    return None


def artifact_row(live: Stack, key: str, title: str) -> str:
    found = live.api("POST", "/artifacts/filter", json={"artifacts": {"key": {"any_": [key]}}})
    lines = [line for a in found for line in str(a["data"]).splitlines()]
    rows = [line for line in lines if line.startswith("|") and title in line]
    return rows[0] if rows else ""
