"""API keys: only a hash is stored; a key authenticates until it is revoked."""

import hashlib
import re

from sqlalchemy import text

from bankdesk.bootstrap import Bankdesk
from bankdesk.domain.access import Role
from bankdesk.store.keys import IssuedKey
from bankdesk.store.unit_of_work import UnitOfWork

TOKEN = re.compile(r"^bdk_(?P<id>[0-9a-f]{12})_\S+$")


async def create(bankdesk: Bankdesk, role: Role = Role.INTAKE, name: str = "ci") -> IssuedKey:
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        issued = await uow.keys.create(role=role, name=name)
        await uow.commit()
        return issued


async def authenticate(bankdesk: Bankdesk, token: str) -> str | None:
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        key = await uow.keys.authenticate(token)
        return None if key is None else key.id


async def revoke(bankdesk: Bankdesk, key_id: str) -> None:
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        key = await uow.keys.get(key_id)
        assert key is not None
        await uow.keys.revoke(key)
        await uow.commit()


async def count_active(bankdesk: Bankdesk) -> int:
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        return sum(key.revoked_at is None for key in await uow.keys.all())


async def test_only_a_hash_of_the_key_is_stored(bankdesk: Bankdesk) -> None:
    issued = await create(bankdesk)

    async with bankdesk.database.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT * FROM api_keys"))).all()

    match = TOKEN.match(issued.token)
    assert match is not None
    assert match["id"] == issued.row.id
    assert len(rows) == 1
    assert issued.row.key_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    secret = issued.token.split("_", 2)[2]
    assert not any(secret in str(value) for value in rows[0])


async def test_a_key_authenticates_until_it_is_revoked(bankdesk: Bankdesk) -> None:
    kept, revoked = await create(bankdesk, name="kept"), await create(bankdesk, name="revoked")
    assert await count_active(bankdesk) == 2
    assert await authenticate(bankdesk, revoked.token) == revoked.row.id

    await revoke(bankdesk, revoked.row.id)

    assert await authenticate(bankdesk, revoked.token) is None
    assert await authenticate(bankdesk, kept.token) == kept.row.id
    assert await count_active(bankdesk) == 1


async def test_a_made_up_or_altered_key_does_not_authenticate(bankdesk: Bankdesk) -> None:
    issued = await create(bankdesk)

    assert await authenticate(bankdesk, f"bdk_{issued.row.id}_not-the-secret") is None
    assert await authenticate(bankdesk, issued.token[:-1]) is None
    assert await authenticate(bankdesk, issued.row.key_hash) is None
