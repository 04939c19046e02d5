"""One agent's run, as its function performs it: its own transaction, stored with its result.

The orchestrator records each run it dispatches on the contact case (run id, agent, clock,
time limit) before invoking the agent's function, so a function only works on a run that
was dispatched to it, for the message that case holds, with the clock the orchestrator
chose, and not after its time limit. The run row is written in the same transaction as the
agent's work, under the dispatched id; an orchestrator that gave up waiting stores its own
row under that id first, so a late answer cannot commit (the id is taken) and its work is
rolled back with it. What an agent checkpointed before (the loan agent's received
application, kept so that no request is lost) stays.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bankdesk.banking.context import Agent, AgentContext
from bankdesk.banking.schemas import AgentRequest, AgentResult, RunRef
from bankdesk.lending.flow import LendingFlow
from bankdesk.lending.reading import ApplicationReader
from bankdesk.policy.engine import PolicyEngine
from bankdesk.store.banking_models import AgentRun
from bankdesk.store.cases import DISPATCHED
from bankdesk.store.models import utcnow
from bankdesk.store.unit_of_work import UnitOfWork

OK, FAILED, TIMED_OUT = "ok", "failed", "timed_out"


class RunRefused(Exception):
    """The function was asked to perform a run that was not dispatched to it as asked."""


@dataclass(frozen=True, slots=True)
class Workbench:
    """What an agent works with: the database, the policies, the lending flow and reader."""

    sessions: async_sessionmaker[AsyncSession]
    policies: PolicyEngine
    lending: LendingFlow
    reader: ApplicationReader


@dataclass(frozen=True, slots=True)
class AgentOutcome:
    """How one agent's run ended, and its result when it succeeded."""

    agent: str
    status: str
    run_id: str
    latency_ms: int
    result: AgentResult | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the agent answered."""
        return self.status == OK


async def dispatch(
    uow: UnitOfWork, run: RunRef, *, agent: str, now: datetime, timeout_seconds: float
) -> None:
    """Record on the contact case that this run is dispatched to the agent."""
    await uow.cases.note(
        run.case_id, DISPATCHED, run_id=run.run_id, agent=agent,
        now=now.isoformat(), timeout_seconds=timeout_seconds,
    )  # fmt: skip


async def perform(
    agent: Agent, name: str, request: AgentRequest, run: RunRef, *, bench: Workbench
) -> AgentResult:
    """Run the agent in its own transaction and store the run with its work, or nothing;
    RunRefused when the run was not dispatched to this agent for this request."""
    started = time.perf_counter()
    # Checked in a short transaction of its own: the agent's starts when it first needs the
    # database (on SQLite a transaction holds the write lock, and agents run side by side).
    async with UnitOfWork(bench.sessions, actor=f"agent:{name}") as check:
        now = await _dispatched_now(check, name, request, run)
    async with UnitOfWork(bench.sessions, actor=f"agent:{name}") as uow:
        context = AgentContext(
            uow=uow, case_id=run.case_id, now=now, policies=bench.policies,
            lending=bench.lending, reader=bench.reader, checkpoint=uow.commit,
        )  # fmt: skip
        result = await agent(request, context=context)
        record = AgentOutcome(name, OK, run.run_id, since(started), result=result)
        await store_run(uow, record, request, case_id=run.case_id, started_at=now)
        await uow.commit()
    return result


async def _dispatched_now(
    uow: UnitOfWork, name: str, request: AgentRequest, run: RunRef
) -> datetime:
    dispatched = await uow.cases.dispatched(run.case_id, run.run_id, agent=name)
    if dispatched is None:
        raise RunRefused(f"run {run.run_id} was not dispatched to {name} on this case")
    case = await uow.cases.get(run.case_id)
    payload = request.payload
    if case is None or (case.message, case.customer_id) != (payload.message, payload.customer_id):
        raise RunRefused("the request is not the message of the case the run was dispatched on")
    limit = timedelta(seconds=float(dispatched.details["timeout_seconds"]))
    if utcnow() > dispatched.occurred_at + limit:
        raise RunRefused(f"run {run.run_id} is past its time limit")
    return datetime.fromisoformat(dispatched.details["now"])


async def store_run(
    uow: UnitOfWork, record: AgentOutcome, request: AgentRequest, *, case_id: str,
    started_at: datetime,
) -> None:  # fmt: skip
    """Store a run and its `agent.ran` audit event."""
    result: dict[str, Any] | None = (
        record.result.model_dump(mode="json") if record.result is not None else None
    )
    await uow.cases.add_run(
        AgentRun(
            id=record.run_id, case_id=case_id, agent=record.agent, status=record.status,
            request=request.model_dump(mode="json", include={"classification", "payload"}),
            result=result, error=record.error, latency_ms=record.latency_ms,
            started_at=started_at,
        )
    )  # fmt: skip
    await uow.audit.record(
        "agent.ran",
        entity_type="case",
        entity_id=case_id,
        after={
            "run_id": record.run_id,
            "agent": record.agent,
            "status": record.status,
            "latency_ms": record.latency_ms,
            "actions": [action.kind for action in record.result.actions] if record.result else [],
        },
    )


def since(started: float) -> int:
    """Milliseconds since a perf_counter reading."""
    return round((time.perf_counter() - started) * 1000)
