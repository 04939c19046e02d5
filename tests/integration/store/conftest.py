"""Store fixtures: empty databases of each kind, and a way to edit audit rows behind bankdesk's
back (past the triggers that keep them append-only)."""

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.sql import Executable
from tests.support.databases import empty_postgres_database, require_postgres

from bankdesk.store.database import connect

Tamper = Callable[[str, Executable], Awaitable[None]]
SQLITE_AUDIT_TRIGGERS = ("audit_events_no_update", "audit_events_no_delete")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind with no tables at all (not migrated)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    require_postgres()
    with empty_postgres_database("bankdesk_empty") as url:
        yield url


async def _tamper(url: str, statement: Executable) -> None:
    database = connect(url)
    try:
        async with database.engine.begin() as connection:
            if database.dialect == "postgresql":
                # A superuser may switch off ordinary triggers for one transaction.
                await connection.execute(text("SET LOCAL session_replication_role = replica"))
            else:
                for trigger in SQLITE_AUDIT_TRIGGERS:
                    await connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
            await connection.execute(statement)
    finally:
        await database.dispose()


@pytest.fixture
def tamper() -> Tamper:
    """Run a statement on a database past its append-only triggers, as an intruder would."""
    return _tamper
