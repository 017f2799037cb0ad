"""Prefect flows that read as the process: intake, one reception per household, the monitor."""
