"""The service layer: what intake, coordinators (UI and CLI) and the monitor do to the state.

Each function works in the caller's database transaction, so a state change and the
notifications it causes (outbox rows) are committed together or not at all.
"""
