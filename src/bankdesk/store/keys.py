"""API keys: issued once in plain text, stored as a SHA-256 hash, revocable."""

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bankdesk.domain.access import Role
from bankdesk.store.models import ApiKey, utcnow

KEY_PREFIX = "bdk"


def hash_key(token: str) -> str:
    """The stored form of a key. Keys are 256-bit random, so a plain SHA-256 is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just created: the row, and the token, which is never stored or shown again."""

    row: ApiKey
    token: str


class ApiKeyRepository:
    """Create, find and revoke API keys."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, *, role: Role, name: str) -> IssuedKey:
        """A new key with a public id and a secret; only the hash is stored."""
        key_id = secrets.token_hex(6)
        token = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        row = ApiKey(id=key_id, name=name, role=role.value, key_hash=hash_key(token))
        self._session.add(row)
        await self._session.flush()
        return IssuedKey(row=row, token=token)

    async def authenticate(self, token: str) -> ApiKey | None:
        """The active key a bearer token belongs to, if any."""
        row = await self._session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(token)))
        if row is None or row.revoked_at is not None:
            return None
        return row

    async def all(self) -> list[ApiKey]:
        """Every key, newest first."""
        return list(await self._session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())))

    async def get(self, key_id: str) -> ApiKey | None:
        """One key by its public id."""
        return await self._session.get(ApiKey, key_id)

    async def revoke(self, row: ApiKey) -> None:
        """Stop a key from authenticating from now on."""
        row.revoked_at = utcnow()
        await self._session.flush()

    async def count_all(self) -> int:
        """How many keys were ever created, revoked ones included."""
        total = await self._session.scalar(select(func.count()).select_from(ApiKey))
        return int(total or 0)
