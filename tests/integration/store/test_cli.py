"""The installed `bankdesk` script's database commands, run as separate processes on a fresh
SQLite file and a fresh PostgreSQL database."""

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import delete, update

from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.domain.access import Role
from bankdesk.settings import Settings
from bankdesk.store.migrations import alembic_config, upgrade
from bankdesk.store.models import AuditEvent
from bankdesk.store.unit_of_work import UnitOfWork

SCRIPT = Path(sys.executable).with_name("bankdesk")
TOKEN = re.compile(r"^bdk_[0-9a-f]{12}_\S+$")
T = TypeVar("T")
Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(empty_database_url: str, tmp_path: Path) -> Cli:
    """Run `bankdesk ARGS...` against the test's database; never waits more than a minute."""
    if not SCRIPT.exists():
        pytest.fail(f"the bankdesk console script is not installed at {SCRIPT}")
    env = {**os.environ, "BANKDESK_DATABASE_URL": empty_database_url}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            env=env,
            cwd=tmp_path,
        )

    return run


def in_process(url: str, work: Callable[[Bankdesk], Awaitable[T]]) -> T:
    """Migrate the database and run async work on it from the test itself."""
    upgrade(url)

    async def run() -> T:
        app = bootstrap(Settings(database_url=url))  # type: ignore[call-arg]
        try:
            return await work(app)
        finally:
            await app.close()

    return asyncio.run(run())


async def revision(app: Bankdesk) -> str | None:
    async with app.database.engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def create_key(app: Bankdesk) -> str:
    async with UnitOfWork(app.database.sessions) as uow:
        issued = await uow.keys.create(role=Role.INTAKE, name="ci")
        await uow.commit()
        return issued.token


async def authenticates(app: Bankdesk, token: str) -> bool:
    async with UnitOfWork(app.database.sessions) as uow:
        return await uow.keys.authenticate(token) is not None


async def append_three_events(app: Bankdesk) -> None:
    async with UnitOfWork(app.database.sessions, actor="teller") as uow:
        for number in range(3):
            await uow.audit.record("note.added", entity_type="note", entity_id=f"note-{number}")
        await uow.commit()


def test_db_upgrade_migrates_an_empty_database(cli: Cli, empty_database_url: str) -> None:
    done = cli("db", "upgrade")

    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "database is at the latest schema" in done.stderr
    head = ScriptDirectory.from_config(alembic_config(empty_database_url)).get_current_head()
    assert in_process(empty_database_url, revision) == head


def test_keys_create_prints_only_the_key_on_stdout(cli: Cli) -> None:
    done = cli("keys", "create", "--role", "intake", "--name", "ci")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    assert TOKEN.match(lines[0]), done.stdout
    assert "intake" in done.stderr
    assert lines[0] not in done.stderr


def test_keys_list_shows_a_key_without_its_secret(cli: Cli, empty_database_url: str) -> None:
    token = in_process(empty_database_url, create_key)
    _, key_id, secret = token.split("_", 2)

    done = cli("keys", "list")

    assert done.returncode == 0, done.stderr
    assert key_id in done.stdout
    assert "intake" in done.stdout
    assert secret not in done.stdout + done.stderr


def test_keys_revoke_stops_the_key_authenticating(cli: Cli, empty_database_url: str) -> None:
    token = in_process(empty_database_url, create_key)
    key_id = token.split("_")[1]

    done = cli("keys", "revoke", key_id)

    assert done.returncode == 0, done.stderr
    assert f"revoked key {key_id}" in done.stderr
    assert not in_process(empty_database_url, lambda app: authenticates(app, token))


def test_revoking_an_unknown_key_exits_two_with_one_line(cli: Cli) -> None:
    done = cli("keys", "revoke", "0123456789ab")

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == ["error: no API key with id '0123456789ab'"]


def test_audit_verify_reports_an_intact_chain(cli: Cli, empty_database_url: str) -> None:
    in_process(empty_database_url, append_three_events)

    done = cli("audit", "verify")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "audit chain intact: 3 events verified"


@pytest.mark.parametrize(
    ("statement", "broken_at"),
    [
        pytest.param(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="x"), 2, id="edit"),
        pytest.param(delete(AuditEvent).where(AuditEvent.seq == 2), 3, id="delete"),
    ],
)
def test_audit_verify_names_the_event_tampered_with(
    cli: Cli, empty_database_url: str, tamper, statement, broken_at: int
) -> None:
    in_process(empty_database_url, append_three_events)
    asyncio.run(tamper(empty_database_url, statement))

    done = cli("audit", "verify")

    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(f"audit chain BROKEN at event {broken_at}: "), done.stdout
    assert "(1 events before it verified)" in done.stdout
