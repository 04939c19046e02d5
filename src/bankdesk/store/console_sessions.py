"""Review console sign-ins: a random cookie token, stored only as its hash, that expires.

A session lasts until it expires, its holder signs out, or its API key is revoked; the CSRF
token that every console form must carry belongs to the session.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bankdesk.store.keys import hash_key
from bankdesk.store.models import ApiKey, ConsoleSession

KEPT_AFTER_ENDING = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class OpenedSession:
    """A session just opened: the row, and the cookie's token, which is not stored."""

    row: ConsoleSession
    token: str


class ConsoleSessionRepository:
    """Open, find and end console sessions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open(self, key: ApiKey, *, now: datetime, lifetime: timedelta) -> OpenedSession:
        """A new session for the key, valid for `lifetime`; sessions over for a while are
        dropped on the way (the audit chain keeps every sign-in and sign-out)."""
        over = now - KEPT_AFTER_ENDING
        await self._session.execute(
            delete(ConsoleSession).where(
                or_(ConsoleSession.ended_at < over, ConsoleSession.expires_at < over)
            )
        )
        token = secrets.token_urlsafe(32)
        row = ConsoleSession(
            id=hash_key(token),
            key_id=key.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + lifetime,
        )
        self._session.add(row)
        await self._session.flush()
        return OpenedSession(row=row, token=token)

    async def find(self, token: str, *, now: datetime) -> tuple[ConsoleSession, ApiKey] | None:
        """The live session a cookie's token belongs to, with its key; None when the token is
        unknown, the session ended or expired, or the key was revoked."""
        found = await self._session.execute(
            select(ConsoleSession, ApiKey)
            .join(ApiKey, ApiKey.id == ConsoleSession.key_id)
            .where(
                ConsoleSession.id == hash_key(token),
                ConsoleSession.ended_at.is_(None),
                ConsoleSession.expires_at > now,
                ApiKey.revoked_at.is_(None),
            )
        )
        row = found.first()
        return None if row is None else (row[0], row[1])

    async def end(self, row: ConsoleSession, *, now: datetime) -> None:
        """Sign the session out: its cookie signs nobody in from now on."""
        row.ended_at = now
        await self._session.flush()
