"""A request is stored before it is processed, so a failure loses nothing and is audited."""

import dataclasses

from tests.support.seeds import SEED_TEXT

from bankdesk.bootstrap import Bankdesk
from bankdesk.lending import service
from bankdesk.store.audit import verify_chain
from bankdesk.store.unit_of_work import UnitOfWork


class BrokenFlow:
    """A lending flow with a bug: deciding raises."""

    def check_reading(self, reading, *, policy_id: str | None = None):
        raise TimeoutError("the policy service did not answer within 30 s")

    async def settle(self, decision):
        return decision


async def test_a_failed_request_is_kept_with_its_error_and_audited(bankdesk: Bankdesk) -> None:
    broken = dataclasses.replace(bankdesk, lending=BrokenFlow())

    async with UnitOfWork(broken.database.sessions, actor="intake-test") as uow:
        row, decision = await service.intake(
            uow, broken.lending, broken.reader, text=SEED_TEXT, applicant_id="cust_1001"
        )
        await uow.commit()

    async with UnitOfWork(bankdesk.database.sessions) as uow:
        stored = await uow.applications.get(row.id)
        trail = await uow.audit.trail("application", row.id)
        notices = await uow.applications.notices_for(row.id)
        undecided = await uow.applications.decision_for(row.id)
        tasks = await uow.reviews.opened_on(application_id=row.id)
        report = await verify_chain(uow.session)

    assert decision is None
    assert stored is not None
    assert (stored.status, stored.raw_request, stored.applicant_id) == (
        "failed",
        SEED_TEXT,
        "cust_1001",
    )
    assert stored.error == "TimeoutError"  # the type only: a message may quote the text
    assert undecided is None
    assert [event.action for event in trail] == [
        "application.received",
        "application.failed",
        "notice.queued",
    ]
    assert trail[1].after == {"status": "failed", "error": "TimeoutError"}
    assert [notice.kind for notice in notices] == ["underwriter_referral"]
    assert [(task.reason, task.priority) for task in tasks] == [("failed", 2)]  # a person looks
    assert (report.intact, report.checked) == (True, len(trail) + 1)  # + review.opened
