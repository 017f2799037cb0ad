"""The `koereplan` command line: what coordinators type, and what CI and the demo run."""
