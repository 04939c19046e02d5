"""Stored applications read back: the full record, and a plain-language explanation."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bankdesk.domain.decision import NextAction, Outcome
from bankdesk.lending.schemas import FieldsView, Number, PolicyView, ReasonView
from bankdesk.reviews.schemas import TaskView
from bankdesk.reviews.service import views
from bankdesk.store.models import Decision, LoanApplication, Notice
from bankdesk.store.unit_of_work import UnitOfWork

# Regulation B asks for the principal reasons, at most four, in an adverse action notice.
MAX_PRINCIPAL_REASONS = 4


class NoticeView(BaseModel):
    """An outgoing notice in the outbox."""

    id: str
    kind: str
    status: str
    created_at: datetime


class AuditEntryView(BaseModel):
    """One link of the audit chain."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: datetime
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    hash: str


class ModelCallView(BaseModel):
    """One stored model call: what was asked, what came back, what it cost."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    agent: str
    provider: str
    model: str
    prompt_id: str
    prompt_version: str
    attempt: int
    status: str = Field(description="ok, invalid, refused, empty or error")
    request: dict[str, Any]
    raw_response: str | None
    parsed: dict[str, Any] | None
    errors: list[str] = Field(description="Transport, refusal and validation errors")
    grounding_failures: list[str] = Field(description="Parsed values the text does not state")
    tokens_in: int
    tokens_out: int
    latency_ms: int
    retries: int = Field(description="Retries the SDK made within this attempt")
    cost_usd: Decimal | None = Field(
        validation_alias="cost", description="Estimated from the price table"
    )
    fallback_used: bool
    created_at: datetime


class DecisionRecordView(BaseModel):
    """The stored decision: outcome, figures, reasons, policy and the engine's trace."""

    outcome: str
    next_step: str
    dti: Number | None
    risk_score: Number | None
    figures: dict[str, str]
    reasons: list[ReasonView]
    missing_fields: list[str]
    policy: PolicyView
    decided_at: datetime
    trace: dict[str, Any]


class ApplicationRecord(BaseModel):
    """Everything stored about one application."""

    application_id: str
    status: str = Field(description="received, decided, incomplete or failed")
    channel: str = Field(description="intake (free text), decide (seed event) or apply (seed API)")
    applicant_id: str | None
    received_at: datetime
    raw_request: str = Field(description="The request exactly as it was received")
    error: str | None
    fields: FieldsView
    evidence: dict[str, Any] = Field(description="Each extracted value with its source spans")
    unsure: dict[str, str] = Field(description="Fields left empty, and why")
    reading: dict[str, Any] | None = Field(
        description="Provider, degraded or not, conflicts and grounding failures of the reading"
    )
    model_calls: list[ModelCallView]
    decision: DecisionRecordView | None = Field(
        description="The policy's decision, as the policy made it (a person's never replaces it)"
    )
    reviews: list[TaskView] = Field(
        description="Review tasks opened on the application, each with the people's decisions "
        "beside the policy's outcome (overrides_policy says where they differ)"
    )
    notices: list[NoticeView]
    audit_trail: list[AuditEntryView] | None = Field(
        description="Present for auditor and admin keys only"
    )


class Explanation(BaseModel):
    """The decision in plain words, with its principal reasons (adverse-action style)."""

    application_id: str
    decision: str
    summary: str
    principal_reasons: list[ReasonView]
    next_step: str
    policy: PolicyView | None


SUMMARIES: dict[Outcome, str] = {
    Outcome.APPROVE: "Your application meets the lending policy and is approved.",
    Outcome.REVIEW: "Your application needs a closer look before we can decide; we will ask "
    "you for additional documents.",
    Outcome.DECLINE: "We cannot approve your application automatically for the principal "
    "reasons below; an underwriter will review it.",
    Outcome.INCOMPLETE: "We need more information before we can decide on your application.",
}


async def application_record(
    uow: UnitOfWork, application_id: str, *, with_audit: bool
) -> ApplicationRecord | None:
    """The stored record of an application, or None when there is no such application."""
    row = await uow.applications.get(application_id)
    if row is None:
        return None
    decision = await uow.applications.decision_for(row.id)
    notices = await uow.applications.notices_for(row.id)
    calls = await uow.model_calls.for_application(row.id)
    trail = await uow.audit.trail("application", row.id) if with_audit else None
    return ApplicationRecord(
        application_id=row.id,
        status=row.status,
        channel=row.channel,
        applicant_id=row.applicant_id,
        received_at=row.created_at,
        raw_request=row.raw_request,
        error=row.error,
        fields=_fields(row),
        evidence=row.evidence.get("evidence", {}),
        unsure=row.evidence.get("unsure", {}),
        reading=row.evidence.get("reading"),
        model_calls=[ModelCallView.model_validate(call) for call in calls],
        decision=_decision(decision) if decision else None,
        reviews=await views(uow, await uow.reviews.opened_on(application_id=row.id)),
        notices=[_notice(notice) for notice in notices],
        audit_trail=[AuditEntryView.model_validate(event) for event in trail]
        if trail is not None
        else None,
    )


async def explanation(uow: UnitOfWork, application_id: str) -> Explanation | None:
    """Why the application was decided as it was, in words a borrower can act on."""
    row = await uow.applications.get(application_id)
    if row is None:
        return None
    decision = await uow.applications.decision_for(row.id)
    if decision is None:
        return Explanation(
            application_id=row.id,
            decision=row.status,
            summary="We could not process your application automatically; a person will "
            "review it and contact you.",
            principal_reasons=[],
            next_step=NextAction.ROUTE_TO_UNDERWRITER.value,
            policy=None,
        )
    reasons = [ReasonView(**reason) for reason in decision.reasons]
    return Explanation(
        application_id=row.id,
        decision=decision.outcome,
        summary=SUMMARIES[Outcome(decision.outcome)],
        principal_reasons=reasons[:MAX_PRINCIPAL_REASONS],
        next_step=decision.next_action,
        policy=PolicyView(id=decision.policy_id, version=decision.policy_version),
    )


def _fields(row: LoanApplication) -> FieldsView:
    return FieldsView(
        loan_id=row.loan_ref,
        borrower_name=row.borrower_name,
        income=row.income,
        monthly_debt=row.monthly_debt,
        requested_amount=row.requested_amount,
        currency=row.currency,
        employment_years=row.employment_years,
        term_months=row.term_months,
        purpose=row.purpose,
    )


def _decision(decision: Decision) -> DecisionRecordView:
    return DecisionRecordView(
        outcome=decision.outcome,
        next_step=decision.next_action,
        dti=_rounded(decision.dti),
        risk_score=decision.risk_score,
        figures=decision.figures,
        reasons=[ReasonView(**reason) for reason in decision.reasons],
        missing_fields=decision.missing_fields,
        policy=PolicyView(id=decision.policy_id, version=decision.policy_version),
        decided_at=decision.decided_at,
        trace=decision.trace,
    )


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


def _notice(notice: Notice) -> NoticeView:
    return NoticeView(
        id=notice.id, kind=notice.kind, status=notice.status, created_at=notice.created_at
    )
