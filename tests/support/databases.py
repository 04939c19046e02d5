"""Fresh databases for integration tests: a SQLite file, or a PostgreSQL database cloned
from a template migrated once per test run."""

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest

from bankdesk.store.migrations import upgrade

POSTGRES_URL = os.environ.get(
    "BANKDESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
IN_CI = bool(os.environ.get("CI"))


def _admin(sql: str) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(POSTGRES_URL, timeout=5)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    # In a thread of its own: the caller's thread may be running an event loop (Playwright's
    # sync API runs one while a browser is open).
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, run()).result()


def _async_url(database: str) -> str:
    base = POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{database}"


def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    try:
        _admin("SELECT 1")
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"PostgreSQL at {POSTGRES_URL} is unreachable ({type(error).__name__}: {error})"
    return None


@contextmanager
def empty_postgres_database(prefix: str = "bankdesk_test") -> Iterator[str]:
    """A new PostgreSQL database with nothing in it, dropped afterwards; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield _async_url(name)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PostgresTemplate:
    """A database migrated to head once; every test gets a copy of it."""

    def __init__(self) -> None:
        self.name = f"bankdesk_template_{uuid.uuid4().hex[:10]}"
        _admin(f'CREATE DATABASE "{self.name}"')
        upgrade(_async_url(self.name))

    @contextmanager
    def copy(self) -> Iterator[str]:
        name = f"bankdesk_test_{uuid.uuid4().hex[:12]}"
        _admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        try:
            yield _async_url(name)
        finally:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop(self) -> None:
        _admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def require_postgres() -> None:
    """Skip a PostgreSQL test when there is no server, except in CI, where it fails."""
    reason = postgres_unavailable()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"{reason}; in CI the PostgreSQL tests must run, not skip")
    pytest.skip(f"{reason}; set CI=true to make this a failure")


def sqlite_url(directory: Path) -> str:
    """A new SQLite database file, migrated to head."""
    url = f"sqlite+aiosqlite:///{directory / 'bankdesk.db'}"
    upgrade(url)
    return url
