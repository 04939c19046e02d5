"""Idempotency records: the first response to a keyed POST, replayed for its retries."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bankdesk.store.models import IdempotencyRecord


class IdempotencyRepository:
    """Claim a key for a request, and store the response it produced."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, *, owner: str, key: str) -> IdempotencyRecord | None:
        """The record for this caller's key, if there is one."""
        return await self._session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.owner == owner, IdempotencyRecord.key == key
            )
        )

    async def claim(self, *, owner: str, key: str, fingerprint: str) -> IdempotencyRecord:
        """Insert the record; a concurrent claim of the same key fails on its unique constraint."""
        record = IdempotencyRecord(owner=owner, key=key, fingerprint=fingerprint)
        self._session.add(record)
        await self._session.flush()
        return record

    async def complete(self, record: IdempotencyRecord, *, status: int, body: str) -> None:
        """Keep the response so a retry gets exactly the same one."""
        record.status_code = status
        record.response_body = body
        await self._session.flush()
