"""The review queue's rules: what opens a task, who may claim and decide it, four eyes.

A person's decision is recorded beside the policy's decision, never in its place: the
`decisions` row stays as the policy made it, and each `review_decisions` row says what the
person decided, why, and whether that overrides the policy. An override on a loan above
BANKDESK_REVIEW_FOUR_EYES_AMOUNT takes effect only when a second underwriter confirms it.
Everything is audited in the chain.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from bankdesk.domain.errors import ReviewConflict, ReviewNotFound
from bankdesk.lending.notices import record_notice
from bankdesk.reviews.schemas import (
    PRIORITY_NAMES,
    DecisionRequest,
    ReviewDecisionView,
    ReviewOutcome,
    TaskView,
)
from bankdesk.store.banking_models import Case
from bankdesk.store.models import Decision, LoanApplication, utcnow
from bankdesk.store.review_models import ReviewDecision, ReviewTask
from bankdesk.store.reviews import AWAITING_SECOND, CLAIMED, OPEN, RESOLVED
from bankdesk.store.unit_of_work import UnitOfWork

# Why an application goes to a person -> (priority, hours until due).
APPLICATION_REASONS: dict[str, tuple[int, int]] = {
    "decline": (2, 24),
    "failed": (2, 24),
    "review": (3, 48),
    "incomplete": (4, 72),
}
# A policy outcome a human approval overrides (the policy did not leave approval open).
OVERRIDDEN_BY_APPROVAL = frozenset({"decline", "incomplete", "failed"})
NOTICES = {
    ReviewOutcome.APPROVE: "approval_notice",
    ReviewOutcome.DECLINE: "decline_notice",
    ReviewOutcome.REQUEST_INFORMATION: "information_request",
}


async def open_for_application(
    uow: UnitOfWork, row: LoanApplication, reason: str, *, detail: str
) -> ReviewTask:
    """Put an application the policy did not approve (or could not decide) in the queue."""
    priority, hours = APPLICATION_REASONS[reason]
    now = utcnow()
    task = ReviewTask(
        kind="application", application_id=row.id, reason=reason, detail=detail,
        priority=priority, status=OPEN, amount=row.requested_amount,
        due_at=now + timedelta(hours=hours), created_at=now, updated_at=now,
    )  # fmt: skip
    return await _opened(uow, task)


async def open_for_case(uow: UnitOfWork, case: Case, *, detail: str) -> ReviewTask:
    """Put an escalated banking case in the queue (urgent cases first, due in 4 hours)."""
    urgent = case.priority == "urgent"
    now = utcnow()
    task = ReviewTask(
        kind="case", case_id=case.id, reason="escalated", detail=detail[:2000],
        priority=1 if urgent else 2, status=OPEN,
        due_at=now + timedelta(hours=4 if urgent else 24), created_at=now, updated_at=now,
    )  # fmt: skip
    return await _opened(uow, task)


async def _opened(uow: UnitOfWork, task: ReviewTask) -> ReviewTask:
    await uow.reviews.add(task)
    await uow.audit.record(
        "review.opened",
        entity_type="review",
        entity_id=task.id,
        after={
            "kind": task.kind,
            "application_id": task.application_id,
            "case_id": task.case_id,
            "reason": task.reason,
            "priority": task.priority,
            "due_at": task.due_at.isoformat(),
        },
    )
    return task


async def claim(
    uow: UnitOfWork, task_id: str, reviewer: str, *, minutes: float, now: datetime | None = None
) -> ReviewTask:
    """Give the task to the reviewer until the claim expires; ReviewConflict when someone
    else holds it, it is resolved, or it awaits a second reviewer and this is the first."""
    now = now or utcnow()
    task = await _task(uow, task_id)
    if task.status == RESOLVED:
        raise ReviewConflict(f"review task {task_id} is resolved already")
    until = now + timedelta(minutes=minutes)
    if not await uow.reviews.claim(task_id, reviewer, now=now, until=until):
        if task.status == AWAITING_SECOND and task.first_reviewer == reviewer:
            raise ReviewConflict("a second underwriter must confirm your decision on this task")
        raise ReviewConflict(f"review task {task_id} is held by another reviewer")
    task = await _task(uow, task_id)
    await _audit(uow, "review.claimed", task, reviewer=reviewer, until=until.isoformat())
    return task


async def claim_next(
    uow: UnitOfWork, reviewer: str, *, minutes: float, now: datetime | None = None
) -> ReviewTask | None:
    """Claim the first task in the queue this reviewer may take, skipping any another
    reviewer is claiming at this moment; None when there is none."""
    now = now or utcnow()
    task_id = await uow.reviews.next_claimable(reviewer, now=now)
    if task_id is None:
        return None
    return await claim(uow, task_id, reviewer, minutes=minutes, now=now)


async def release(
    uow: UnitOfWork, task_id: str, reviewer: str, *, now: datetime | None = None
) -> ReviewTask:
    """Hand a task back to the queue; ReviewConflict when this reviewer does not hold it."""
    await _task(uow, task_id)
    if not await uow.reviews.release(task_id, reviewer, now=now or utcnow()):
        raise ReviewConflict(f"you do not hold review task {task_id}")
    task = await _task(uow, task_id)
    await _audit(uow, "review.released", task, reviewer=reviewer)
    return task


async def decide(
    uow: UnitOfWork,
    task_id: str,
    reviewer: str,
    request: DecisionRequest,
    *,
    four_eyes_amount: Decimal,
    now: datetime | None = None,
) -> ReviewTask:
    """Record the reviewer's decision and, unless it needs a second underwriter, resolve the
    task: the applicant's notice is queued, or the banking case is closed."""
    now = now or utcnow()
    task = await _task(uow, task_id)
    if task.status == RESOLVED:
        raise ReviewConflict(f"review task {task_id} is resolved already")
    if not await uow.reviews.take_claim(task_id, reviewer, now=now):
        raise ReviewConflict(f"claim review task {task_id} before deciding it")
    task = await _task(uow, task_id)
    policy_outcome = await _policy_outcome(uow, task)
    overrides = (
        request.outcome is ReviewOutcome.APPROVE and policy_outcome in OVERRIDDEN_BY_APPROVAL
    )
    large = task.amount is not None and task.amount > four_eyes_amount
    if task.status == AWAITING_SECOND:
        role = "second" if request.outcome == task.outcome else "disagreement"
    else:
        role = "decision"
    decision = ReviewDecision(
        task_id=task.id, reviewer=reviewer, role=role, outcome=request.outcome.value,
        justification=request.justification, reason_codes=list(request.reason_codes),
        policy_outcome=policy_outcome, overrides_policy=overrides, decided_at=now,
    )  # fmt: skip
    await uow.reviews.add_decision(decision)
    await _audit(
        uow, "review.decided", task, reviewer=reviewer, role=role, outcome=request.outcome.value,
        policy_outcome=policy_outcome, overrides_policy=overrides,
        reason_codes=list(request.reason_codes),
    )  # fmt: skip
    if role == "disagreement":  # the two disagree: the task goes back for a fresh decision
        task.status, task.first_reviewer, task.outcome = OPEN, None, None
    elif role == "decision" and overrides and large:
        task.status, task.first_reviewer, task.outcome = AWAITING_SECOND, reviewer, decision.outcome
    else:
        await _resolve(uow, task, request, reviewer=reviewer)
    await uow.session.flush()
    return task


async def _resolve(
    uow: UnitOfWork, task: ReviewTask, request: DecisionRequest, *, reviewer: str
) -> None:
    task.status, task.outcome = RESOLVED, request.outcome.value
    if task.application_id is not None:
        payload = {"outcome": request.outcome.value, "reasons": list(request.reason_codes),
                   "decided_by": "underwriter"}  # fmt: skip
        await record_notice(uow, task.application_id, NOTICES[request.outcome], payload)
    if task.case_id is not None and (case := await uow.cases.get(task.case_id)) is not None:
        await uow.cases.set_status(case, "resolved", review_task=task.id, by=reviewer)
    await _audit(uow, "review.resolved", task, reviewer=reviewer, outcome=task.outcome)


async def _policy_outcome(uow: UnitOfWork, task: ReviewTask) -> str | None:
    """What the policy decided on the application (`failed` when nothing could decide)."""
    if task.application_id is None:
        return None
    outcome = await uow.session.scalar(
        select(Decision.outcome).where(Decision.application_id == task.application_id)
    )
    return outcome if outcome is not None else "failed"


async def _task(uow: UnitOfWork, task_id: str) -> ReviewTask:
    task = await uow.reviews.get(task_id)
    if task is None:
        raise ReviewNotFound(task_id)
    return task


async def _audit(uow: UnitOfWork, action: str, task: ReviewTask, **after: object) -> None:
    await uow.audit.record(
        action, entity_type="review", entity_id=task.id, after={"status": task.status, **after}
    )


async def view(uow: UnitOfWork, task: ReviewTask, *, now: datetime | None = None) -> TaskView:
    """The task as reviewers see it, with its decisions."""
    [seen] = await views(uow, [task], now=now)
    return seen


async def views(
    uow: UnitOfWork, tasks: Sequence[ReviewTask], *, now: datetime | None = None
) -> list[TaskView]:
    """Tasks as reviewers see them, with their decisions (read in one query)."""
    now = now or utcnow()
    decisions = await uow.reviews.decisions_of([task.id for task in tasks])
    return [_view(task, decisions.get(task.id, []), now=now) for task in tasks]


def _view(task: ReviewTask, decisions: list[ReviewDecision], *, now: datetime) -> TaskView:
    # An expired claim holds nothing: a claimed task is open again, and a task awaiting its
    # second underwriter waits for anyone but the first.
    expired = task.claim_expires_at is not None and task.claim_expires_at < now
    return TaskView(
        id=task.id, kind=task.kind, application_id=task.application_id, case_id=task.case_id,
        reason=task.reason, detail=task.detail, priority=task.priority,
        priority_name=PRIORITY_NAMES[task.priority],
        status=OPEN if expired and task.status == CLAIMED else task.status,
        amount=task.amount, due_at=task.due_at,
        claimed_by=None if expired else task.claimed_by,
        claim_expires_at=None if expired else task.claim_expires_at,
        first_reviewer=task.first_reviewer, outcome=task.outcome, created_at=task.created_at,
        decisions=[
            ReviewDecisionView.model_validate(row, from_attributes=True) for row in decisions
        ],
    )  # fmt: skip
