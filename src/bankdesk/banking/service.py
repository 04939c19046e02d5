"""A customer's message, end to end: stored, triaged, planned, worked by agents, answered.

Each step commits on its own, so what was received and every call and agent run is kept
whatever happens next, and no transaction is held while a model or an agent works.
"""

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bankdesk.banking.orchestrator import Orchestrator
from bankdesk.banking.planner import Plan, Step, plan
from bankdesk.banking.redaction import redact_values
from bankdesk.banking.replies import compose
from bankdesk.banking.routing import Routing
from bankdesk.banking.runs import AgentOutcome
from bankdesk.banking.schemas import (
    AgentPayload,
    AgentRequest,
    AgentView,
    Classification,
    Intent,
    MessageRequest,
    MessageResponse,
    SafeReply,
)
from bankdesk.banking.triage import Triage, Triaged
from bankdesk.domain.errors import UnknownCustomer
from bankdesk.llm.records import call_row, store_calls
from bankdesk.reviews.service import open_for_case
from bankdesk.store.banking_models import Case
from bankdesk.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetailBanking:
    """Triage, routing and the agents over one database."""

    sessions: async_sessionmaker[AsyncSession]
    triage: Triage
    routing: Routing
    orchestrator: Orchestrator

    async def handle(
        self,
        request: MessageRequest,
        *,
        channel: str,
        actor: str,
        request_id: str | None = None,
        classification: Classification | None = None,
        agent: str | None = None,
    ) -> MessageResponse:
        """Store the message, triage it, run the agents it needs and compose the reply.

        A caller that classified the message itself (the seeds' router) passes its
        `classification`; one that invoked a specialist directly names that `agent`, which
        then runs alone."""
        unit = _Units(self.sessions, actor=actor, request_id=request_id)
        case_id = await _receive(unit, request, channel=channel)
        if classification is None:
            triaged = await self._triage(request.message)
        else:
            triaged = Triaged(classification, "caller", ())
        await _record_triage(unit, case_id, triaged)
        if agent is None:
            chosen = plan(triaged.classification, request.message, routing=self.routing)
        else:
            chosen = Plan((Step(agent, "invoked directly"),))
        agent_request = AgentRequest(
            classification=triaged.classification,
            payload=AgentPayload(message=request.message, customer_id=request.customer_id),
        )
        outcomes = await self.orchestrator.run(chosen, agent_request, case_id=case_id)
        reply = compose(outcomes, unsure=triaged.unsure)
        await _close(unit, case_id, chosen, outcomes, reply, unsure=triaged.unsure)
        classification = triaged.classification
        return MessageResponse(
            case_id=case_id,
            intent=classification.intent,
            confidence=classification.confidence,
            summary=classification.summary,
            secondary_intents=classification.secondary_intents,
            triaged_by=triaged.source,
            agents=[
                _view(outcome, step.reason)
                for outcome, step in zip(outcomes, chosen.steps, strict=True)
            ],
            reply=reply,
        )

    async def _triage(self, message: str) -> Triaged:
        try:
            return await self.triage.classify(message)
        except Exception as error:  # a classifier bug: the message still gets worked
            log.error("triage failed", extra={"error": type(error).__name__})
            fallback = Classification(
                intent=Intent.GENERAL_SUPPORT,
                confidence=0.0,
                summary="Customer message that could not be classified automatically.",
            )
            return Triaged(fallback, "failed", (), failure=type(error).__name__, unsure=True)


@dataclass(frozen=True, slots=True)
class _Units:
    sessions: async_sessionmaker[AsyncSession]
    actor: str
    request_id: str | None

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, actor=self.actor, request_id=self.request_id)


async def _receive(unit: _Units, request: MessageRequest, *, channel: str) -> str:
    async with unit() as uow:
        if request.customer_id is not None and await uow.customers.get(request.customer_id) is None:
            raise UnknownCustomer(request.customer_id)
        case = await uow.cases.open(
            Case(kind="service", status="received", customer_id=request.customer_id,
                 channel=channel, message=request.message),
        )  # fmt: skip
        await uow.audit.record(
            "case.received",
            entity_type="case",
            entity_id=case.id,
            after={
                "kind": "service",
                "channel": channel,
                "customer_id": request.customer_id,
                "message_sha256": hashlib.sha256(request.message.encode()).hexdigest(),
                "message_chars": len(request.message),
            },
        )
        await uow.commit()
        return case.id


async def _record_triage(unit: _Units, case_id: str, triaged: Triaged) -> None:
    async with unit() as uow:
        rows = [
            call_row(
                call,
                case_id=case_id,
                grounding_failures=[],
                fallback_used=triaged.failure is not None,
            )
            for call in triaged.calls
        ]
        await store_calls(uow, rows, entity_type="case", entity_id=case_id)
        case = await uow.cases.get(case_id)
        assert case is not None  # stored by _receive, and cases are never deleted
        triage = {**triaged.classification.model_dump(mode="json"), "source": triaged.source}
        case.details = {**case.details, "triage": triage}
        await uow.cases.set_status(case, "triaged", intent=triage["intent"], source=triaged.source)
        # The chain is append-only, so no free text goes in (the summary is hashed), and it
        # takes no floats (see store.audit): the confidence goes in as text.
        audited = {
            **triage,
            "confidence": str(triage["confidence"]),
            "summary": None,
            "summary_sha256": hashlib.sha256(triage["summary"].encode()).hexdigest(),
            "failure": triaged.failure,
        }
        await uow.audit.record("case.triaged", entity_type="case", entity_id=case_id, after=audited)
        await uow.commit()


async def _close(
    unit: _Units, case_id: str, chosen: Plan, outcomes: list[AgentOutcome], reply: SafeReply,
    *, unsure: bool,
) -> None:  # fmt: skip
    async with unit() as uow:
        case = await uow.cases.get(case_id)
        assert case is not None
        statuses = {outcome.agent: outcome.status for outcome in outcomes}
        case.details = {
            **case.details,
            "plan": [{"agent": step.agent, "reason": step.reason} for step in chosen.steps],
            "agents": statuses,
            "reply": reply.model_dump(mode="json"),
        }
        reasons = ["triage was unsure of the intent"] * unsure + _escalation_reasons(outcomes)
        if reply.escalation_required:
            reason = "; ".join(reasons) or "an agent asked for a person"
            await uow.cases.escalate(case, reason=reason)
            await open_for_case(uow, case, detail=reason)
        else:
            await uow.cases.set_status(case, "answered")
        await uow.audit.record(
            "case.answered",
            entity_type="case",
            entity_id=case_id,
            after={
                "status": case.status,
                "escalation_required": reply.escalation_required,
                "agents": statuses,
                "reply_sha256": hashlib.sha256(reply.message.encode()).hexdigest(),
            },
        )
        await uow.commit()


def _escalation_reasons(outcomes: list[AgentOutcome]) -> list[str]:
    reasons = []
    for outcome in outcomes:
        if outcome.result is None:
            reasons.append(f"{outcome.agent} {outcome.status.replace('_', ' ')}")
        elif outcome.result.escalation_required:
            reasons.append(f"{outcome.agent} asked for a person")
    return reasons


def _view(outcome: AgentOutcome, reason: str) -> AgentView:
    """The agent's part for the channel: the seed's analysis and the actions, masked."""
    result = outcome.result
    view: dict[str, Any] = {
        "agent": outcome.agent,
        "status": outcome.status,
        "reason": reason,
        "latency_ms": outcome.latency_ms,
        "error": outcome.error,
    }
    if result is not None:
        # The seed's analysis fields only: scores and signals stay in the stored run, where
        # staff read them; a channel that relays them would teach fraudsters what is scored.
        analysis = result.analysis.model_dump(
            mode="json", include={"issue_type", "urgency", "flags"}
        )
        view |= {
            "analysis": redact_values(analysis),
            "actions": redact_values([action.model_dump(mode="json") for action in result.actions]),
            "escalation_required": result.escalation_required,
        }
    return AgentView.model_validate(view)
