"""Where the checkout's own files are: the shipped køreplan and routing example, the examples.

Plain paths, no settings: what a deployment may change lives in `settings` (outside the core).
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO_ROOT / "config"
EXAMPLE_ROUTING = CONFIG_DIR / "apprise.example.yaml"
AALBORG_DEFINITION = CONFIG_DIR / "koereplan.aalborg.yaml"  # the køreplan shipped (the default)
