"""Stored cases read back: the message, triage, plan, agent runs, related cases, history."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bankdesk.lending.records import AuditEntryView, ModelCallView
from bankdesk.reviews.schemas import TaskView
from bankdesk.reviews.service import views
from bankdesk.store.unit_of_work import UnitOfWork


class CaseSummary(BaseModel):
    """A case in brief: what kind, where it stands, how urgent."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str = Field(description="service (a customer contact), fraud, dispute or complaint")
    status: str
    priority: str
    escalated: bool
    customer_id: str | None
    transaction_id: str | None
    card_id: str | None
    details: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CaseEventView(BaseModel):
    """One entry of a case's history."""

    model_config = ConfigDict(from_attributes=True)

    occurred_at: datetime
    actor: str
    kind: str
    details: dict[str, Any]


class AgentRunView(BaseModel):
    """One agent run, with its full result (internal notes included: this is staff's view)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    agent: str
    status: str = Field(description="ok, failed or timed_out")
    result: dict[str, Any] | None
    error: str | None
    latency_ms: int
    started_at: datetime
    finished_at: datetime


class CaseRecord(CaseSummary):
    """A case and everything done on it."""

    parent_id: str | None
    channel: str
    message: str | None = Field(description="The customer's message exactly as received")
    history: list[CaseEventView]
    agent_runs: list[AgentRunView]
    related_cases: list[CaseSummary] = Field(description="Cases this contact opened")
    model_calls: list[ModelCallView]
    reviews: list[TaskView] = Field(description="Review tasks opened when it was escalated")
    audit_trail: list[AuditEntryView] | None = Field(
        description="Present for auditor and admin keys only"
    )


async def case_record(uow: UnitOfWork, case_id: str, *, with_audit: bool) -> CaseRecord | None:
    """The full record of a case, or None when there is no such case."""
    case = await uow.cases.get(case_id)
    if case is None:
        return None
    trail = await uow.audit.trail("case", case.id) if with_audit else None
    return CaseRecord(
        **CaseSummary.model_validate(case).model_dump(),
        parent_id=case.parent_id,
        channel=case.channel,
        message=case.message,
        history=[CaseEventView.model_validate(event) for event in await uow.cases.history(case.id)],
        agent_runs=[AgentRunView.model_validate(run) for run in await uow.cases.runs(case.id)],
        related_cases=[
            CaseSummary.model_validate(child) for child in await uow.cases.children(case.id)
        ],
        model_calls=[
            ModelCallView.model_validate(call) for call in await uow.model_calls.for_case(case.id)
        ],
        reviews=await views(uow, await uow.reviews.opened_on(case_id=case.id)),
        audit_trail=None if trail is None else [AuditEntryView.model_validate(e) for e in trail],
    )
