"""The banking fan-out over AWS Lambda (the local endpoint): a throttled, a failing or a
slow function costs only its own answer; the case escalates and nothing is lost."""

import asyncio
import json

from tests.support.bank import SeededCustomer
from tests.support.lambda_endpoint import lambda_client

from bankdesk.banking.schemas import MessageRequest
from bankdesk.bootstrap import Bankdesk
from bankdesk.store.unit_of_work import UnitOfWork

SEED_MESSAGE = "I saw an unfamiliar card payment from last night and I want to dispute it."


async def _handle(app: Bankdesk, customer: SeededCustomer, message: str = SEED_MESSAGE):
    request = MessageRequest(customer_id=customer.customer_id, message=message)
    return await app.banking.handle(request, channel="test", actor="test")


async def _runs(app: Bankdesk, case_id: str) -> dict[str, tuple[str, str | None]]:
    async with UnitOfWork(app.database.sessions) as uow:
        return {run.agent: (run.status, run.error) for run in await uow.cases.runs(case_id)}


async def test_the_fan_out_over_lambda_answers_as_in_process(on_lambda, seeded) -> None:
    answered = await _handle(on_lambda, seeded)

    statuses = {view.agent: view.status for view in answered.agents}
    assert statuses == {
        "customer-service-agent": "ok",
        "fraud-check-agent": "ok",
        "compliance-review-agent": "ok",
    }
    dispute = next(v for v in answered.agents if v.agent == "customer-service-agent")
    assert dispute.analysis is not None and "potential_fraud" in dispute.analysis.flags
    runs = await _runs(on_lambda, answered.case_id)
    assert {agent: status for agent, (status, _) in runs.items()} == statuses


async def test_a_throttled_agent_fails_alone_and_the_case_escalates(
    on_lambda, lambda_url, seeded
) -> None:
    lambda_client(lambda_url).put_function_concurrency(
        FunctionName="fraud-check-agent", ReservedConcurrentExecutions=0
    )

    answered = await _handle(on_lambda, seeded)

    statuses = {view.agent: view.status for view in answered.agents}
    assert statuses["fraud-check-agent"] == "failed"
    assert statuses["customer-service-agent"] == "ok"
    assert answered.reply.escalation_required
    runs = await _runs(on_lambda, answered.case_id)
    assert runs["fraud-check-agent"][0] == "failed"
    assert "throttled" in (runs["fraud-check-agent"][1] or "")
    async with UnitOfWork(on_lambda.database.sessions) as uow:
        case = await uow.cases.get(answered.case_id)
    assert case is not None and case.status == "escalated"
    assert case.message == SEED_MESSAGE  # what the customer wrote is kept


async def test_a_failing_agent_fails_alone_and_the_case_escalates(
    on_lambda, lambda_url, seeded, tmp_path
) -> None:
    lambda_client(lambda_url).update_function_configuration(
        FunctionName="account-summary-agent",
        Environment={"Variables": {"BANKDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x"}},
    )

    answered = await _handle(on_lambda, seeded, "What is my checking balance?")

    statuses = {view.agent: view.status for view in answered.agents}
    assert statuses == {"account-summary-agent": "failed", "compliance-review-agent": "ok"}
    assert answered.reply.escalation_required
    runs = await _runs(on_lambda, answered.case_id)
    assert runs["account-summary-agent"][0] == "failed"
    assert "OperationalError" in (runs["account-summary-agent"][1] or "")


async def test_an_agent_that_answers_after_its_time_limit_cannot_commit(on_lambda, seeded) -> None:
    impatient = on_lambda.banking.orchestrator.__class__(
        executor=on_lambda.executor,
        sessions=on_lambda.database.sessions,
        timeout_seconds=0.01,  # far less than a cold start: every agent is given up
    )
    banking = on_lambda.banking.__class__(
        sessions=on_lambda.banking.sessions,
        triage=on_lambda.banking.triage,
        routing=on_lambda.banking.routing,
        orchestrator=impatient,
    )
    request = MessageRequest(customer_id=seeded.customer_id, message=SEED_MESSAGE)

    answered = await banking.handle(request, channel="test", actor="test")
    await asyncio.sleep(3)  # the functions run on and try to commit

    assert {view.status for view in answered.agents} == {"timed_out"}
    runs = await _runs(on_lambda, answered.case_id)
    assert {status for status, _ in runs.values()} == {"timed_out"}  # one run each, as given up
    async with UnitOfWork(on_lambda.database.sessions) as uow:
        children = await uow.cases.children(answered.case_id)
        cards = await uow.customers.cards(seeded.customer_id)
    assert children == []  # no dispute or fraud case: their work was rolled back
    assert all(card.status == "active" for card in cards)
    assert json.dumps(answered.reply.model_dump())  # the customer still gets an answer
