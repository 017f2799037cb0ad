"""Serving the flows: `koereplan serve`, its run limits, and the in-process runner.

The package itself imports nothing, so `serving.limits` loads without Prefect.
"""
