"""Typed settings, read from BANKDESK_* environment variables; nothing else reads os.environ."""

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bankdesk.domain.errors import InvalidSettings


class ModelPrice(BaseModel):
    """What a model costs, in US dollars per million tokens."""

    input_per_million: Decimal = Field(ge=0)
    output_per_million: Decimal = Field(ge=0)


# OpenAI's list prices (USD per million tokens); BANKDESK_LLM_PRICES replaces the table.
DEFAULT_PRICES: dict[str, ModelPrice] = {
    "gpt-4.1": ModelPrice(input_per_million=Decimal("2.00"), output_per_million=Decimal("8.00")),
    "gpt-4.1-mini": ModelPrice(
        input_per_million=Decimal("0.40"), output_per_million=Decimal("1.60")
    ),
    "gpt-4.1-nano": ModelPrice(
        input_per_million=Decimal("0.10"), output_per_million=Decimal("0.40")
    ),
    "gpt-4o-mini": ModelPrice(
        input_per_million=Decimal("0.15"), output_per_million=Decimal("0.60")
    ),
}


class Settings(BaseSettings):
    """Everything bankdesk can be configured with; every field has an embedded default."""

    # populate_by_name: Settings(lambda_region=...) works beside the aliases' variables.
    model_config = SettingsConfigDict(
        env_prefix="BANKDESK_", extra="ignore", frozen=True, populate_by_name=True
    )

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

    triage_model: Path | None = Field(
        default=None,
        description="Intent model file from `bankdesk triage train` (the shipped one when unset).",
    )
    triage_threshold: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="With a model configured, messages the offline classifier is less sure of "
        "than this are classified by the model (a cascade: confident ones cost nothing).",
    )
    triage_secondary_threshold: float = Field(
        default=0.25,
        gt=0,
        le=1,
        description="Another intent at least this probable is reported as a secondary intent.",
    )
    routing_file: Path | None = Field(
        default=None,
        description="TOML file mapping intents to agents (the shipped table when unset).",
    )
    agent_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="Time each specialist agent has to answer."
    )

    review_claim_minutes: float = Field(
        default=30, gt=0, le=24 * 60, description="How long a claim on a review task lasts."
    )
    review_four_eyes_amount: Decimal = Field(
        default=Decimal("50000"),
        ge=0,
        description="A person's decision that overrides the policy on a loan above this amount "
        "needs a second underwriter to confirm it.",
    )
    console_session_hours: float = Field(
        default=8,
        gt=0,
        le=24 * 7,
        description="How long a sign-in to the review console lasts (signing out ends it early).",
    )

    executor: Literal["local", "lambda"] = Field(
        default="local",
        description="Where the lending decision function and the banking agents run: local "
        "(in this process) or lambda (AWS Lambda functions, invoked with boto3).",
    )
    lambda_endpoint_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("BANKDESK_LAMBDA_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA"),
        description="Lambda endpoint to invoke, e.g. `bankdesk lambda serve`'s "
        "http://127.0.0.1:9001 (AWS's own when unset; AWS_ENDPOINT_URL_LAMBDA works too).",
    )
    lambda_region: str | None = Field(
        default=None,
        validation_alias=AliasChoices("BANKDESK_LAMBDA_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
        description="AWS region of the functions (AWS_REGION when unset, else us-east-1).",
    )
    lambda_function_prefix: str = Field(
        default="",
        max_length=39,  # Lambda names are at most 64; the longest seed name is 25
        description="Prefix of the deployed function names, e.g. `bankdesk-prod-` (the stage).",
    )
    lambda_functions: dict[str, str] = Field(
        default_factory=dict,
        description="JSON map from a function's seed name to its deployed name or ARN; "
        "overrides the prefix for the functions it names.",
    )
    lambda_timeout_seconds: float = Field(
        default=30.0, gt=0, le=900, description="Time to wait for one function's answer."
    )
    lambda_max_attempts: int = Field(
        default=5, ge=1, le=20, description="Attempts per invocation when Lambda throttles (429)."
    )

    llm_provider: Literal["offline", "openai"] = Field(
        default="offline",
        description="offline (no network) or openai (OpenAI or any OpenAI-compatible server).",
    )
    llm_model: str = Field(default="gpt-4.1-mini", min_length=1, description="Model to call.")
    llm_api: Literal["responses", "chat"] = Field(
        default="responses",
        description="responses (OpenAI's Responses API) or chat (Chat Completions, which vLLM, "
        "llama.cpp, Ollama and Azure speak).",
    )
    llm_output: Literal["json_schema", "json_object"] = Field(
        default="json_schema",
        description="json_schema (strict structured output) or json_object, for servers that "
        "only take response_format json_object; the schema then goes beside it and in the prompt.",
    )
    llm_fallback: Literal["offline", "none"] = Field(
        default="offline",
        description="When the model fails: offline (use the offline reading, marked degraded) or "
        "none (no automatic decision; the case goes to review).",
    )
    llm_timeout_seconds: float = Field(
        default=30.0, gt=0, le=600, description="Time allowed for one model request."
    )
    llm_max_retries: int = Field(
        default=2, ge=0, le=10, description="Retries (with backoff) on timeouts, 429 and 5xx."
    )
    llm_max_output_tokens: int = Field(
        default=1500, gt=0, description="Most tokens a model may write in one answer."
    )
    llm_temperature: float | None = Field(
        default=0.0,
        ge=0,
        le=2,
        description="Sampling temperature (0 for repeatable answers); 'none' to send none, for "
        "models that take none.",
    )
    llm_prices: dict[str, ModelPrice] = Field(
        default_factory=lambda: dict(DEFAULT_PRICES),
        description="Price table as JSON: {model: {input_per_million, output_per_million}}.",
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("BANKDESK_OPENAI_API_KEY", "OPENAI_API_KEY"),
        description="API key for the openai provider (OPENAI_API_KEY).",
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("BANKDESK_OPENAI_BASE_URL", "OPENAI_BASE_URL"),
        description="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.",
    )

    @field_validator("llm_temperature", mode="before")
    @classmethod
    def _no_temperature(cls, value: object) -> object:
        """'none' (or nothing) sends no temperature, for models that take none."""
        if isinstance(value, str) and value.strip().lower() in {"", "none"}:
            return None
        return value


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
