"""Fixtures for the HTTP API tests: keys for every role, and a look into the database."""

import pytest
from sqlalchemy import func, select

from bankdesk.domain.access import Role
from bankdesk.store.models import LoanApplication


@pytest.fixture
async def underwriter_headers(issue_key) -> dict[str, str]:
    return await issue_key(Role.UNDERWRITER)


@pytest.fixture
async def admin_headers(issue_key) -> dict[str, str]:
    return await issue_key(Role.ADMIN)


@pytest.fixture
def count_applications(bankdesk):
    """How many loan applications the database holds."""

    async def count() -> int:
        async with bankdesk.database.sessions() as session:
            total = await session.scalar(select(func.count()).select_from(LoanApplication))
        return int(total or 0)

    return count
