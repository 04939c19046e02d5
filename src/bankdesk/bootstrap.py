"""Wire settings into the parts bankdesk runs with; API, CLI and handlers call this once."""

from dataclasses import dataclass, replace
from pathlib import Path

from bankdesk.banking.agents import AGENTS
from bankdesk.banking.classifier import IntentModel, ModelFileError, default_model
from bankdesk.banking.orchestrator import Orchestrator
from bankdesk.banking.routing import read_routing
from bankdesk.banking.service import RetailBanking
from bankdesk.banking.triage import Triage
from bankdesk.domain.errors import InvalidSettings
from bankdesk.lending.facts import LoanFacts, offline_facts
from bankdesk.lending.flow import LendingFlow
from bankdesk.lending.guardrails import Limits
from bankdesk.lending.reading import ApplicationReader
from bankdesk.llm.offline import OfflineProvider
from bankdesk.llm.openai_compatible import OpenAIConfig, OpenAIProvider
from bankdesk.llm.protocol import Provider
from bankdesk.policy.engine import PolicyEngine
from bankdesk.policy.registry import PACKAGED_POLICY_DIR, discover
from bankdesk.runtime.executor import Executor, LocalExecutor
from bankdesk.runtime.functions import FUNCTIONS
from bankdesk.runtime.lending import PolicyFunction
from bankdesk.settings import Settings, get_settings
from bankdesk.store.database import Database, connect


@dataclass(frozen=True, slots=True)
class Bankdesk:
    """The wired application: settings, policies, the model, lending, banking, the database,
    and the executor that runs the functions (the lending policy step, the agents)."""

    settings: Settings
    policies: PolicyEngine
    provider: Provider
    reader: ApplicationReader
    lending: LendingFlow
    banking: RetailBanking
    database: Database
    executor: Executor

    async def close(self) -> None:
        """Release the executor's threads and the database's connections."""
        await self.executor.close()
        await self.database.dispose()


def build_provider(settings: Settings) -> Provider:
    """The offline provider, or the OpenAI-compatible one when BANKDESK_LLM_PROVIDER=openai."""
    if settings.llm_provider == "offline":
        return OfflineProvider({LoanFacts: offline_facts})
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if not key and settings.openai_base_url is None:
        raise InvalidSettings(
            "BANKDESK_LLM_PROVIDER is openai but OPENAI_API_KEY is not set; set it, or set "
            "OPENAI_BASE_URL to a server that needs no key"
        )
    return OpenAIProvider(
        OpenAIConfig(
            model=settings.llm_model,
            api=settings.llm_api,
            output=settings.llm_output,
            # Local servers (llama.cpp, vLLM, Ollama) take any key; the SDK insists on one.
            api_key=key or "no-key",
            base_url=settings.openai_base_url,
            timeout_seconds=settings.llm_timeout_seconds,
            max_retries=settings.llm_max_retries,
            max_output_tokens=settings.llm_max_output_tokens,
            temperature=settings.llm_temperature,
            prices=settings.llm_prices,
        )
    )


def build_policy_engine(settings: Settings) -> PolicyEngine:
    """Packaged policies, overridden or extended by those in BANKDESK_POLICY_DIR."""
    directories: list[Path] = [PACKAGED_POLICY_DIR]
    if settings.policy_dir is not None:
        directories.append(settings.policy_dir)
    return PolicyEngine(discover(directories))


def bootstrap(settings: Settings | None = None) -> Bankdesk:
    """Build everything from settings (the environment's when none are given)."""
    settings = settings or get_settings()
    policies = build_policy_engine(settings)
    if settings.lending_policy not in policies.ids():  # fail at start-up, not on first use
        raise InvalidSettings(
            f"BANKDESK_LENDING_POLICY is {settings.lending_policy!r}, which is not installed; "
            f"installed: {', '.join(policies.ids())}"
        )
    lending = LendingFlow(
        engine=policies,
        policy_id=settings.lending_policy,
        limits=Limits(
            max_monthly_income=settings.max_monthly_income,
            max_requested_amount=settings.max_requested_amount,
        ),
        default_currency=settings.default_currency,
        max_text_chars=settings.max_text_chars,
    )
    provider = build_provider(settings)
    reader = ApplicationReader(provider, fallback=settings.llm_fallback)
    database = connect(settings.database_url)  # no connection is made until one is used
    local = LocalExecutor(FUNCTIONS)
    executor = build_executor(settings, local)
    lending = replace(lending, evaluator=PolicyFunction(executor))
    orchestrator = Orchestrator(
        executor=executor,
        sessions=database.sessions,
        timeout_seconds=settings.agent_timeout_seconds,
    )
    banking = RetailBanking(
        sessions=database.sessions,
        triage=build_triage(settings, provider),
        routing=read_routing(settings.routing_file, agents=AGENTS),
        orchestrator=orchestrator,
    )
    app = Bankdesk(
        settings=settings,
        policies=policies,
        provider=provider,
        reader=reader,
        lending=lending,
        banking=banking,
        database=database,
        executor=executor,
    )
    local.attach(app)  # the functions run on the application they belong to
    return app


def build_executor(settings: Settings, local: LocalExecutor) -> Executor:
    """The in-process executor, or the Lambda one when BANKDESK_EXECUTOR=lambda."""
    if settings.executor == "local":
        return local
    from bankdesk.runtime.aws import LambdaExecutor  # boto3 loads only where it is used

    return LambdaExecutor.from_settings(settings)


def build_triage(settings: Settings, provider: Provider) -> Triage:
    """The shipped intent model, or the one in BANKDESK_TRIAGE_MODEL, cascading to the model."""
    try:
        model = (
            default_model()
            if settings.triage_model is None
            else IntentModel.load(settings.triage_model)
        )
    except ModelFileError as error:  # fail at start-up with the setting named, exit code 3
        raise InvalidSettings(f"BANKDESK_TRIAGE_MODEL: {error}") from None
    return Triage(
        model,
        provider,
        threshold=settings.triage_threshold,
        secondary_threshold=settings.triage_secondary_threshold,
    )
