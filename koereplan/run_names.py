"""What the Prefect UI shows of a case: its run's name and its one status tag.

Plain strings, so they live in the core: the tasks that start and tag runs use them, and their
tests need no Prefect.
"""

STATUS_TAG = "status:"


def reception_run_name(case_ref: str, number: int = 1) -> str:
    """`modtagelse-KR-2026-0001`; after a reopening `modtagelse-KR-2026-0001-2`."""
    return f"modtagelse-{case_ref}" if number <= 1 else f"modtagelse-{case_ref}-{number}"


def status_tags(tags: list[str], status: str) -> list[str]:
    """The run's tags with exactly one `status:<case status>` tag, so the UI can filter."""
    return [*(tag for tag in tags if not tag.startswith(STATUS_TAG)), f"{STATUS_TAG}{status}"]
