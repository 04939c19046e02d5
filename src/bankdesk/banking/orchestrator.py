"""Runs a plan's agents concurrently, each in its own transaction with its own time limit.

An agent that fails or runs out of time loses only its own work (its transaction is
rolled back); its run is stored as failed, the others' answers stand, and the caller
escalates the case. Every run, whatever its end, is stored with the audit chain.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bankdesk.banking.context import Agent, AgentContext
from bankdesk.banking.planner import Plan
from bankdesk.banking.redaction import redact
from bankdesk.banking.schemas import AgentRequest, AgentResult
from bankdesk.lending.flow import LendingFlow
from bankdesk.lending.reading import ApplicationReader
from bankdesk.policy.engine import PolicyEngine
from bankdesk.store.banking_models import AgentRun
from bankdesk.store.models import new_id, utcnow
from bankdesk.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
OK, FAILED, TIMED_OUT = "ok", "failed", "timed_out"


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


@dataclass(frozen=True, slots=True)
class Orchestrator:
    """The agents by name and what they work with."""

    agents: Mapping[str, Agent]
    sessions: async_sessionmaker[AsyncSession]
    policies: PolicyEngine
    lending: LendingFlow
    reader: ApplicationReader
    timeout_seconds: float
    clock: Callable[[], datetime] = utcnow

    async def run(self, plan: Plan, request: AgentRequest, *, case_id: str) -> list[AgentOutcome]:
        """Every planned agent's outcome, in the plan's order."""
        runs = [self._run_one(step.agent, request, case_id=case_id) for step in plan.steps]
        return list(await asyncio.gather(*runs))

    async def _run_one(self, name: str, request: AgentRequest, *, case_id: str) -> AgentOutcome:
        run_id, started_at, started = new_id(), self.clock(), time.perf_counter()
        agent = self.agents.get(name)
        try:
            if agent is None:
                raise LookupError(f"no agent named {name!r}")
            async with UnitOfWork(self.sessions, actor=f"agent:{name}") as uow:
                context = AgentContext(
                    uow=uow, case_id=case_id, now=started_at, policies=self.policies,
                    lending=self.lending, reader=self.reader, checkpoint=uow.commit,
                )  # fmt: skip
                result = await asyncio.wait_for(
                    agent(request, context=context), self.timeout_seconds
                )
                outcome = AgentOutcome(name, OK, run_id, _since(started), result=result)
                await _store_run(uow, outcome, request, case_id=case_id, started_at=started_at)
                await uow.commit()
                return outcome
        except TimeoutError:
            error = f"no answer within {self.timeout_seconds:g} s"
            outcome = AgentOutcome(name, TIMED_OUT, run_id, _since(started), error=error)
        except Exception as failure:  # an agent's bug must not take the others down
            log.warning("agent failed", extra={"agent": name, "error": type(failure).__name__})
            error = redact(f"{type(failure).__name__}: {failure}").text[:1000]
            outcome = AgentOutcome(name, FAILED, run_id, _since(started), error=error)
        async with UnitOfWork(self.sessions, actor=f"agent:{name}") as uow:
            await _store_run(uow, outcome, request, case_id=case_id, started_at=started_at)
            await uow.commit()
        return outcome


async def _store_run(
    uow: UnitOfWork, outcome: AgentOutcome, request: AgentRequest, *, case_id: str,
    started_at: datetime,
) -> None:  # fmt: skip
    result: dict[str, Any] | None = (
        outcome.result.model_dump(mode="json") if outcome.result is not None else None
    )
    await uow.cases.add_run(
        AgentRun(
            id=outcome.run_id, case_id=case_id, agent=outcome.agent, status=outcome.status,
            request=request.model_dump(mode="json"), result=result, error=outcome.error,
            latency_ms=outcome.latency_ms, started_at=started_at,
        )
    )  # fmt: skip
    await uow.audit.record(
        "agent.ran",
        entity_type="case",
        entity_id=case_id,
        after={
            "run_id": outcome.run_id,
            "agent": outcome.agent,
            "status": outcome.status,
            "latency_ms": outcome.latency_ms,
            "actions": [action.kind for action in outcome.result.actions] if outcome.result else [],
        },
    )


def _since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
