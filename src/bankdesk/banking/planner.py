"""The planner: which specialist agents a message needs, and why each one.

The routed agent of the main intent comes first, then those of secondary intents. A
dispute of a payment the customer does not recognise also goes to the fraud check, a
fraud report that asks for money back also to disputes, and every contact is screened by
the compliance review (complaints, legal threats, vulnerability), as a bank must.
"""

import re
from dataclasses import dataclass

from bankdesk.banking.clues import says_unfamiliar
from bankdesk.banking.routing import Routing
from bankdesk.banking.schemas import Classification, Intent

FRAUD_CHECK = "fraud-check-agent"
DISPUTES = "customer-service-agent"
COMPLIANCE = "compliance-review-agent"
WANTS_MONEY_BACK = re.compile(r"\b(dispute|refund|chargeback|money back|reimburse)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Step:
    """One agent to run and why the planner chose it."""

    agent: str
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    """The agents to run for a message, in the order their answers are given."""

    steps: tuple[Step, ...]

    @property
    def agents(self) -> tuple[str, ...]:
        """The agents' names."""
        return tuple(step.agent for step in self.steps)


def plan(classification: Classification, message: str, *, routing: Routing) -> Plan:
    """The agents a classified message needs."""
    steps: dict[str, str] = {}
    steps[routing.agent_for(classification.intent)] = f"main intent {classification.intent}"
    for intent in classification.secondary_intents:
        steps.setdefault(routing.agent_for(intent), f"secondary intent {intent}")
    intents = {classification.intent, *classification.secondary_intents}
    if Intent.CARD_DISPUTE in intents and says_unfamiliar(message):
        steps.setdefault(FRAUD_CHECK, "the customer does not recognise the payment")
    if Intent.FRAUD_REPORT in intents and WANTS_MONEY_BACK.search(message):
        steps.setdefault(DISPUTES, "the customer asks for the money back")
    steps.setdefault(COMPLIANCE, "every contact is screened for complaints, legal and "
                     "vulnerability signals")  # fmt: skip
    return Plan(tuple(Step(agent, reason) for agent, reason in steps.items()))
