"""The same messages give the same results whether the functions run in this process or on
AWS Lambda (the local endpoint): executors change where, never what."""

import pytest
from tests.support.bank import seed_customer

from bankdesk.banking.schemas import MessageRequest
from bankdesk.bootstrap import Bankdesk
from bankdesk.lending.schemas import DecisionView
from bankdesk.lending.service import intake
from bankdesk.store.unit_of_work import UnitOfWork

MESSAGES = [
    "What is my checking balance?",
    "When is my next loan payment due and how much is left to pay?",
    "How do I reset my online banking password?",
    "Hi, I would like to know how to order a new checkbook.",
]
LOAN_TEXTS = [
    "Loan LN-2001. I'm Maya Chen. I make $7,200 a month, pay $1,800 in debts, need $45,000.",
    "Loan LN-2002. Borrower: Sam Ortiz. Income $3,500 per month, debts $1,600 monthly, "
    "asking for $20,000.",
    "Loan LN-2003. I'd like a loan of $10,000 please.",
]


def _comparable(response) -> dict:
    body = response.model_dump(mode="json", exclude={"case_id"})
    for agent in body["agents"]:
        agent.pop("latency_ms")
    return body


@pytest.mark.parametrize("message", MESSAGES)
async def test_a_banking_message_gets_the_same_answer(on_lambda, in_process, message) -> None:
    async with UnitOfWork(in_process.database.sessions, actor="test") as uow:
        customer = await seed_customer(uow)
        await uow.commit()
    request = MessageRequest(customer_id=customer.customer_id, message=message)

    local = await in_process.banking.handle(request, channel="test", actor="test")
    remote = await on_lambda.banking.handle(request, channel="test", actor="test")

    assert _comparable(remote) == _comparable(local)
    assert all(agent.status == "ok" for agent in remote.agents)


@pytest.mark.parametrize("text", LOAN_TEXTS)
async def test_a_loan_application_gets_the_same_decision(on_lambda, in_process, text) -> None:
    decisions = []
    for app in (in_process, on_lambda):
        decisions.append(await _decide(app, text))

    local, remote = decisions
    assert remote == local


async def _decide(app: Bankdesk, text: str) -> dict:
    async with UnitOfWork(app.database.sessions, actor="test") as uow:
        _, decision = await intake(uow, app.lending, app.reader, text=text)
        await uow.commit()
    assert decision is not None
    return _timeless(DecisionView.of(decision).model_dump(mode="json"))


def _timeless(value):
    """The value without the engine's timings, which differ from one evaluation to the next."""
    if isinstance(value, dict):
        return {key: _timeless(item) for key, item in value.items() if key != "performance"}
    if isinstance(value, list):
        return [_timeless(item) for item in value]
    return value
