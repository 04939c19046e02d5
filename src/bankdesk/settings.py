"""Typed settings, read from BANKDESK_* environment variables; nothing else reads os.environ."""

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bankdesk.domain.errors import InvalidSettings


class Settings(BaseSettings):
    """Everything bankdesk can be configured with; every field has an embedded default."""

    model_config = SettingsConfigDict(env_prefix="BANKDESK_", extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite+aiosqlite:///./bankdesk.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///FILE or postgresql+asyncpg://...",
    )
    host: str = Field(default="127.0.0.1", description="Address `bankdesk serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `bankdesk serve` uses.")
    max_body_bytes: int = Field(
        default=256 * 1024, gt=0, description="Largest request body accepted, in bytes (413 above)."
    )
    log_level: str = Field(default="INFO", description="Level of the JSON request log.")
    policy_dir: Path | None = Field(
        default=None,
        description="Directory of extra or replacement JDM policy files (GoRules editor exports).",
    )
    lending_policy: str = Field(
        default="seed-dti", description="Policy that decides free-text loan applications."
    )
    default_currency: str = Field(
        default="USD",
        pattern=r"^[A-Z]{3}$",
        description="Currency assumed when a borrower's text names none.",
    )
    max_text_chars: int = Field(
        default=20_000, gt=0, description="Longest borrower message accepted, in characters."
    )
    max_monthly_income: Decimal = Field(
        default=Decimal("1000000"),
        gt=0,
        description="Monthly income above this is treated as implausible and not decided.",
    )
    max_requested_amount: Decimal = Field(
        default=Decimal("50000000"),
        gt=0,
        description="Requested amounts above this are treated as implausible and not decided.",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"BANKDESK_{'_'.join(str(part) for part in item['loc']).upper()}: {item['msg']}"
            for item in error.errors(include_url=False)
        )
        raise InvalidSettings(problems) from None
