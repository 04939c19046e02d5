"""Money comes back exact and timestamps come back aware, in UTC, from both databases."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from bankdesk.bootstrap import Bankdesk
from bankdesk.lending import service
from bankdesk.store.models import LoanApplication
from bankdesk.store.unit_of_work import UnitOfWork

LARGEST_INCOME = Decimal("1234567890123456.7891")  # all 20 digits of NUMERIC(20, 4)


async def store(bankdesk: Bankdesk, **fields) -> str:
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        row = await uow.applications.add(
            LoanApplication(
                channel="intake", raw_request="as received", status="received", **fields
            )
        )
        await uow.commit()
        return row.id


async def load(bankdesk: Bankdesk, application_id: str) -> LoanApplication:
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        row = await uow.applications.get(application_id)
        assert row is not None
        return row


async def test_money_comes_back_exactly_as_stored(bankdesk: Bankdesk) -> None:
    amounts = {
        "income": LARGEST_INCOME,
        "monthly_debt": Decimal("0.0001"),
        "requested_amount": Decimal("9999999999999999.9999"),
        "employment_years": Decimal("12.25"),
    }

    loaded = await load(bankdesk, await store(bankdesk, **amounts))

    assert {name: getattr(loaded, name) for name in amounts} == amounts
    assert all(isinstance(getattr(loaded, name), Decimal) for name in amounts)
    assert str(loaded.income) == "1234567890123456.7891"


async def test_money_is_stored_as_decimal_text_not_as_a_float(bankdesk: Bankdesk) -> None:
    application_id = await store(bankdesk, income=LARGEST_INCOME)

    async with bankdesk.database.engine.connect() as connection:
        stored = await connection.scalar(
            text("SELECT CAST(income AS TEXT) FROM loan_applications WHERE id = :id"),
            {"id": application_id},
        )

    assert stored == "1234567890123456.7891"


async def test_timestamps_come_back_aware_in_utc(bankdesk: Bankdesk) -> None:
    in_berlin = datetime(2026, 3, 29, 3, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))

    loaded = await load(bankdesk, await store(bankdesk, created_at=in_berlin))

    assert loaded.created_at == in_berlin
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert loaded.created_at.tzinfo is not None
    assert loaded.updated_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - loaded.updated_at) < timedelta(minutes=5)


async def test_a_naive_timestamp_is_refused(bankdesk: Bankdesk) -> None:
    with pytest.raises(StatementError, match="timestamps must be timezone-aware"):
        await store(bankdesk, created_at=datetime(2026, 1, 1, 12, 0))


async def test_a_decisions_dti_is_stored_alike_on_both_databases(bankdesk: Bankdesk) -> None:
    """Decision.dti is NUMERIC(24, 12): PostgreSQL keeps 12 places, so SQLite must too."""
    text_with_a_third = (
        "Borrower: Ann Lee\nMonthly income: $3000\nMonthly debt payments: $1000\n"
        "Requested amount: $10000\n"
    )
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        row, decision = await service.intake(
            uow, bankdesk.lending, bankdesk.reader, text=text_with_a_third
        )
        await uow.commit()
    assert decision is not None

    async with UnitOfWork(bankdesk.database.sessions) as uow:
        stored = await uow.applications.decision_for(row.id)

    assert stored is not None
    assert stored.dti == Decimal("0.333333333333")
