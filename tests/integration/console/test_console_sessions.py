"""Console sessions in the store: found only while live, and dropped a month after they end."""

from datetime import timedelta

from sqlalchemy import select

from bankdesk.bootstrap import Bankdesk
from bankdesk.domain.access import Role
from bankdesk.store.keys import hash_key
from bankdesk.store.models import ConsoleSession, utcnow
from bankdesk.store.unit_of_work import UnitOfWork

EIGHT_HOURS = timedelta(hours=8)


async def test_a_session_is_found_only_while_live_and_old_ones_are_dropped(
    bankdesk: Bankdesk,
) -> None:
    now = utcnow()
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        key = (await uow.keys.create(role=Role.UNDERWRITER, name="Uma")).row
        long_gone = await uow.console_sessions.open(
            key, now=now - timedelta(days=40), lifetime=EIGHT_HOURS
        )
        signed_out = await uow.console_sessions.open(
            key, now=now - timedelta(days=2), lifetime=EIGHT_HOURS
        )
        await uow.console_sessions.end(signed_out.row, now=now - timedelta(days=2))
        live = await uow.console_sessions.open(key, now=now, lifetime=EIGHT_HOURS)
        await uow.commit()

    async with UnitOfWork(bankdesk.database.sessions) as uow:
        found = await uow.console_sessions.find(live.token, now=now)
        expired = await uow.console_sessions.find(live.token, now=now + EIGHT_HOURS)
        ended = await uow.console_sessions.find(signed_out.token, now=now - timedelta(days=2))
        kept = set(await uow.session.scalars(select(ConsoleSession.id)))

    assert found is not None and found[1].id == key.id
    assert expired is None and ended is None
    assert kept == {live.row.id, signed_out.row.id}  # the 40-day-old one was dropped
    assert long_gone.row.id not in kept
    assert live.row.id == hash_key(live.token) != live.token  # only the token's hash is stored
