"""What a specialist agent works with, and the answers every agent gives alike."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bankdesk.banking.schemas import Action, AgentRequest, AgentResult, Analysis, Urgency
from bankdesk.lending.flow import LendingFlow
from bankdesk.lending.reading import ApplicationReader
from bankdesk.lending.service import Checkpoint, no_checkpoint
from bankdesk.policy.engine import PolicyEngine
from bankdesk.store.banking_models import Customer
from bankdesk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class AgentContext:
    """An agent's own transaction (the caller commits it), the contact case it works on, the
    time it takes as now, the policies and lending flow it may use, and a checkpoint."""

    uow: UnitOfWork
    case_id: str
    now: datetime
    policies: PolicyEngine
    lending: LendingFlow
    reader: ApplicationReader
    # The caller's commit, for an agent that must keep what it received before waiting on a
    # model (the loan agent's intake): what is committed survives the agent's time limit.
    checkpoint: Checkpoint = no_checkpoint


class Agent(Protocol):
    """A specialist agent: a typed async function from a request to a result."""

    async def __call__(self, request: AgentRequest, *, context: AgentContext) -> AgentResult:
        """Work the request on the bank's data and say what was found and done."""
        ...


def identification_needed(agent: str, *, issue_type: str) -> AgentResult:
    """The answer of an agent that needs account data when the customer is not identified."""
    return AgentResult(
        agent=agent,
        analysis=Analysis(issue_type=issue_type, urgency=Urgency.NORMAL, flags=["unidentified"]),
        actions=[Action(kind="identify_customer", detail="customer must sign in or be verified")],
        answer="To look at your accounts we first need to confirm who you are: please sign in "
        "to online banking or call us from the phone number on your file.",
    )


def unknown_customer(agent: str, *, issue_type: str, customer_id: str) -> AgentResult:
    """The answer when the customer id matches no customer: nothing is looked up or changed."""
    return AgentResult(
        agent=agent,
        analysis=Analysis(
            issue_type=issue_type, urgency=Urgency.NORMAL, flags=["unknown_customer"]
        ),
        actions=[Action(kind="identify_customer", detail="customer id not found")],
        answer="We could not match your details to a customer record; please sign in to online "
        "banking or contact us so we can confirm who you are.",
        notes=[f"customer id {customer_id!r} not found"],
    )


async def identify(
    request: AgentRequest, context: AgentContext, *, agent: str, issue_type: str
) -> Customer | AgentResult:
    """The request's customer, or the answer to give when there is no id or no such customer."""
    customer_id = request.payload.customer_id
    if customer_id is None:
        return identification_needed(agent, issue_type=issue_type)
    customer = await context.uow.customers.get(customer_id)
    if customer is None:
        return unknown_customer(agent, issue_type=issue_type, customer_id=customer_id)
    return customer
