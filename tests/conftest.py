"""Fixtures shared by every test: the wired application on its embedded defaults."""

import pytest

from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.lending.flow import LendingFlow
from bankdesk.policy.engine import PolicyEngine
from bankdesk.settings import Settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def app(settings: Settings) -> Bankdesk:
    return bootstrap(settings)


@pytest.fixture(scope="session")
def policies(app: Bankdesk) -> PolicyEngine:
    return app.policies


@pytest.fixture(scope="session")
def lending(app: Bankdesk) -> LendingFlow:
    return app.lending
