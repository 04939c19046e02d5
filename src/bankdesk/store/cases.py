"""Cases, their history and the agent runs made on them."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bankdesk.store.banking_models import AgentRun, Case, CaseEvent
from bankdesk.store.models import utcnow

DISPATCHED = "agent_dispatched"


class CaseRepository:
    """Open cases, change their status, and keep every step in their history."""

    def __init__(self, session: AsyncSession, *, actor: str) -> None:
        self._session = session
        self.actor = actor

    async def open(self, case: Case, **details: Any) -> Case:
        """Store a new case with an `opened` entry in its history."""
        self._session.add(case)
        await self._session.flush()
        await self.note(case.id, "opened", kind=case.kind, status=case.status, **details)
        return case

    async def note(self, case_id: str, event: str, **details: Any) -> None:
        """Append one entry to a case's history."""
        self._session.add(CaseEvent(case_id=case_id, actor=self.actor, kind=event, details=details))
        await self._session.flush()

    async def set_status(self, case: Case, status: str, **details: Any) -> None:
        """Move a case to a status, recording where it came from."""
        before = case.status
        case.status = status
        case.updated_at = utcnow()
        await self.note(case.id, "status_changed", before=before, after=status, **details)

    async def escalate(self, case: Case, *, reason: str) -> None:
        """Hand a case to a person: escalated, urgent priority, with the reason in its history."""
        if case.escalated:
            await self.note(case.id, "escalation_reason", reason=reason)
            return
        case.escalated = True
        case.priority = "urgent" if case.priority in ("high", "urgent") else "high"
        await self.set_status(case, "escalated", reason=reason)

    async def get(self, case_id: str) -> Case | None:
        """One case by id."""
        return await self._session.get(Case, case_id)

    async def children(self, case_id: str) -> list[Case]:
        """The fraud, dispute and complaint cases a contact opened."""
        rows = await self._session.scalars(
            select(Case).where(Case.parent_id == case_id).order_by(Case.created_at, Case.id)
        )
        return list(rows)

    async def history(self, case_id: str) -> list[CaseEvent]:
        """A case's history, oldest first."""
        rows = await self._session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        )
        return list(rows)

    async def dispatched(self, case_id: str, run_id: str, *, agent: str) -> CaseEvent | None:
        """The record of a run the orchestrator dispatched to this agent on this case."""
        for event in await self.history(case_id):
            details = event.details
            if event.kind == DISPATCHED and details.get("run_id") == run_id:
                return event if details.get("agent") == agent else None
        return None

    async def add_run(self, run: AgentRun) -> None:
        """Store one agent run."""
        self._session.add(run)
        await self._session.flush()

    async def runs(self, case_id: str) -> list[AgentRun]:
        """The agent runs made on a case, in the order they finished."""
        rows = await self._session.scalars(
            select(AgentRun)
            .where(AgentRun.case_id == case_id)
            .order_by(AgentRun.finished_at, AgentRun.id)
        )
        return list(rows)

    async def disputes_of(self, transaction_id: str) -> list[Case]:
        """Dispute cases already opened on a transaction."""
        rows = await self._session.scalars(
            select(Case).where(Case.transaction_id == transaction_id, Case.kind == "dispute")
        )
        return list(rows)

    async def for_customer(self, customer_id: str, *, kind: str | None = None) -> list[Case]:
        """A customer's cases, newest first."""
        query = select(Case).where(Case.customer_id == customer_id)
        if kind is not None:
            query = query.where(Case.kind == kind)
        return list(await self._session.scalars(query.order_by(Case.created_at.desc())))
