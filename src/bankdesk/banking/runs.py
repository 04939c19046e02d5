"""One agent's run, as its function performs it: its own transaction, stored with its result.

The run row is written in the same transaction as the agent's work, under the id the
orchestrator chose. An orchestrator that gave up waiting stores its own row under that id
first, so a late answer cannot commit: the unique id fences it off, and its work is rolled
back with it.
"""

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bankdesk.banking.context import Agent, AgentContext
from bankdesk.banking.schemas import AgentRequest, AgentResult, RunRef
from bankdesk.lending.flow import LendingFlow
from bankdesk.lending.reading import ApplicationReader
from bankdesk.policy.engine import PolicyEngine
from bankdesk.store.banking_models import AgentRun
from bankdesk.store.unit_of_work import UnitOfWork

OK, FAILED, TIMED_OUT = "ok", "failed", "timed_out"


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


async def perform(
    agent: Agent, name: str, request: AgentRequest, run: RunRef, *, bench: Workbench
) -> AgentResult:
    """Run the agent in its own transaction and store the run with its work, or nothing."""
    started = time.perf_counter()
    async with UnitOfWork(bench.sessions, actor=f"agent:{name}") as uow:
        context = AgentContext(
            uow=uow, case_id=run.case_id, now=run.now, policies=bench.policies,
            lending=bench.lending, reader=bench.reader, checkpoint=uow.commit,
        )  # fmt: skip
        result = await agent(request, context=context)
        record = AgentOutcome(name, OK, run.run_id, since(started), result=result)
        await store_run(uow, record, request, case_id=run.case_id, started_at=run.now)
        await uow.commit()
    return result


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
