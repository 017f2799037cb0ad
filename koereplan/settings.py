"""Settings, validated at start-up: environment variables with the prefix `KOEREPLAN_`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from koereplan.definition import default_definition_path

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO_ROOT / "config"


class Settings(BaseSettings):
    """Everything a deployment may change without touching code."""

    model_config = SettingsConfigDict(env_prefix="KOEREPLAN_", extra="ignore")

    municipality_code: str = Field("851", description="Only notices for this municipality.")
    arrivals_per_day: int = Field(2, ge=1, description="Households that may arrive on one day.")
    definition: Path = Field(
        default_factory=default_definition_path,
        description="The køreplan file (steps, departments).",
    )
    database_url: str = Field("sqlite:///./data/koereplan.db")
    inbox: Path = Field(Path("data/inbox"), description="Where notice files are dropped.")
    inbox_settle_seconds: float = Field(
        5, ge=0, description="A notice is taken once unchanged this long (still being written)."
    )
    apprise_config: Path = Field(CONFIG_DIR / "apprise.example.yaml")
    asylum_mail_url: str = Field(
        "mailto://127.0.0.1:8025?from=koereplan@aalborg.example",
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

    @field_validator("municipality_code")
    @classmethod
    def _digits(cls, value: str) -> str:
        if not value.isdigit():
            raise ValueError("must be digits, e.g. 851")
        return value.lstrip("0") or "0"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
