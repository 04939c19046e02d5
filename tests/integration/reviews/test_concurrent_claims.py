"""Two underwriters claiming at once never get the same task: concurrent claims, each in a
transaction of its own (on SQLite the writers take turns; on PostgreSQL they race)."""

import asyncio
from datetime import timedelta
from decimal import Decimal

from bankdesk.domain.errors import ReviewConflict
from bankdesk.reviews import service
from bankdesk.reviews.schemas import DecisionRequest
from bankdesk.store.models import LoanApplication, utcnow
from bankdesk.store.unit_of_work import UnitOfWork


async def _tasks(bankdesk, count: int) -> list[str]:
    ids = []
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        for n in range(count):
            row = await uow.applications.add(
                LoanApplication(channel="test", raw_request=f"request {n}", status="decided")
            )
            task = await service.open_for_application(uow, row, "review", detail="DTI_REVIEW")
            ids.append(task.id)
        await uow.commit()
    return ids


async def _claim(bankdesk, task_id: str, reviewer: str) -> bool:
    async with UnitOfWork(bankdesk.database.sessions, actor=f"key:{reviewer}") as uow:
        try:
            await service.claim(uow, task_id, reviewer, minutes=30)
        except ReviewConflict:
            return False
        await uow.commit()
        return True


async def _claim_next(bankdesk, reviewer: str) -> str | None:
    async with UnitOfWork(bankdesk.database.sessions, actor=f"key:{reviewer}") as uow:
        task = await service.claim_next(uow, reviewer, minutes=30)
        await uow.commit()
        return task.id if task else None


async def test_one_of_many_simultaneous_claims_on_a_task_wins(bankdesk) -> None:
    [task_id] = await _tasks(bankdesk, 1)

    won = await asyncio.gather(*(_claim(bankdesk, task_id, f"reviewer{n}") for n in range(8)))

    assert sum(won) == 1
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        task = await uow.reviews.get(task_id)
    assert task is not None and task.claimed_by == f"reviewer{won.index(True)}"


async def test_reviewers_taking_the_next_task_at_once_get_different_tasks(bankdesk) -> None:
    await _tasks(bankdesk, 6)

    taken = await asyncio.gather(*(_claim_next(bankdesk, f"reviewer{n}") for n in range(6)))

    assert None not in taken
    assert len(set(taken)) == 6


async def test_an_expired_claim_returns_the_task_to_the_queue(bankdesk) -> None:
    [task_id] = await _tasks(bankdesk, 1)
    an_hour_ago = utcnow() - timedelta(hours=1)
    async with UnitOfWork(bankdesk.database.sessions, actor="key:first") as uow:
        await service.claim(uow, task_id, "first", minutes=30, now=an_hour_ago)
        await uow.commit()

    async with UnitOfWork(bankdesk.database.sessions) as uow:
        open_again = [task.id for task in await uow.reviews.queue(now=utcnow(), status="open")]
    taken = await _claim(bankdesk, task_id, "second")

    assert open_again == [task_id]
    assert taken


async def test_a_decision_sent_twice_at_once_is_recorded_once(bankdesk) -> None:
    [task_id] = await _tasks(bankdesk, 1)
    assert await _claim(bankdesk, task_id, "holder")
    request = DecisionRequest(
        outcome="approve", justification="Income verified against bank statements.",
        reason_codes=["INCOME_VERIFIED"],
    )  # fmt: skip

    async def decide() -> bool:
        async with UnitOfWork(bankdesk.database.sessions, actor="key:holder") as uow:
            try:
                await service.decide(uow, task_id, "holder", request, four_eyes_amount=Decimal(0))
            except ReviewConflict:
                return False
            await uow.commit()
            return True

    recorded = await asyncio.gather(decide(), decide())

    assert sorted(recorded) == [False, True]
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        assert len((await uow.reviews.decisions_of([task_id]))[task_id]) == 1
