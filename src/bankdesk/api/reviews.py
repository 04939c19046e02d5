"""The review queue over HTTP: list, claim, release and decide tasks (underwriters, admins)."""

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi import status as http

from bankdesk.api.dependencies import App, Reviewer, Session
from bankdesk.domain.errors import ReviewNotFound
from bankdesk.lending.schemas import ErrorDetail
from bankdesk.reviews import service
from bankdesk.reviews.schemas import DecisionRequest, Queue, TaskView
from bankdesk.store.models import utcnow

TaskId = Annotated[str, Path(max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]
Status = Literal["active", "open", "claimed", "awaiting_second", "resolved"]
router = APIRouter(
    prefix="/reviews",
    tags=["reviews"],
    responses={
        401: {"model": ErrorDetail, "description": "No valid API key (send Authorization: Bearer)"},
        403: {"model": ErrorDetail, "description": "Only underwriter and admin keys review"},
    },
)
NOT_FOUND = {404: {"model": ErrorDetail, "description": "No review task with this id"}}
CONFLICT = {
    409: {
        "model": ErrorDetail,
        "description": "Held by another reviewer, not claimed first, resolved, or your own "
        "decision awaiting a second underwriter",
    }
}


@router.get("", response_model=Queue)
async def queue(
    key: Reviewer,
    uow: Session,
    status: Status | None = None,
    kind: Literal["application", "case"] | None = None,
    priority: Annotated[int | None, Query(ge=1, le=4)] = None,
    assignee: Annotated[str | None, Query(max_length=64, description="a key id, or `me`")] = None,
) -> Queue:
    """Tasks in the order to work them (priority, then due time), with counts per status.

    `status=active` lists every task not yet resolved."""
    now = utcnow()
    holder = key.id if assignee == "me" else assignee
    tasks = await uow.reviews.queue(
        now=now, status=status, kind=kind, priority=priority, assignee=holder
    )
    items = await service.views(uow, tasks, now=now)
    return Queue(items=items, counts=await uow.reviews.counts(now=now))


@router.post(
    "/claim-next",
    response_model=TaskView,
    responses={404: {"model": ErrorDetail, "description": "Nothing in the queue to claim"}},
)
async def claim_next(key: Reviewer, uow: Session, app: App) -> TaskView:
    """Claim the first task in the queue (by priority, then due time) that you may take."""
    claimed = await service.claim_next(uow, key.id, minutes=app.settings.review_claim_minutes)
    if claimed is None:
        raise HTTPException(http.HTTP_404_NOT_FOUND, "the review queue has nothing to claim")
    return await service.view(uow, claimed)


@router.get("/{task_id}", response_model=TaskView, responses=NOT_FOUND)
async def task(task_id: TaskId, key: Reviewer, uow: Session) -> TaskView:
    """One task with its decisions."""
    found = await uow.reviews.get(task_id)
    if found is None:
        raise ReviewNotFound(task_id)
    return await service.view(uow, found)


@router.post("/{task_id}/claim", response_model=TaskView, responses=NOT_FOUND | CONFLICT)
async def claim(task_id: TaskId, key: Reviewer, uow: Session, app: App) -> TaskView:
    """Take the task for BANKDESK_REVIEW_CLAIM_MINUTES (claiming it again extends the claim)."""
    claimed = await service.claim(uow, task_id, key.id, minutes=app.settings.review_claim_minutes)
    return await service.view(uow, claimed)


@router.post("/{task_id}/release", response_model=TaskView, responses=NOT_FOUND | CONFLICT)
async def release(task_id: TaskId, key: Reviewer, uow: Session) -> TaskView:
    """Hand the task back to the queue."""
    return await service.view(uow, await service.release(uow, task_id, key.id))


@router.post("/{task_id}/decision", response_model=TaskView, responses=NOT_FOUND | CONFLICT)
async def decision(
    task_id: TaskId, payload: DecisionRequest, key: Reviewer, uow: Session, app: App
) -> TaskView:
    """Approve, decline or request information, with a justification and reason codes.

    The decision is kept beside the policy's; an override of the policy on a loan above
    BANKDESK_REVIEW_FOUR_EYES_AMOUNT waits for a second underwriter's confirmation."""
    decided = await service.decide(
        uow, task_id, key.id, payload, four_eyes_amount=app.settings.review_four_eyes_amount
    )
    return await service.view(uow, decided)
