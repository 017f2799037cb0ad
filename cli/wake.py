"""Telling a waiting reception run that the case changed outside the Prefect UI."""

from tasks.wake import prefect_configured, wake_reception

__all__ = ["prefect_configured", "wake_reception"]
