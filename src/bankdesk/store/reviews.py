"""The review queue: tasks, claims that expire, and the decisions people make.

A claim is one guarded UPDATE: it succeeds only while nobody else holds the task (or their
claim has expired), so two reviewers claiming at once never both get it; on PostgreSQL the
second UPDATE waits for the first to commit and then finds the task held. Taking the next
task from the queue skips rows another transaction has locked (FOR UPDATE SKIP LOCKED on
PostgreSQL; SQLite has one writer at a time, so the same SELECT then UPDATE is safe there).
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bankdesk.store.review_models import ReviewDecision, ReviewTask

OPEN, CLAIMED, AWAITING_SECOND, RESOLVED = "open", "claimed", "awaiting_second", "resolved"
ACTIVE = "active"  # a filter, not a status: every task not yet resolved


class ReviewRepository:
    """Add, list, claim and release review tasks, and keep their decisions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, task: ReviewTask) -> ReviewTask:
        """Store a new task."""
        self._session.add(task)
        await self._session.flush()
        return task

    async def get(self, task_id: str) -> ReviewTask | None:
        """One task by id, as stored now."""
        return await self._session.get(ReviewTask, task_id, populate_existing=True)

    async def opened_on(
        self, *, application_id: str | None = None, case_id: str | None = None
    ) -> list[ReviewTask]:
        """The tasks opened on an application or a banking case, oldest first."""
        rows = await self._session.scalars(
            select(ReviewTask)
            .where(
                ReviewTask.application_id == application_id
                if application_id is not None
                else ReviewTask.case_id == case_id
            )
            .order_by(ReviewTask.created_at, ReviewTask.id)
        )
        return list(rows)

    async def queue(
        self,
        *,
        now: datetime,
        status: str | None = None,
        kind: str | None = None,
        priority: int | None = None,
        assignee: str | None = None,
        limit: int = 200,
    ) -> list[ReviewTask]:
        """Tasks in the order they should be worked: priority, then due time. A claim that
        has expired counts as open (the task is back in the queue)."""
        query = select(ReviewTask)
        if status == OPEN:
            query = query.where(or_(ReviewTask.status == OPEN, _expired(now)))
        elif status == CLAIMED:
            query = query.where(ReviewTask.status == CLAIMED, ~_expired(now))
        elif status == ACTIVE:
            query = query.where(ReviewTask.status != RESOLVED)
        elif status is not None:
            query = query.where(ReviewTask.status == status)
        if kind is not None:
            query = query.where(ReviewTask.kind == kind)
        if priority is not None:
            query = query.where(ReviewTask.priority == priority)
        if assignee is not None:
            # Held now: a claim that has run out holds nothing, whatever the task's status.
            query = query.where(
                ReviewTask.claimed_by == assignee,
                or_(ReviewTask.claim_expires_at.is_(None), ReviewTask.claim_expires_at >= now),
            )
        query = query.order_by(ReviewTask.priority, ReviewTask.due_at, ReviewTask.id).limit(limit)
        return list(await self._session.scalars(query))

    async def counts(self, *, now: datetime) -> dict[str, int]:
        """How many tasks are open, claimed, awaiting a second reviewer and resolved."""
        effective = _effective_status(now)
        rows = await self._session.execute(
            select(effective, func.count()).select_from(ReviewTask).group_by(effective)
        )
        counts = dict.fromkeys((OPEN, CLAIMED, AWAITING_SECOND, RESOLVED), 0)
        counts.update({str(status): int(count) for status, count in rows})
        return counts

    async def claim(self, task_id: str, reviewer: str, *, now: datetime, until: datetime) -> bool:
        """Give the task to the reviewer unless someone else holds it; whether they got it."""
        return await self._update_one(
            task_id,
            _claimable_by(reviewer, now),
            status=case((ReviewTask.status == OPEN, CLAIMED), else_=ReviewTask.status),
            claimed_by=reviewer,
            claim_expires_at=until,
            updated_at=now,
        )

    async def next_claimable(self, reviewer: str, *, now: datetime) -> str | None:
        """The id of the first task in the queue this reviewer may claim, skipping tasks
        that another transaction is claiming right now."""
        query = (
            select(ReviewTask.id)
            .where(ReviewTask.status != RESOLVED, _claimable_by(reviewer, now))
            .order_by(ReviewTask.priority, ReviewTask.due_at, ReviewTask.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        return await self._session.scalar(query)

    async def release(self, task_id: str, reviewer: str, *, now: datetime) -> bool:
        """Hand a held task back to the queue; whether this reviewer held it."""
        return await self._update_one(
            task_id,
            ReviewTask.claimed_by == reviewer,
            ReviewTask.status.in_((CLAIMED, AWAITING_SECOND)),
            status=case((ReviewTask.status == CLAIMED, OPEN), else_=ReviewTask.status),
            claimed_by=None,
            claim_expires_at=None,
            updated_at=now,
        )

    async def take_claim(self, task_id: str, reviewer: str, *, now: datetime) -> bool:
        """Use up the reviewer's live claim to decide (one decision per claim); whether
        they held one. A second decision sent at the same time finds the claim gone."""
        return await self._update_one(
            task_id,
            ReviewTask.claimed_by == reviewer,
            ReviewTask.claim_expires_at >= now,
            ReviewTask.status != RESOLVED,
            claimed_by=None,
            claim_expires_at=None,
            updated_at=now,
        )

    async def _update_one(
        self, task_id: str, *conditions: ColumnElement[bool], **values: object
    ) -> bool:
        """One guarded UPDATE of the task: whether it matched (and so changed) the row."""
        result = await self._session.execute(
            update(ReviewTask)
            .where(ReviewTask.id == task_id, *conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def add_decision(self, decision: ReviewDecision) -> None:
        """Keep a person's decision (append-only)."""
        self._session.add(decision)
        await self._session.flush()

    async def decisions_of(self, task_ids: Sequence[str]) -> dict[str, list[ReviewDecision]]:
        """Each task's decisions, oldest first, by task id (tasks without any are left out)."""
        found: dict[str, list[ReviewDecision]] = {}
        if not task_ids:
            return found
        rows = await self._session.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.task_id.in_(task_ids))
            .order_by(ReviewDecision.decided_at, ReviewDecision.id)
        )
        for row in rows:
            found.setdefault(row.task_id, []).append(row)
        return found


def _expired(now: datetime) -> ColumnElement[bool]:
    return and_(
        ReviewTask.status == CLAIMED,
        ReviewTask.claim_expires_at.is_not(None),
        ReviewTask.claim_expires_at < now,
    )


def _effective_status(now: datetime) -> ColumnElement[str]:
    return case((_expired(now), OPEN), else_=ReviewTask.status)


def _claimable_by(reviewer: str, now: datetime) -> ColumnElement[bool]:
    free = or_(
        ReviewTask.claimed_by.is_(None),
        ReviewTask.claimed_by == reviewer,
        ReviewTask.claim_expires_at < now,
    )
    return or_(
        ReviewTask.status == OPEN,
        and_(ReviewTask.status == CLAIMED, free),
        # The second pair of eyes must be another person's.
        and_(ReviewTask.status == AWAITING_SECOND, free, ReviewTask.first_reviewer != reviewer),
    )
