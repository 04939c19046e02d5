"""Lending endpoints: the seed API, free-text intake, structured decisions and records."""

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, HTTPException, Path, Request, Response, status

from bankdesk.api.dependencies import App, AppMetrics, Auditor, Reader, Session, Submitter
from bankdesk.api.idempotency import HEADER, IdempotencyKey, respond_once
from bankdesk.domain.access import Permission, Role, allows
from bankdesk.domain.errors import TextTooLong
from bankdesk.lending import records, seed_api, service
from bankdesk.lending.flow import LendingDecision
from bankdesk.lending.records import ApplicationRecord, AuditEntryView, Explanation
from bankdesk.lending.schemas import (
    DecideResponse,
    DecisionEvent,
    DecisionView,
    ErrorDetail,
    IntakeRequest,
    IntakeResponse,
    ProcessingFailed,
)
from bankdesk.lending.seed_api import BorrowerEvaluation, HistoryItem, SeedApplication, SeedDecision
from bankdesk.store.models import LoanApplication

T = TypeVar("T")
# Ids are printable: a control character (PostgreSQL cannot even compare NUL) is a 422.
PrintableId = Annotated[str, Path(max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]
router = APIRouter(
    prefix="/lending",
    tags=["lending"],
    responses={
        401: {"model": ErrorDetail, "description": "No valid API key (send Authorization: Bearer)"},
        403: {"model": ErrorDetail, "description": "The key's role does not allow this"},
    },
)
IDEMPOTENCY_DOC = {
    "model": ErrorDetail,
    "description": f"Send an {HEADER} header to make retries safe: the same key and body "
    "return the first response; the same key with another body is 409.",
}
NOT_FOUND = {404: {"model": ErrorDetail, "description": "No application with this id"}}


@router.post(
    "/apply",
    response_model=SeedDecision,
    responses={202: {"model": ProcessingFailed}, 409: IDEMPOTENCY_DOC},
)
async def apply(
    payload: SeedApplication, request: Request, key: Submitter, uow: Session, app: App,
    metrics: AppMetrics, idempotency_key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    """The seed contract: score an application with the risk-score policy and store it."""
    raw = (await request.body()).decode("utf-8", errors="replace")

    async def produce() -> tuple[int, SeedDecision | ProcessingFailed]:
        row, scored = await seed_api.apply(uow, app.policies, payload, raw_request=raw)
        if scored is None:
            metrics.decisions.labels("apply", "failed").inc()
            return status.HTTP_202_ACCEPTED, ProcessingFailed(application_id=row.id)
        decided, outcome = scored
        metrics.decisions.labels("apply", outcome.value).inc()
        return status.HTTP_200_OK, decided

    return await respond_once(request, uow, key=idempotency_key, owner=key.id, produce=produce)


@router.get("/applicants/{applicant_id}/history", response_model=list[HistoryItem])
async def history(applicant_id: PrintableId, _key: Reader, uow: Session) -> list[HistoryItem]:
    """The applicant's 10 newest scored applications, newest first."""
    return await seed_api.history(uow, applicant_id)


@router.get("/applicants/{applicant_id}/evaluation", response_model=BorrowerEvaluation)
async def evaluation(applicant_id: PrintableId, _key: Reader, uow: Session) -> BorrowerEvaluation:
    """request_more_data without history, manual_review after a review, else auto_process."""
    return await seed_api.evaluate_borrower(uow, applicant_id)


@router.post(
    "/intake",
    status_code=status.HTTP_201_CREATED,
    response_model=IntakeResponse,
    responses={202: {"model": ProcessingFailed}, 409: IDEMPOTENCY_DOC},
)
async def intake(
    payload: IntakeRequest, request: Request, key: Submitter, uow: Session, app: App,
    metrics: AppMetrics, idempotency_key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    """Store a borrower's message, extract, check and decide it; returns the full decision."""
    if len(payload.text) > app.settings.max_text_chars:  # refused before anything is stored
        raise TextTooLong(len(payload.text), app.settings.max_text_chars)

    async def produce() -> tuple[int, IntakeResponse | ProcessingFailed]:
        row, decision = await service.intake(
            uow,
            app.lending,
            app.reader,
            text=payload.text,
            applicant_id=payload.applicant_id,
            checkpoint=_checkpoint(app, uow, read_by_model=True),
        )
        return _decided("intake", row, decision, metrics, _intake_view)

    return await respond_once(request, uow, key=idempotency_key, owner=key.id, produce=produce)


@router.post(
    "/decide",
    status_code=status.HTTP_201_CREATED,
    response_model=DecideResponse,
    responses={202: {"model": ProcessingFailed}, 409: IDEMPOTENCY_DOC},
)
async def decide(
    event: DecisionEvent, request: Request, key: Submitter, uow: Session, app: App,
    metrics: AppMetrics, idempotency_key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    """The seed's lending-decision-function over HTTP: a structured event, the dti policy."""
    raw = (await request.body()).decode("utf-8", errors="replace")

    async def produce() -> tuple[int, DecideResponse | ProcessingFailed]:
        row, decision = await service.decide_event(
            uow,
            app.lending,
            raw_request=raw,
            event=event,
            checkpoint=_checkpoint(app, uow, read_by_model=False),
        )
        return _decided("decide", row, decision, metrics, _decide_view)

    return await respond_once(request, uow, key=idempotency_key, owner=key.id, produce=produce)


@router.get("/applications/{application_id}", response_model=ApplicationRecord, responses=NOT_FOUND)
async def application(application_id: PrintableId, key: Reader, uow: Session) -> ApplicationRecord:
    """Fields with their source spans, the decision, reasons, next step and notices.

    The audit trail is included for auditor and admin keys."""
    with_audit = allows(Role(key.role), Permission.READ_AUDIT_TRAIL)
    found = await records.application_record(uow, application_id, with_audit=with_audit)
    return _found(found)


@router.get(
    "/applications/{application_id}/explanation", response_model=Explanation, responses=NOT_FOUND
)
async def explanation(application_id: PrintableId, _key: Reader, uow: Session) -> Explanation:
    """The decision in plain words with its principal reasons (adverse-action style)."""
    return _found(await records.explanation(uow, application_id))


@router.get(
    "/applications/{application_id}/audit",
    response_model=list[AuditEntryView],
    responses=NOT_FOUND,
)
async def audit_trail(
    application_id: PrintableId, _key: Auditor, uow: Session
) -> list[AuditEntryView]:
    """The application's audit events, oldest first (auditor and admin keys only)."""
    found = await records.application_record(uow, application_id, with_audit=True)
    return _found(found).audit_trail or []


def _checkpoint(app: App, uow: Session, *, read_by_model: bool) -> service.Checkpoint:
    """With a remote model reading the request, or the policy step on AWS Lambda, commit
    before they are asked: a request they keep waiting then holds no transaction (on
    SQLite, no write lock) and another with its Idempotency-Key gets 409 "still being
    processed". In this process both answer at once: one transaction is enough."""
    if (read_by_model and app.provider.info.remote) or app.settings.executor == "lambda":
        return uow.commit
    return service.no_checkpoint


def _found(value: T | None) -> T:
    if value is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no application with this id")
    return value


def _decided(
    channel: str,
    row: LoanApplication,
    decision: LendingDecision | None,
    metrics: AppMetrics,
    view: Callable[[LoanApplication, LendingDecision], IntakeResponse | DecideResponse],
) -> tuple[int, IntakeResponse | DecideResponse | ProcessingFailed]:
    if decision is None:
        metrics.decisions.labels(channel, "failed").inc()
        return status.HTTP_202_ACCEPTED, ProcessingFailed(application_id=row.id)
    metrics.decisions.labels(channel, decision.outcome.value).inc()
    return status.HTTP_201_CREATED, view(row, decision)


def _intake_view(row: LoanApplication, decision: LendingDecision) -> IntakeResponse:
    return IntakeResponse(
        **DecisionView.of(decision).model_dump(), application_id=row.id, status=row.status
    )


def _decide_view(row: LoanApplication, decision: LendingDecision) -> DecideResponse:
    view = DecisionView.of(decision)
    return DecideResponse(
        application_id=row.id,
        decision=view.decision,
        dti=view.dti,
        loan_id=view.fields.loan_id,
        reasons=view.reasons,
        next_step=view.next_step,
        policy=view.policy,
    )
