"""Persisting the lending flow: store the request first, then decide, notify and audit.

Services only add and flush; the API dependency or the CLI command owns the transaction.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bankdesk.domain.decision import NextAction, Outcome
from bankdesk.lending.flow import LendingDecision, LendingFlow
from bankdesk.lending.notices import record_notice
from bankdesk.lending.reading import ApplicationReader, Reading, with_known_borrower
from bankdesk.lending.schemas import DecisionEvent, DecisionView
from bankdesk.llm.protocol import CallStatus
from bankdesk.llm.protocol import ModelCall as Call
from bankdesk.llm.records import call_row, store_calls
from bankdesk.reviews.service import APPLICATION_REASONS, open_for_application
from bankdesk.store.models import Decision, LoanApplication, ModelCall
from bankdesk.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")

NOTICE_KINDS: dict[NextAction, str] = {
    NextAction.SEND_APPROVAL_NOTICE: "approval_notice",
    NextAction.REQUEST_ADDITIONAL_DOCUMENTS: "document_request",
    NextAction.ROUTE_TO_UNDERWRITER: "underwriter_referral",
    NextAction.REQUEST_MORE_INFORMATION: "information_request",
}
RECEIVED, FAILED = "received", "failed"
STORED_READING = ("provider", "model", "degraded", "failure", "conflicts", "grounding_failures")


async def receive(
    uow: UnitOfWork, *, channel: str, raw_request: str, applicant_id: str | None = None
) -> LoanApplication:
    """Store a request exactly as received, before anything is done with it."""
    if applicant_id is not None:
        await uow.applications.ensure_applicant(applicant_id)
    row = await uow.applications.add(
        LoanApplication(
            channel=channel, raw_request=raw_request, status=RECEIVED, applicant_id=applicant_id
        )
    )
    await uow.audit.record(
        "application.received",
        entity_type="application",
        entity_id=row.id,
        after={"channel": channel, "status": RECEIVED, "applicant_id": applicant_id},
    )
    return row


Checkpoint = Callable[[], Awaitable[None]]


async def no_checkpoint() -> None:
    """A checkpoint that commits nothing: the whole intake is one transaction."""


async def intake(
    uow: UnitOfWork,
    flow: LendingFlow,
    reader: ApplicationReader,
    *,
    text: str,
    applicant_id: str | None = None,
    checkpoint: Checkpoint = no_checkpoint,
    known_borrower: str | None = None,
) -> tuple[LoanApplication, LendingDecision | None]:
    """Store a free-text request, read it, store the model calls, then decide it.

    `checkpoint` is the caller's commit. It is called once the request is stored, so no
    transaction (and, on SQLite, no write lock) is held while a model answers, and again
    once the model calls are stored, so they are kept whatever happens next.
    `known_borrower` is the name on a signed-in customer's record, used when the text
    gives none (the stored request stays exactly what the customer wrote)."""
    row = await receive(uow, channel="intake", raw_request=text, applicant_id=applicant_id)
    await checkpoint()
    try:
        reading = await reader.read(text)
        if known_borrower is not None:
            reading = with_known_borrower(reading, known_borrower, source="the customer record")
    except Exception as error:  # the reader fails closed itself; this would be a bug
        await process(uow, row, _raising(error))
        return row, None

    async def record() -> Reading:
        await record_model_calls(uow, application_id=row.id, reading=reading)
        return reading

    if await process(uow, row, record) is None:
        return row, None
    await checkpoint()
    return row, await _decide(uow, row, lambda: flow.settle(flow.check_reading(reading)))


def _raising(error: Exception) -> Callable[[], Awaitable[None]]:
    async def fail() -> None:
        raise error

    return fail


async def decide_event(
    uow: UnitOfWork,
    flow: LendingFlow,
    *,
    raw_request: str,
    event: DecisionEvent,
    channel: str = "decide",
    checkpoint: Checkpoint = no_checkpoint,
) -> tuple[LoanApplication, LendingDecision | None]:
    """Store a structured seed event, then let the policy decide it (`checkpoint`, the
    caller's commit, is called once the event is stored)."""
    row = await receive(uow, channel=channel, raw_request=raw_request)
    await checkpoint()
    return row, await _decide(uow, row, lambda: flow.settle(flow.check(event.application())))


async def _decide(
    uow: UnitOfWork, row: LoanApplication, compute: Callable[[], Awaitable[LendingDecision]]
) -> LendingDecision | None:
    # Decided before the savepoint opens: the policy may be a function call away, and no
    # transaction (on SQLite, no write lock) is held while it answers.
    try:
        decision = await compute()
    except Exception as error:
        return await process(uow, row, _raising(error))

    async def record() -> LendingDecision:
        await record_decision(uow, row, decision)
        return decision

    return await process(uow, row, record)


async def process(
    uow: UnitOfWork, row: LoanApplication, work: Callable[[], Awaitable[T]]
) -> T | None:
    """Process a stored request in a savepoint; if anything fails, keep the request as
    failed and refer it to a person (fail closed), and return None."""
    mark = uow.audit.mark()
    application_id = row.id  # rolling the savepoint back expires what it changed on the row
    try:
        async with uow.session.begin_nested():
            return await work()
    except Exception as error:
        uow.audit.discard_since(mark)
        log.error(
            "processing failed",
            extra={"application_id": application_id, "error": type(error).__name__},
        )
        await uow.session.refresh(row)
        await _fail(uow, row, error)
        return None


async def _fail(uow: UnitOfWork, row: LoanApplication, error: Exception) -> None:
    row.status = FAILED
    # The type only: an exception's message can quote the borrower's text, and readers see it.
    row.error = type(error).__name__
    await uow.audit.record(
        "application.failed",
        entity_type="application",
        entity_id=row.id,
        before={"status": RECEIVED},
        after={"status": FAILED, "error": type(error).__name__},
    )
    await queue_notice(uow, row, NextAction.ROUTE_TO_UNDERWRITER, {"reason": "processing failed"})
    await open_for_application(uow, row, "failed", detail=f"processing failed: {row.error}")


async def record_decision(uow: UnitOfWork, row: LoanApplication, decision: LendingDecision) -> None:
    """Fill the application from the decision, store the decision, queue its notice, audit."""
    if decision.awaiting_policy:  # a bug: the flow checked but never asked the policy
        raise ValueError("the decision awaits the policy; settle it before recording it")
    result = decision.policy_result
    view = DecisionView.of(decision)
    _fill(row, decision, view)
    stored = Decision(
        application_id=row.id,
        outcome=decision.outcome.value,
        next_action=decision.next_action.value,
        dti=decision.dti,
        figures={name: str(value) for name, value in (result.figures if result else {}).items()},
        reasons=[reason.model_dump() for reason in view.reasons],
        missing_fields=view.missing_fields,
        policy_id=decision.policy.id,
        policy_version=decision.policy.version,
        trace=view.trace,
    )
    await store_decision(uow, row, stored)


async def store_decision(
    uow: UnitOfWork, row: LoanApplication, stored: Decision, *, noted: dict[str, str] | None = None
) -> None:
    """Store a decision on an application, audit it and queue the notice its next step sends."""
    uow.session.add(stored)
    await uow.session.flush()
    codes = [reason["code"] for reason in stored.reasons]
    await uow.audit.record(
        "application.decided",
        entity_type="application",
        entity_id=row.id,
        before={"status": RECEIVED},
        after={
            "status": row.status,
            "outcome": stored.outcome,
            "reasons": codes,
            "policy_id": stored.policy_id,
            "policy_version": stored.policy_version,
            "next_action": stored.next_action,
            **(noted or {}),
        },
    )
    await queue_notice(
        uow, row, NextAction(stored.next_action), {"outcome": stored.outcome, "reasons": codes}
    )
    if stored.outcome in APPLICATION_REASONS:  # not approved: a person looks at it
        await open_for_application(uow, row, stored.outcome, detail=", ".join(codes))


async def record_model_calls(
    uow: UnitOfWork, *, application_id: str | None, reading: Reading
) -> None:
    """Store every model call a reading made, each with its audit event (a call made for no
    stored application, as by `bankdesk apply`, is audited as itself)."""
    rows = [_call_row(call, application_id, reading) for call in reading.calls]
    await store_calls(uow, rows, entity_type="application", entity_id=application_id)


def _call_row(call: Call, application_id: str | None, reading: Reading) -> ModelCall:
    # Grounding judged the value the last successful call parsed.
    grounded = call.status is CallStatus.OK and call is reading.calls[-1]
    return call_row(
        call,
        application_id=application_id,
        grounding_failures=list(reading.grounding_failures) if grounded else [],
        fallback_used=reading.degraded,
    )


def _fill(row: LoanApplication, decision: LendingDecision, view: DecisionView) -> None:
    application = decision.application
    row.status = "incomplete" if decision.outcome is Outcome.INCOMPLETE else "decided"
    row.loan_ref = application.loan_id
    row.loan_ref_assigned = decision.loan_id_assigned
    row.borrower_name = application.borrower_name
    row.income = application.income
    row.monthly_debt = application.monthly_debt
    row.requested_amount = application.requested_amount
    row.currency = application.currency
    row.employment_years = application.employment_years
    row.term_months = application.term_months
    row.purpose = application.purpose
    # The calls themselves are in the model-call table; the reading's verdict is kept here.
    row.evidence = view.model_dump(
        mode="json",
        include={"evidence": True, "unsure": True, "reading": set(STORED_READING)},
    )


async def queue_notice(
    uow: UnitOfWork, row: LoanApplication, action: NextAction, payload: dict[str, Any]
) -> None:
    """Record the outgoing notice a next step calls for (delivered later by a worker)."""
    await record_notice(uow, row.id, NOTICE_KINDS[action], payload)
