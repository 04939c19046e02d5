"""Model calls: stored with what they were for, read back per application and as usage."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bankdesk.store.models import ModelCall


@dataclass(slots=True)
class Usage:
    """Calls, tokens and estimated cost of one model on one day (UTC)."""

    day: date
    provider: str
    model: str
    calls: int = 0
    failed: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal = Decimal(0)
    unpriced: int = 0  # calls whose model is not in the price table

    def add(self, *, ok: bool, tokens_in: int, tokens_out: int, cost: Decimal | None) -> None:
        """Count one more call."""
        self.calls += 1
        self.failed += not ok
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out
        if cost is None:
            self.unpriced += 1
        else:
            self.cost += cost


class ModelCallRepository:
    """Add model calls and read them back."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, calls: list[ModelCall]) -> None:
        """Store calls and give each its id."""
        self._session.add_all(calls)
        await self._session.flush()

    async def for_application(self, application_id: str) -> list[ModelCall]:
        """Every model call made for an application, in the order made."""
        rows = await self._session.scalars(
            select(ModelCall)
            .where(ModelCall.application_id == application_id)
            .order_by(ModelCall.created_at, ModelCall.attempt)
        )
        return list(rows)

    async def for_case(self, case_id: str) -> list[ModelCall]:
        """Every model call made for a banking case, in the order made."""
        rows = await self._session.scalars(
            select(ModelCall)
            .where(ModelCall.case_id == case_id)
            .order_by(ModelCall.created_at, ModelCall.attempt)
        )
        return list(rows)

    async def usage(self, *, since: datetime) -> list[Usage]:
        """Usage by day and model since a moment, oldest day first."""
        rows = await self._session.execute(
            select(
                ModelCall.created_at,
                ModelCall.provider,
                ModelCall.model,
                ModelCall.status,
                ModelCall.tokens_in,
                ModelCall.tokens_out,
                ModelCall.cost,
            ).where(ModelCall.created_at >= since)
        )
        totals: dict[tuple[date, str, str], Usage] = {}
        for created_at, provider, model, status, tokens_in, tokens_out, cost in rows:
            key = (created_at.date(), provider, model)
            usage = totals.setdefault(key, Usage(*key))
            usage.add(ok=status == "ok", tokens_in=tokens_in, tokens_out=tokens_out, cost=cost)
        return [totals[key] for key in sorted(totals)]
