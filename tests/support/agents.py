"""Running one specialist agent as the orchestrator does: on a stored contact case, in its
own transaction, committed when it answers."""

from datetime import datetime

from bankdesk.banking.context import Agent, AgentContext
from bankdesk.banking.schemas import AgentPayload, AgentRequest, AgentResult
from bankdesk.bootstrap import Bankdesk
from bankdesk.runtime.banking import agent_function
from bankdesk.runtime.executor import LocalExecutor
from bankdesk.runtime.functions import FUNCTIONS
from bankdesk.store.banking_models import Case
from bankdesk.store.unit_of_work import UnitOfWork
from tests.support.bank import NOW


async def open_contact(bankdesk: Bankdesk, message: str, customer_id: str | None = None) -> str:
    """Store the customer's contact case, as the service does before any agent runs."""
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        contact = Case(
            kind="service", status="open", channel="test", message=message, customer_id=customer_id
        )
        await uow.cases.open(contact)
        await uow.commit()
        return contact.id


async def run_agent(
    bankdesk: Bankdesk,
    agent: Agent,
    message: str,
    customer_id: str | None,
    *,
    case_id: str | None = None,
    known: bool = False,
    now: datetime = NOW,
) -> tuple[AgentResult, str]:
    """Run the agent on a contact case (a new one unless given; `known`: the contact names the
    customer, as a signed-in channel's does) and commit its work."""
    if case_id is None:
        case_id = await open_contact(bankdesk, message, customer_id if known else None)
    async with UnitOfWork(bankdesk.database.sessions, actor="agent") as uow:
        context = AgentContext(
            uow=uow, case_id=case_id, now=now, policies=bankdesk.policies,
            lending=bankdesk.lending, reader=bankdesk.reader,
        )  # fmt: skip
        request = AgentRequest(payload=AgentPayload(message=message, customer_id=customer_id))
        result = await agent(request, context=context)
        await uow.commit()
    return result, case_id


def executor_with(bankdesk: Bankdesk, agents: dict[str, Agent]) -> LocalExecutor:
    """An in-process executor with the shipped functions and these agents beside (or
    instead of) the shipped ones."""
    executor = LocalExecutor(
        {**FUNCTIONS, **{name: agent_function(name, agent) for name, agent in agents.items()}}
    )
    executor.attach(bankdesk)
    return executor
