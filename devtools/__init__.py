"""Demo, test and benchmark support, not part of what a municipality runs.

Local receivers standing in for the departments' mail and webhooks (`sinks`, keeping what
arrived as files: `kept`), and a local Prefect server with a runner in a thread
(`local_prefect`). `koereplan sinks` and `koereplan demo` use them; they need the `demo`
extra (`aiosmtpd`): `pip install -e '.[demo]'` (`.[dev]` includes it).
"""
