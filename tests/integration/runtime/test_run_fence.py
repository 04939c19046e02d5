"""The run id fences an agent's work: a run the orchestrator gave up on cannot commit, and
an answer the function did commit is the one kept."""

import pytest
from tests.support.bank import SeededCustomer

from bankdesk.banking.runs import TIMED_OUT, AgentOutcome, dispatch, store_run
from bankdesk.banking.schemas import AgentPayload, AgentRequest, RunRef
from bankdesk.bootstrap import Bankdesk
from bankdesk.runtime.executor import FunctionRefused, invoke
from bankdesk.store.banking_models import Case
from bankdesk.store.models import new_id, utcnow
from bankdesk.store.unit_of_work import UnitOfWork

MESSAGE = "I saw an unfamiliar card payment from last night and I want to dispute it."
AGENT = "customer-service-agent"


async def _dispatched(bankdesk: Bankdesk, customer: SeededCustomer, *, given_up: bool):
    request = AgentRequest(payload=AgentPayload(message=MESSAGE, customer_id=customer.customer_id))
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        contact = Case(kind="service", status="triaged", channel="test", message=MESSAGE,
                       customer_id=customer.customer_id)  # fmt: skip
        await uow.cases.open(contact)
        run = RunRef(case_id=contact.id, run_id=new_id())
        await dispatch(uow, run, agent=AGENT, now=utcnow(), timeout_seconds=10)
        if given_up:
            outcome = AgentOutcome(AGENT, TIMED_OUT, run.run_id, 10_000, error="no answer")
            await store_run(uow, outcome, request, case_id=contact.id, started_at=utcnow())
        await uow.commit()
    event = {**request.model_dump(mode="json"), "run": run.model_dump()}
    return run, request, event


async def test_an_answer_after_the_run_was_given_up_is_not_kept(bankdesk, seeded) -> None:
    run, _, event = await _dispatched(bankdesk, seeded, given_up=True)

    with pytest.raises(FunctionRefused) as refused:
        await invoke(bankdesk.executor, AGENT, event)

    assert refused.value.status == 409
    assert refused.value.body["error"] == "run_already_recorded"
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        assert await uow.cases.children(run.case_id) == []  # no dispute was opened
        assert [r.status for r in await uow.cases.runs(run.case_id)] == [TIMED_OUT]


async def test_an_answer_committed_before_the_orchestrator_gave_up_is_kept(
    bankdesk, seeded
) -> None:
    run, request, event = await _dispatched(bankdesk, seeded, given_up=False)
    await invoke(bankdesk.executor, AGENT, event)  # the function answered and committed
    late = AgentOutcome(AGENT, TIMED_OUT, run.run_id, 10_000, error="no answer within 10 s")

    kept = await bankdesk.banking.orchestrator._store_failure(late, request, run, now=utcnow())

    assert kept.ok and kept.result is not None
    assert kept.result.analysis.issue_type == "card_dispute"
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        assert [r.status for r in await uow.cases.runs(run.case_id)] == ["ok"]
        assert [c.kind for c in await uow.cases.children(run.case_id)] == ["dispute"]


async def test_a_run_is_refused_past_its_time_limit(bankdesk, seeded) -> None:
    run, _, event = await _dispatched(bankdesk, seeded, given_up=False)
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        stale = RunRef(case_id=run.case_id, run_id=new_id())
        await dispatch(uow, stale, agent=AGENT, now=utcnow(), timeout_seconds=0)
        await uow.commit()

    with pytest.raises(FunctionRefused) as refused:
        await invoke(bankdesk.executor, AGENT, {**event, "run": stale.model_dump()})

    assert refused.value.body["error"] == "run_refused"
    assert "past its time limit" in refused.value.body["detail"]
