"""Wire settings into the parts bankdesk runs with; API, CLI and handlers call this once."""

from dataclasses import dataclass
from pathlib import Path

from bankdesk.domain.errors import InvalidSettings
from bankdesk.lending.flow import LendingFlow
from bankdesk.lending.guardrails import Limits
from bankdesk.policy.engine import PolicyEngine
from bankdesk.policy.registry import PACKAGED_POLICY_DIR, discover
from bankdesk.settings import Settings, get_settings
from bankdesk.store.database import Database, connect


@dataclass(frozen=True, slots=True)
class Bankdesk:
    """The wired application: settings, policies, the lending flow and the database."""

    settings: Settings
    policies: PolicyEngine
    lending: LendingFlow
    database: Database


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
    database = connect(settings.database_url)  # no connection is made until one is used
    return Bankdesk(settings=settings, policies=policies, lending=lending, database=database)
