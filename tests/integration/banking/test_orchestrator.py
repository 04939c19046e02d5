"""The orchestrator runs agents concurrently and survives a failing and a slow one."""

import asyncio
from dataclasses import replace

from tests.support.agents import executor_with
from tests.support.bank import seed_customer

from bankdesk.banking.context import AgentContext
from bankdesk.banking.planner import Plan, Step
from bankdesk.banking.replies import compose
from bankdesk.banking.schemas import (
    Action,
    AgentPayload,
    AgentRequest,
    AgentResult,
    Analysis,
    MessageRequest,
)
from bankdesk.bootstrap import Bankdesk
from bankdesk.store.banking_models import Case
from bankdesk.store.unit_of_work import UnitOfWork

REQUEST_TEXT = "Where is my money?"
REQUEST = AgentRequest(payload=AgentPayload(message=REQUEST_TEXT, customer_id=None))


async def answering(request: AgentRequest, *, context: AgentContext) -> AgentResult:
    await context.uow.cases.note(context.case_id, "checked", by="answering")
    return AgentResult(
        agent="answering",
        analysis=Analysis(issue_type="balance_inquiry"),
        actions=[Action(kind="looked_up", detail="balances")],
        answer="Your balance is fine.",
        notes=["internal: customer sounded worried"],
    )


async def failing(request: AgentRequest, *, context: AgentContext) -> AgentResult:
    await context.uow.cases.note(context.case_id, "half_done", by="failing")
    raise RuntimeError("card 4111 1111 1111 1111 could not be read")


async def slow(request: AgentRequest, *, context: AgentContext) -> AgentResult:
    await asyncio.sleep(30)
    raise AssertionError("never reached: the orchestrator stops waiting first")


def _orchestrator(bankdesk: Bankdesk):
    agents = {"answering": answering, "failing": failing, "slow": slow}
    executor = executor_with(bankdesk, agents)
    return replace(bankdesk.banking.orchestrator, executor=executor, timeout_seconds=0.3)


async def _contact(bankdesk: Bankdesk) -> str:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        contact = Case(kind="service", status="open", channel="test", message=REQUEST_TEXT)
        case = await uow.cases.open(contact)
        await uow.commit()
        return case.id


async def test_a_failing_and_a_slow_agent_do_not_stop_the_others(bankdesk: Bankdesk) -> None:
    case_id = await _contact(bankdesk)
    plan = Plan((Step("answering", "r"), Step("failing", "r"), Step("slow", "r")))

    outcomes = await _orchestrator(bankdesk).run(plan, REQUEST, case_id=case_id)

    assert [(o.agent, o.status) for o in outcomes] == [
        ("answering", "ok"),
        ("failing", "failed"),
        ("slow", "timed_out"),
    ]
    assert outcomes[0].result is not None and outcomes[0].result.answer == "Your balance is fine."
    assert "4111" not in (outcomes[1].error or "")  # errors are stored redacted
    assert outcomes[2].error == "no answer within 0.3 s"
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        runs = {run.agent: run for run in await uow.cases.runs(case_id)}
        history = [event.kind for event in await uow.cases.history(case_id)]
        trail = [event.action for event in await uow.audit.trail("case", case_id)]
    assert {agent: run.status for agent, run in runs.items()} == {
        "answering": "ok",
        "failing": "failed",
        "slow": "timed_out",
    }
    assert runs["answering"].result is not None
    assert runs["failing"].result is None
    assert "checked" in history  # the answering agent's work was committed
    assert "half_done" not in history  # the failing agent's was rolled back
    assert trail.count("agent.ran") == 3


async def test_the_agents_run_at_the_same_time(bankdesk: Bankdesk) -> None:
    started, everyone_started = 0, asyncio.Event()

    async def waiting_for_the_others(
        request: AgentRequest, *, context: AgentContext
    ) -> AgentResult:
        nonlocal started
        started += 1
        if started == 5:
            everyone_started.set()
        await everyone_started.wait()  # run one after the other, the first would wait forever
        return AgentResult(agent="waiting", analysis=Analysis(issue_type="x"), answer="done")

    orchestrator = replace(
        bankdesk.banking.orchestrator,
        executor=executor_with(bankdesk, {"waiting": waiting_for_the_others}),
    )
    case_id = await _contact(bankdesk)
    plan = Plan(tuple(Step("waiting", str(n)) for n in range(5)))

    outcomes = await orchestrator.run(plan, REQUEST, case_id=case_id)

    assert [outcome.status for outcome in outcomes] == ["ok"] * 5


async def test_the_reply_says_what_could_not_be_done_and_hands_over(bankdesk: Bankdesk) -> None:
    case_id = await _contact(bankdesk)
    plan = Plan((Step("answering", "r"), Step("failing", "r")))
    outcomes = await _orchestrator(bankdesk).run(plan, REQUEST, case_id=case_id)

    reply = compose(outcomes)

    assert reply.escalation_required
    assert "Your balance is fine." in reply.message
    assert "could not complete" in reply.message
    assert "internal" not in reply.message


async def test_a_message_whose_agent_fails_is_escalated_and_answered(bankdesk: Bankdesk) -> None:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        seeded = await seed_customer(uow)
        await uow.commit()
    executor = executor_with(bankdesk, {"account-summary-agent": failing})
    banking = replace(
        bankdesk.banking, orchestrator=replace(bankdesk.banking.orchestrator, executor=executor)
    )

    answered = await banking.handle(
        MessageRequest(customer_id=seeded.customer_id, message="What is my checking balance?"),
        channel="test",
        actor="test",
    )

    statuses = {view.agent: view.status for view in answered.agents}
    assert statuses["account-summary-agent"] == "failed"
    assert statuses["compliance-review-agent"] == "ok"
    assert answered.reply.escalation_required
    async with UnitOfWork(bankdesk.database.sessions) as uow:
        case = await uow.cases.get(answered.case_id)
    assert case is not None and case.status == "escalated" and case.escalated
    assert case.message == "What is my checking balance?"
