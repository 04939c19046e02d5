"""Running async database work from a command, and the admin key on first start."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bankdesk.bootstrap import Bankdesk
from bankdesk.domain.access import Role
from bankdesk.store.keys import IssuedKey
from bankdesk.store.migrations import upgrade
from bankdesk.store.unit_of_work import UnitOfWork

T = TypeVar("T")


def run_with_database(app: Bankdesk, work: Callable[[Bankdesk], Awaitable[T]]) -> T:
    """Migrate, run one piece of async work, and close the connections it opened."""
    upgrade(app.settings.database_url)

    async def run() -> T:
        try:
            return await work(app)
        finally:
            await app.close()

    return asyncio.run(run())


async def issue_key(app: Bankdesk, *, role: Role, name: str, actor: str) -> IssuedKey:
    """Create a key and record it in the audit chain."""
    async with UnitOfWork(app.database.sessions, actor=actor) as uow:
        issued = await uow.keys.create(role=role, name=name)
        await uow.audit.record(
            "api_key.created",
            entity_type="api_key",
            entity_id=issued.row.id,
            after={"name": name, "role": role.value},
        )
        await uow.commit()
        return issued


async def first_admin_key(app: Bankdesk) -> IssuedKey | None:
    """An admin key on the first start (no key was ever created), else None.

    Keys revoked later do not bring this back: a new admin key is then made on purpose with
    `bankdesk keys create --role admin`, not printed by a restart."""
    async with UnitOfWork(app.database.sessions) as uow:
        if await uow.keys.count_all():
            return None
    return await issue_key(app, role=Role.ADMIN, name="first admin", actor="serve")
