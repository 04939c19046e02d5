"""Decision outcomes, reasons, next actions and the policy that produced them."""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """What happens to an application."""

    APPROVE = "approve"
    REVIEW = "review"
    DECLINE = "decline"
    INCOMPLETE = "incomplete"


class NextAction(StrEnum):
    """The step that follows a decision (the seed's next_step)."""

    SEND_APPROVAL_NOTICE = "send approval notice"
    REQUEST_ADDITIONAL_DOCUMENTS = "request additional documents"
    ROUTE_TO_UNDERWRITER = "route to human underwriter"
    REQUEST_MORE_INFORMATION = "request more information"


NEXT_ACTION_BY_OUTCOME: dict[Outcome, NextAction] = {
    Outcome.APPROVE: NextAction.SEND_APPROVAL_NOTICE,
    Outcome.REVIEW: NextAction.REQUEST_ADDITIONAL_DOCUMENTS,
    Outcome.DECLINE: NextAction.ROUTE_TO_UNDERWRITER,
    Outcome.INCOMPLETE: NextAction.REQUEST_MORE_INFORMATION,
}


def next_action_for(outcome: Outcome) -> NextAction:
    """The seed's mapping from an outcome to the step that follows it."""
    return NEXT_ACTION_BY_OUTCOME[outcome]


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason code with the plain-language text a borrower or auditor reads."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """Which policy decided: its id and the content hash of the file evaluated."""

    id: str
    version: str


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """A policy's verdict: outcome, derived figures, reasons and the engine's trace."""

    outcome: Outcome
    policy: PolicyRef
    figures: dict[str, Decimal] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()
    trace: dict[str, Any] = field(default_factory=dict)
