"""Retail banking endpoints: a customer's message worked end to end, and the case record."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from bankdesk.api.context import request_id
from bankdesk.api.dependencies import App, CaseReader, MessageSubmitter, Session
from bankdesk.api.idempotency import HEADER, IdempotencyKey, respond_once
from bankdesk.banking.records import CaseRecord, case_record
from bankdesk.banking.schemas import MessageRequest, MessageResponse
from bankdesk.domain.access import Permission, Role, allows
from bankdesk.domain.errors import CaseNotFound, UnknownCustomer
from bankdesk.lending.schemas import ErrorDetail

CaseId = Annotated[str, Path(max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]
router = APIRouter(
    prefix="/banking",
    tags=["banking"],
    responses={
        401: {"model": ErrorDetail, "description": "No valid API key (send Authorization: Bearer)"},
        403: {"model": ErrorDetail, "description": "The key's role does not allow this"},
    },
)


@router.post(
    "/messages",
    response_model=MessageResponse,
    responses={
        404: {"model": ErrorDetail, "description": "No customer with this customer_id"},
        409: {
            "model": ErrorDetail,
            "description": f"The {HEADER} was used with another body, or is still in progress",
        },
    },
)
async def message(
    payload: MessageRequest, request: Request, key: MessageSubmitter, uow: Session, app: App,
    idempotency_key: IdempotencyKey = None,
) -> Response:  # fmt: skip
    """Triage a customer's message, run the specialist agents it needs, and reply safely.

    The message is stored as a case before anything else; the reply has card and account
    numbers and other identifiers masked, and says whether a person takes over."""

    # Checked before an Idempotency-Key is claimed, so a corrected retry can reuse the key.
    if payload.customer_id is not None and await uow.customers.get(payload.customer_id) is None:
        raise UnknownCustomer(payload.customer_id)

    async def produce() -> tuple[int, MessageResponse]:
        # The agents work in their own transactions: this request's must not hold a lock.
        await uow.commit()
        answered = await app.banking.handle(
            payload, channel="api", actor=uow.actor, request_id=request_id.get()
        )
        return status.HTTP_200_OK, answered

    return await respond_once(request, uow, key=idempotency_key, owner=key.id, produce=produce)


@router.get(
    "/cases/{case_id}",
    response_model=CaseRecord,
    responses={404: {"model": ErrorDetail, "description": "No case with this id"}},
)
async def case(case_id: CaseId, key: CaseReader, uow: Session) -> CaseRecord:
    """A case with its message, triage, plan, agent runs, related cases and history.

    The audit trail is included for auditor and admin keys."""
    with_audit = allows(Role(key.role), Permission.READ_AUDIT_TRAIL)
    found = await case_record(uow, case_id, with_audit=with_audit)
    if found is None:
        raise CaseNotFound(case_id)
    return found
