"""Runs a plan's agents concurrently through the executor, each with its own time limit.

Each agent is a function (in this process or on AWS Lambda: the executor decides). The
orchestrator records each run it dispatches on the case first; the function does its work
and stores its run in one transaction (see runs.py). An agent that fails, is
throttled or runs out of time loses only its own work; the orchestrator stores its run as
failed or timed out under the same run id (which fences off a late answer), the others'
answers stand, and the caller escalates the case.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bankdesk.banking.planner import Plan
from bankdesk.banking.redaction import redact
from bankdesk.banking.runs import (
    FAILED,
    OK,
    TIMED_OUT,
    AgentOutcome,
    dispatch,
    since,
    store_run,
)
from bankdesk.banking.schemas import AgentRequest, AgentResult, RunRef
from bankdesk.runtime.executor import Executor, invoke
from bankdesk.store.banking_models import AgentRun
from bankdesk.store.models import new_id, utcnow
from bankdesk.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Orchestrator:
    """Runs agents by name through an executor and keeps a record of every run."""

    executor: Executor
    sessions: async_sessionmaker[AsyncSession]
    timeout_seconds: float
    clock: Callable[[], datetime] = utcnow

    async def run(self, plan: Plan, request: AgentRequest, *, case_id: str) -> list[AgentOutcome]:
        """Every planned agent's outcome, in the plan's order."""
        now = self.clock()
        runs = [RunRef(case_id=case_id, run_id=new_id()) for _ in plan.steps]
        async with UnitOfWork(self.sessions, actor="orchestrator") as uow:
            for step, run in zip(plan.steps, runs, strict=True):
                await dispatch(
                    uow, run, agent=step.agent, now=now, timeout_seconds=self.timeout_seconds
                )
            await uow.commit()
        calls = [
            self._run_one(step.agent, request, run, now=now)
            for step, run in zip(plan.steps, runs, strict=True)
        ]
        return list(await asyncio.gather(*calls))

    async def _run_one(
        self, name: str, request: AgentRequest, run: RunRef, *, now: datetime
    ) -> AgentOutcome:
        event = {**request.model_dump(mode="json"), "run": run.model_dump(mode="json")}
        started = time.perf_counter()
        try:
            body = await asyncio.wait_for(invoke(self.executor, name, event), self.timeout_seconds)
            result = AgentResult.model_validate(body)
        except TimeoutError:
            error = f"no answer within {self.timeout_seconds:g} s"
            outcome = AgentOutcome(name, TIMED_OUT, run.run_id, since(started), error=error)
        except Exception as failure:  # one agent must not take the others down
            log.warning("agent failed", extra={"agent": name, "error": type(failure).__name__})
            error = redact(f"{type(failure).__name__}: {failure}").text[:1000]
            outcome = AgentOutcome(name, FAILED, run.run_id, since(started), error=error)
        else:
            return AgentOutcome(name, OK, run.run_id, since(started), result=result)
        return await self._store_failure(outcome, request, run, now=now)

    async def _store_failure(
        self, outcome: AgentOutcome, request: AgentRequest, run: RunRef, *, now: datetime
    ) -> AgentOutcome:
        try:
            async with UnitOfWork(self.sessions, actor=f"agent:{outcome.agent}") as uow:
                await store_run(uow, outcome, request, case_id=run.case_id, started_at=now)
                await uow.commit()
        except IntegrityError:
            # The function stored this run after all (it answered just past the time limit,
            # or answered something this orchestrator could not read): its record stands.
            stored = await self._stored(run.run_id)
            log.warning("agent answered after it was given up", extra={"agent": outcome.agent})
            if stored is not None and stored.status == OK and stored.result is not None:
                result = AgentResult.model_validate(stored.result)
                return AgentOutcome(outcome.agent, OK, run.run_id, outcome.latency_ms, result)
        return outcome

    async def _stored(self, run_id: str) -> AgentRun | None:
        async with self.sessions() as session:
            return await session.get(AgentRun, run_id)
