"""bankdesk wired to run its functions on the local Lambda endpoint, and in this process."""

from pathlib import Path

import pytest
from tests.support.databases import PostgresTemplate, sqlite_url
from tests.support.lambda_endpoint import point_functions_at

from bankdesk.bootstrap import bootstrap
from bankdesk.settings import Settings


@pytest.fixture
async def on_lambda(lambda_url: str, database_url: str):
    """bankdesk with BANKDESK_EXECUTOR=lambda, its functions on this test's database."""
    point_functions_at(lambda_url, database_url)
    settings = Settings(  # type: ignore[call-arg]
        database_url=database_url,
        executor="lambda",
        lambda_endpoint_url=lambda_url,
        lambda_max_attempts=2,
    )
    wired = bootstrap(settings)
    yield wired
    await wired.close()


@pytest.fixture
async def in_process(database_url: str):
    """bankdesk with BANKDESK_EXECUTOR=local on the same database."""
    wired = bootstrap(Settings(database_url=database_url, executor="local"))  # type: ignore[call-arg]
    yield wired
    await wired.close()


@pytest.fixture
def other_database_url(request: pytest.FixtureRequest, database_url: str, tmp_path: Path):
    """A second fresh database of the same kind as `database_url`."""
    if database_url.startswith("sqlite"):
        folder = tmp_path / "other"
        folder.mkdir()
        url = sqlite_url(folder)
        yield url
        return
    template: PostgresTemplate = request.getfixturevalue("postgres_template")
    with template.copy() as url:
        yield url
