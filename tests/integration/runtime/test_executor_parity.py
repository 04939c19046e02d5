"""The same messages give the same results whether the functions run in this process or on
AWS Lambda (the local endpoint): executors change where, never what."""

import json
import re

import pytest
from tests.support.bank import seed_customer
from tests.support.lambda_endpoint import point_functions_at

from bankdesk.banking.schemas import MessageRequest
from bankdesk.bootstrap import Bankdesk, bootstrap
from bankdesk.lending.schemas import DecisionView
from bankdesk.lending.service import intake
from bankdesk.settings import Settings
from bankdesk.store.unit_of_work import UnitOfWork

DISPUTE = "I saw an unfamiliar card payment from last night and I want to dispute it."
IDS = re.compile(r"\b[0-9a-f]{32}\b")
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


async def test_a_dispute_changes_the_bank_alike(in_process, lambda_url, other_database_url) -> None:
    # Two banks with the same customer: one works in process, the other on Lambda.
    point_functions_at(lambda_url, other_database_url)
    remote = bootstrap(
        Settings(database_url=other_database_url, executor="lambda", lambda_endpoint_url=lambda_url)  # type: ignore[call-arg]
    )
    answers = []
    for app in (in_process, remote):
        async with UnitOfWork(app.database.sessions, actor="test") as uow:
            customer = await seed_customer(uow)
            await uow.commit()
        request = MessageRequest(customer_id=customer.customer_id, message=DISPUTE)
        answers.append(await app.banking.handle(request, channel="test", actor="test"))
        async with UnitOfWork(app.database.sessions) as uow:
            cases = await uow.cases.children(answers[-1].case_id)
            cards = await uow.customers.cards(customer.customer_id)
        answers.append((sorted(c.kind for c in cases), sorted((c.last4, c.status) for c in cards)))
    await remote.close()

    local, local_bank, lambda_, lambda_bank = answers
    assert _anonymous(_comparable(lambda_)) == _anonymous(_comparable(local))
    assert lambda_bank == local_bank
    assert "dispute" in local_bank[0]


def _anonymous(value):
    """The value with the ids the two banks gave their new cases made alike."""
    return json.loads(IDS.sub("<id>", json.dumps(value)))
