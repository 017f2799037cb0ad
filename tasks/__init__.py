"""Thin Prefect tasks: each calls one service function; retries only where there is I/O."""
