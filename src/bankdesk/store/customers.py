"""Customers and what they hold: accounts, cards, transactions and loans."""

from collections.abc import Sequence
from datetime import datetime
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bankdesk.store.banking_models import (
    Base,
    Card,
    Customer,
    DepositAccount,
    Loan,
    Transaction,
)


class CustomerRepository:
    """Read a customer's banking data and change card status."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_all(self, rows: Sequence[Base]) -> None:
        """Store rows (demo data, tests) in the order given.

        The tables have foreign keys but no ORM relationships, so the session cannot order
        the inserts itself: each run of rows of one kind is flushed before the next."""
        for _kind, group in groupby(rows, key=type):
            self._session.add_all(list(group))
            await self._session.flush()

    async def count(self) -> int:
        """How many customers there are."""
        return await self._session.scalar(select(func.count()).select_from(Customer)) or 0

    async def get(self, customer_id: str) -> Customer | None:
        """One customer by id."""
        return await self._session.get(Customer, customer_id)

    async def accounts(self, customer_id: str) -> list[DepositAccount]:
        """The customer's deposit accounts, checking first."""
        rows = await self._session.scalars(
            select(DepositAccount)
            .where(DepositAccount.customer_id == customer_id)
            .order_by(DepositAccount.kind, DepositAccount.opened_at)
        )
        return list(rows)

    async def cards(self, customer_id: str) -> list[Card]:
        """The customer's cards, newest first."""
        rows = await self._session.scalars(
            select(Card).where(Card.customer_id == customer_id).order_by(Card.issued_at.desc())
        )
        return list(rows)

    async def transactions(
        self, customer_id: str, *, since: datetime | None = None, limit: int = 500
    ) -> list[Transaction]:
        """The customer's transactions on every account, newest first."""
        query = (
            select(Transaction)
            .join(DepositAccount, Transaction.account_id == DepositAccount.id)
            .where(DepositAccount.customer_id == customer_id)
            .order_by(Transaction.occurred_at.desc(), Transaction.id)
            .limit(limit)
        )
        if since is not None:
            query = query.where(Transaction.occurred_at >= since)
        return list(await self._session.scalars(query))

    async def loans(self, customer_id: str) -> list[Loan]:
        """The customer's loans with their schedules and payments."""
        rows = await self._session.scalars(
            select(Loan)
            .where(Loan.customer_id == customer_id)
            .options(selectinload(Loan.installments), selectinload(Loan.payments))
            .order_by(Loan.opened_at)
        )
        return list(rows)

    async def block_card(self, card: Card, *, reason: str, at: datetime) -> None:
        """Block a card so no new authorisation succeeds on it."""
        card.status = "blocked"
        card.blocked_at = at
        card.block_reason = reason
        await self._session.flush()
