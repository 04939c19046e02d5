"""The audit chain: appended in order, tamper-evident, and append-only in the database itself."""

import asyncio

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from bankdesk.bootstrap import Bankdesk
from bankdesk.domain.audit import GENESIS_HASH
from bankdesk.store.audit import ChainReport, verify_chain
from bankdesk.store.models import AuditEvent
from bankdesk.store.unit_of_work import UnitOfWork

EVENTS = 5
MIDDLE = 3
EDITED = "its content does not match its hash"
RELINKED = "links to a different previous event"


async def append(bankdesk: Bankdesk, count: int) -> None:
    """Append events in one unit of work, and commit."""
    async with UnitOfWork(bankdesk.database.sessions, actor="teller") as uow:
        for number in range(count):
            await uow.audit.record(
                "note.added", entity_type="note", entity_id=f"note-{number}", after={"n": number}
            )
        await uow.commit()


async def verify(bankdesk: Bankdesk, *, batch: int = 1000) -> ChainReport:
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        return await verify_chain(uow.session, batch=batch)


async def events(bankdesk: Bankdesk) -> list[AuditEvent]:
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        return list(await uow.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


async def test_appended_events_form_an_intact_chain(bankdesk: Bankdesk) -> None:
    await append(bankdesk, EVENTS)

    report = await verify(bankdesk)
    stored = await events(bankdesk)

    assert (report.intact, report.checked, report.broken_at) == (True, EVENTS, None)
    assert stored[0].prev_hash == GENESIS_HASH
    assert [event.prev_hash for event in stored[1:]] == [event.hash for event in stored[:-1]]
    assert [event.seq for event in stored] == list(range(1, EVENTS + 1))


async def test_verify_walks_the_chain_across_batches(bankdesk: Bankdesk) -> None:
    await append(bankdesk, EVENTS)

    report = await verify(bankdesk, batch=2)

    assert (report.intact, report.checked) == (True, EVENTS)


async def test_an_empty_chain_is_intact(bankdesk: Bankdesk) -> None:
    report = await verify(bankdesk)

    assert (report.intact, report.checked) == (True, 0)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"actor": "mallory"}, id="actor"),
        pytest.param({"after": {"n": 999}}, id="after"),
        pytest.param({"entity_id": "note-x"}, id="entity"),
    ],
)
async def test_an_event_edited_behind_the_apps_back_is_detected(
    bankdesk: Bankdesk, tamper, change: dict
) -> None:
    await append(bankdesk, EVENTS)

    await tamper(
        bankdesk.settings.database_url,
        update(AuditEvent).where(AuditEvent.seq == MIDDLE).values(**change),
    )
    report = await verify(bankdesk)

    assert (report.intact, report.broken_at, report.problem) == (False, MIDDLE, EDITED)
    assert report.checked == MIDDLE - 1


async def test_a_deleted_event_breaks_the_link_of_the_next_one(bankdesk: Bankdesk, tamper) -> None:
    await append(bankdesk, EVENTS)

    await tamper(bankdesk.settings.database_url, delete(AuditEvent).where(AuditEvent.seq == MIDDLE))
    report = await verify(bankdesk)

    assert (report.intact, report.broken_at, report.problem) == (False, MIDDLE + 1, RELINKED)
    assert report.checked == MIDDLE - 1


@pytest.mark.parametrize(
    ("statement", "operation"),
    [
        pytest.param(update(AuditEvent).values(actor="mallory"), "UPDATE", id="update"),
        pytest.param(delete(AuditEvent).where(AuditEvent.seq == MIDDLE), "DELETE", id="delete"),
    ],
)
async def test_the_database_refuses_to_change_audit_rows(
    bankdesk: Bankdesk, statement, operation: str
) -> None:
    await append(bankdesk, EVENTS)

    with pytest.raises(DBAPIError, match=f"audit_events is append-only: {operation} refused"):
        async with bankdesk.database.engine.begin() as connection:
            await connection.execute(statement)

    assert (await verify(bankdesk)).checked == EVENTS


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_postgresql_refuses_to_truncate_audit_rows(bankdesk: Bankdesk) -> None:
    await append(bankdesk, EVENTS)

    with pytest.raises(DBAPIError, match="audit_events is append-only: TRUNCATE refused"):
        async with bankdesk.database.engine.begin() as connection:
            await connection.execute(text("TRUNCATE audit_events"))

    assert (await verify(bankdesk)).checked == EVENTS


async def test_concurrent_appends_never_fork_the_chain(bankdesk: Bankdesk) -> None:
    writers = 20

    async def append_one(number: int) -> None:
        async with UnitOfWork(bankdesk.database.sessions, actor=f"writer-{number}") as uow:
            await uow.audit.record("note.added", entity_type="note", entity_id=f"note-{number}")
            await uow.commit()

    await asyncio.wait_for(asyncio.gather(*(append_one(n) for n in range(writers))), timeout=60)
    report = await verify(bankdesk)
    stored = await events(bankdesk)

    assert (report.intact, report.checked) == (True, writers)
    assert len({event.prev_hash for event in stored}) == writers
    assert {event.actor for event in stored} == {f"writer-{n}" for n in range(writers)}


@pytest.mark.parametrize(
    "after",
    [
        pytest.param({"ratio": "0.25", "count": 3, "flag": True, "none": None}, id="scalars"),
        pytest.param({"b": {"z": [1, "2", None]}, "a": []}, id="nested"),
        pytest.param({"name": "Zoë Ünal ✓", "note": "line\nbreak"}, id="unicode"),
        pytest.param({"amount": str(10**20), "big": 10**20}, id="large-numbers"),
    ],
)
async def test_any_json_payload_verifies_after_the_round_trip(bankdesk: Bankdesk, after) -> None:
    """What record() accepts must hash the same once the database has stored and returned it."""
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        await uow.audit.record("note.added", entity_type="note", entity_id="n", after=after)
        await uow.commit()

    report = await verify(bankdesk)

    assert (report.intact, report.checked, report.problem) == (True, 1, None)


@pytest.mark.parametrize(
    "after",
    [
        pytest.param({"amount": 1e20}, id="large-float"),
        pytest.param({"ratio": 0.25}, id="float"),
        pytest.param({"nested": [{"dti": 0.4}]}, id="nested-float"),
    ],
)
async def test_floats_are_refused_because_the_database_may_rewrite_them(
    bankdesk: Bankdesk, after
) -> None:
    """JSONB rewrites some floats (1e20 comes back as an integer): amounts go in as text."""
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        with pytest.raises(TypeError, match="float; record amounts as strings"):
            await uow.audit.record("note.added", entity_type="note", entity_id="n", after=after)
