"""Every setting of a Køreplan process in one typed object, validated at start-up.

Environment variables with the prefix `KOEREPLAN_`, and the two of Prefect's that Køreplan
reads itself (`PREFECT_UI_URL`, `PREFECT_API_URL`). Nothing else in the tree reads the
environment: code that needs a setting asks `get_settings()`, so a deployment's choices are
listed here, with their defaults, and checked once (`settings.production` refuses demo
defaults under `KOEREPLAN_ENV=production`). Outside the pure core, which gets values as
arguments.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from koereplan.paths import AALBORG_DEFINITION, EXAMPLE_ROUTING

DEFAULT_DATABASE_URL = "sqlite:///./data/koereplan.db"
DEFAULT_ASYLUM_MAIL_URL = "mailto://127.0.0.1:8025?from=koereplan@aalborg.example"


class Settings(BaseSettings):
    """Everything a deployment may change without touching code."""

    model_config = SettingsConfigDict(
        env_prefix="KOEREPLAN_",
        extra="ignore",
        env_ignore_empty=True,  # `KOEREPLAN_DATABASE_URL=` means the default, as before
        populate_by_name=True,
    )

    env: Literal["demo", "production"] = Field(
        "demo",
        description="`production` refuses the demo's defaults at start (settings.production).",
    )
    municipality_code: str = Field("851", description="Only notices for this municipality.")
    arrivals_per_day: int = Field(2, ge=1, description="Households that may arrive on one day.")
    definition: Path = Field(
        AALBORG_DEFINITION, description="The køreplan file (steps, departments)."
    )
    database_url: str = Field(DEFAULT_DATABASE_URL)
    inbox: Path = Field(Path("data/inbox"), description="Where notice files are dropped.")
    inbox_settle_seconds: float = Field(
        5, ge=0, description="A notice is taken once unchanged this long (still being written)."
    )
    apprise_config: Path = Field(EXAMPLE_ROUTING)
    asylum_mail_url: str = Field(
        DEFAULT_ASYLUM_MAIL_URL,
        description="SMTP transport for mails to asylum centres; the centre's address is added.",
    )
    webhook_timeout_s: float = Field(
        30.0, gt=0, description="How long a webhook may take to answer before it is retried."
    )
    intake_every_s: int = Field(
        60, ge=5, description="How often `koereplan serve` reads the inbox, in seconds."
    )
    documents_dir: Path = Field(
        Path("data/documents"), description="Where documents beside notices are filed (0700)."
    )
    document_wait_seconds: int = Field(
        3600, ge=0, description="How long a document waits in the inbox for its notice."
    )
    document_missing_seconds: int = Field(
        86400, ge=0, description="After this, an announced document not received is reported."
    )
    remind_within_wd: int = Field(3, ge=0, description="Remind when due within N working days.")
    escalate_every_wd: int = Field(5, ge=1, description="Repeat escalations every M working days.")
    user: str | None = Field(
        None, description="The coordinator's initials when a command gets no --af."
    )
    prefect_ui_url: str | None = Field(
        None,
        validation_alias=AliasChoices("PREFECT_UI_URL", "prefect_ui_url"),
        description="Where people open the Prefect UI: every message links a case's run there.",
    )
    prefect_api_url: str | None = Field(
        None,
        validation_alias=AliasChoices("PREFECT_API_URL", "prefect_api_url"),
        description="Prefect's API; without it the CLI does not talk to Prefect at all.",
    )

    @field_validator("municipality_code")
    @classmethod
    def _digits(cls, value: str) -> str:
        if not value.isdigit():
            raise ValueError("must be digits, e.g. 851")
        return value.lstrip("0") or "0"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once (the CLI and tests clear the cache to read anew)."""
    return Settings()
