"""Signing in to the console and out again; both are links of the audit chain."""

from datetime import datetime, timedelta

from bankdesk.domain.access import Permission, Role, allows
from bankdesk.domain.errors import SignInRefused
from bankdesk.store.console_sessions import OpenedSession
from bankdesk.store.models import ApiKey, ConsoleSession
from bankdesk.store.unit_of_work import UnitOfWork


async def sign_in(
    uow: UnitOfWork, token: str, *, now: datetime, lifetime: timedelta
) -> OpenedSession:
    """A console session for an underwriter's or admin's API key; SignInRefused otherwise."""
    key = await uow.keys.authenticate(token.strip()) if token.strip() else None
    if key is None:
        raise SignInRefused("That key is not valid or has been revoked.")
    if not may_review(key):
        raise SignInRefused(
            f"An {key.role} key cannot work the review queue; sign in with an underwriter "
            "or admin key."
        )
    uow.act_as(f"key:{key.id}")
    opened = await uow.console_sessions.open(key, now=now, lifetime=lifetime)
    await uow.audit.record(
        "console.signed_in",
        entity_type="api_key",
        entity_id=key.id,
        after={"expires_at": opened.row.expires_at.isoformat()},
    )
    return opened


async def sign_out(uow: UnitOfWork, session: ConsoleSession, *, now: datetime) -> None:
    """End the session: its cookie signs nobody in from now on."""
    await uow.console_sessions.end(session, now=now)
    await uow.audit.record("console.signed_out", entity_type="api_key", entity_id=session.key_id)


def may_review(key: ApiKey) -> bool:
    """Whether the key's role works the review queue."""
    return allows(Role(key.role), Permission.REVIEW)
