"""Integration fixtures: every test runs on SQLite and on PostgreSQL, on a fresh database.

With BANKDESK_EXECUTOR=lambda the functions (the lending policy step, the banking agents)
run in `bankdesk lambda serve`, started once, and each test points them at its database.
"""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from tests.support.bank import SeededCustomer, seed_customer
from tests.support.databases import PostgresTemplate, require_postgres, sqlite_url
from tests.support.lambda_endpoint import lambda_endpoint, point_functions_at

from bankdesk.api.app import create_app
from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.domain.access import Role
from bankdesk.settings import Settings
from bankdesk.store.unit_of_work import UnitOfWork


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate]:
    require_postgres()
    template = PostgresTemplate()
    yield template
    template.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database at the latest schema, of each kind."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    template: PostgresTemplate = request.getfixturevalue("postgres_template")
    with template.copy() as url:
        yield url


# Only the `bankdesk` fixture runs on the endpoint; no other process (a CLI under test)
# inherits the setting and goes looking for AWS.
ON_LAMBDA = os.environ.pop("BANKDESK_EXECUTOR", "local") == "lambda"


@pytest.fixture(scope="session")
def lambda_url() -> Iterator[str]:
    """The local Lambda endpoint's URL (one endpoint for the whole run)."""
    with lambda_endpoint() as url:
        yield url


@pytest.fixture
async def bankdesk(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Bankdesk]:
    options: dict[str, str] = {"database_url": database_url}
    if ON_LAMBDA:
        url = request.getfixturevalue("lambda_url")
        point_functions_at(url, database_url)
        options |= {"executor": "lambda", "lambda_endpoint_url": url}
    wired = bootstrap(Settings(**options))  # type: ignore[arg-type]
    yield wired
    await wired.close()


@pytest.fixture
async def client(bankdesk: Bankdesk) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(bankdesk))
    async with httpx.AsyncClient(transport=transport, base_url="http://bankdesk.test") as http:
        yield http


@pytest.fixture
def issue_key(bankdesk: Bankdesk):
    """Create an API key with a role; returns the Authorization header for it."""

    async def issue(role: Role, name: str = "test") -> dict[str, str]:
        async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
            issued = await uow.keys.create(role=role, name=name)
            await uow.commit()
        return {"Authorization": f"Bearer {issued.token}"}

    return issue


@pytest.fixture
async def intake_headers(issue_key) -> dict[str, str]:
    return await issue_key(Role.INTAKE)


@pytest.fixture
async def auditor_headers(issue_key) -> dict[str, str]:
    return await issue_key(Role.AUDITOR)


@pytest.fixture
async def seeded(bankdesk: Bankdesk) -> SeededCustomer:
    """A bank customer with accounts, cards, a payment they will not recognise, and a loan."""
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        customer = await seed_customer(uow)
        await uow.commit()
    return customer
