"""The seed lending API: POST /lending/apply (risk score), history and borrower evaluation."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

from bankdesk.domain.decision import Outcome, next_action_for
from bankdesk.lending.schemas import StoredText
from bankdesk.lending.service import process, receive, store_decision
from bankdesk.policy.engine import PolicyEngine
from bankdesk.store.models import Decision, LoanApplication
from bankdesk.store.unit_of_work import UnitOfWork

RISK_POLICY = "seed-risk-score"
CHANNEL = "apply"
# The seed API answers with floats (1830.0), as its own code does.
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
# The seed API's words for the policy's outcomes.
API_DECISIONS: dict[Outcome, str] = {Outcome.APPROVE: "approved", Outcome.REVIEW: "review"}


class SeedApplication(BaseModel):
    """The seed's `LoanApplication` request body."""

    applicant_id: StoredText = Field(min_length=3, max_length=64, description="The applicant's id.")
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=2, description="Amount requested.")
    income: Decimal = Field(gt=0, max_digits=18, decimal_places=2, description="Income.")
    employment_years: int = Field(ge=0, le=80, description="Whole years in employment.")


class SeedDecision(BaseModel):
    """The seed's response: the risk score and `approved` or `review`."""

    applicant_id: str
    risk_score: Number = Field(description="income / amount * 100 + employment_years * 5, 2 dp")
    decision: str = Field(description="`approved` when risk_score >= 80, otherwise `review`")


class HistoryItem(BaseModel):
    """One earlier application, as the seed's history endpoint returns it."""

    amount: Number
    income: Number
    employment_years: int
    risk_score: Number
    decision: str
    created_at: datetime


class Evaluation(StrEnum):
    """What an agent should do with a borrower, from their history (the seed's rule)."""

    REQUEST_MORE_DATA = "request_more_data"
    MANUAL_REVIEW = "manual_review"
    AUTO_PROCESS = "auto_process"


class BorrowerEvaluation(BaseModel):
    """The evaluation with what it was based on."""

    applicant_id: str
    evaluation: Evaluation
    applications_considered: int
    latest_decision: str | None


async def apply(
    uow: UnitOfWork, policies: PolicyEngine, request: SeedApplication, *, raw_request: str
) -> tuple[LoanApplication, tuple[SeedDecision, Outcome] | None]:
    """Store the request as received, then score it with the risk policy and record the
    decision; no result when processing failed (the request stays, referred to a person)."""
    row = await receive(
        uow, channel=CHANNEL, raw_request=raw_request, applicant_id=request.applicant_id
    )

    async def score() -> tuple[SeedDecision, Outcome]:
        return await _score(uow, policies, request, row)

    return row, await process(uow, row, score)


async def _score(
    uow: UnitOfWork, policies: PolicyEngine, request: SeedApplication, row: LoanApplication
) -> tuple[SeedDecision, Outcome]:
    row.requested_amount = request.amount
    row.income = request.income
    row.employment_years = Decimal(request.employment_years)
    result = policies.evaluate(RISK_POLICY, request.model_dump())
    risk_score = result.figures["risk_score"].quantize(Decimal("0.01"))
    action = next_action_for(result.outcome)
    row.status = "decided"
    stored = Decision(
        application_id=row.id,
        outcome=result.outcome.value,
        next_action=action.value,
        risk_score=risk_score,
        figures={"risk_score": str(risk_score)},
        reasons=[{"code": r.code, "message": r.message} for r in result.reasons],
        policy_id=result.policy.id,
        policy_version=result.policy.version,
        trace=result.trace,
    )
    await store_decision(uow, row, stored, noted={"risk_score": str(risk_score)})
    decided = SeedDecision(
        applicant_id=request.applicant_id,
        risk_score=risk_score,
        decision=API_DECISIONS[result.outcome],
    )
    return decided, result.outcome


async def history(uow: UnitOfWork, applicant_id: str) -> list[HistoryItem]:
    """The applicant's 10 newest scored applications, newest first."""
    rows = await uow.applications.history(applicant_id, channel=CHANNEL, limit=10)
    return [
        HistoryItem(
            amount=application.requested_amount or Decimal(0),
            income=application.income or Decimal(0),
            employment_years=int(application.employment_years or 0),
            risk_score=decision.risk_score or Decimal(0),
            decision=_api_decision(decision),
            created_at=application.created_at,
        )
        for application, decision in rows
    ]


async def evaluate_borrower(uow: UnitOfWork, applicant_id: str) -> BorrowerEvaluation:
    """No history: request more data; newest decision review: manual review; else auto."""
    items = await history(uow, applicant_id)
    if not items:
        evaluation = Evaluation.REQUEST_MORE_DATA
    elif items[0].decision == "review":
        evaluation = Evaluation.MANUAL_REVIEW
    else:
        evaluation = Evaluation.AUTO_PROCESS
    return BorrowerEvaluation(
        applicant_id=applicant_id,
        evaluation=evaluation,
        applications_considered=len(items),
        latest_decision=items[0].decision if items else None,
    )


def _api_decision(decision: Decision) -> str:
    return API_DECISIONS.get(Outcome(decision.outcome), decision.outcome)
