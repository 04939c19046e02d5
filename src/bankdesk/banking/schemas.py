"""The banking agents' contract: classification in, analysis and actions out, safe reply."""

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_MESSAGE_CHARS = 4000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Intent(StrEnum):
    """The seed's triage intents."""

    BALANCE_INQUIRY = "balance_inquiry"
    CARD_DISPUTE = "card_dispute"
    LOAN_QUESTION = "loan_question"
    FRAUD_REPORT = "fraud_report"
    GENERAL_SUPPORT = "general_support"


class Urgency(StrEnum):
    """How soon a person must look at what an agent found."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class Classification(BaseModel):
    """What triage read from a message: the seed's `{intent, confidence, summary}`."""

    intent: str = Field(min_length=1, max_length=80)
    confidence: float = Field(ge=0, le=1)
    summary: str = Field(max_length=500)
    secondary_intents: list[str] = Field(default_factory=list)


class AgentPayload(BaseModel):
    """The customer's message and, when known, who they are."""

    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    customer_id: str | None = Field(default=None, min_length=1, max_length=32)


class AgentRequest(BaseModel):
    """What a specialist agent is given: the seed's `{classification, payload}` event.

    The planner's shorter `{"message": ...}` form is accepted too."""

    classification: Classification | None = None
    payload: AgentPayload

    @model_validator(mode="before")
    @classmethod
    def _message_only(cls, data: Any) -> Any:
        if isinstance(data, dict) and "payload" not in data and "message" in data:
            rest = {key: value for key, value in data.items() if key != "message"}
            customer = rest.pop("customer_id", None)
            return {**rest, "payload": {"message": data["message"], "customer_id": customer}}
        return data


class RunRef(BaseModel):
    """Which run of an agent an orchestrator dispatched, on which contact case. The run's
    clock and time limit are in the dispatch the orchestrator recorded on the case, which
    the function reads: a caller cannot choose them, nor invent a run."""

    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(min_length=1, max_length=32)
    run_id: str = Field(min_length=1, max_length=32)


class AgentInvocation(AgentRequest):
    """An agent function's event: the seed's request, and `run` when an orchestrator sends
    it (without one, the function stores the message as a contact case of its own)."""

    run: RunRef | None = None


class Analysis(BaseModel):
    """The seed's analysis: issue type, urgency, flags, and what else the agent found."""

    model_config = ConfigDict(extra="allow")

    issue_type: str
    urgency: Urgency = Urgency.NORMAL
    flags: list[str] = Field(default_factory=list)


class Action(BaseModel):
    """Something an agent did or asks for, with the record it touched."""

    kind: str  # e.g. case_opened, card_blocked, escalated, identify_customer
    detail: str
    reference: str | None = None


class AgentResult(BaseModel):
    """A specialist's answer: the seed's `{agent, analysis}` plus actions and reply parts.

    `answer` is written for the customer; `notes` are internal and never reach them."""

    agent: str
    analysis: Analysis
    actions: list[Action] = Field(default_factory=list)
    answer: str = ""
    notes: list[str] = Field(default_factory=list)
    escalation_required: bool = False


class SafeReply(BaseModel):
    """The customer-facing reply: masked, checked, and whether a person takes over."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=4000)
    escalation_required: bool


class MessageRequest(BaseModel):
    """`POST /banking/messages`: a customer's message and who they are."""

    model_config = ConfigDict(extra="forbid")

    customer_id: str | None = Field(
        default=None, min_length=1, max_length=32, pattern=r"^[^\x00-\x1f\x7f]+$"
    )
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)

    @field_validator("message")
    @classmethod
    def _readable(cls, message: str) -> str:
        """Text a person wrote: not blank, and no control characters but tabs and newlines
        (PostgreSQL cannot even store NUL)."""
        if not message.strip():
            raise ValueError("the message is blank; send the customer's words")
        if CONTROL.search(message):
            raise ValueError("the message contains control characters; send plain text")
        return message


class AgentView(BaseModel):
    """One agent's part of the answer as the channel sees it: the seed's `{issue_type,
    urgency, flags}` and the actions, never internal notes, scores or signals."""

    agent: str
    status: str
    reason: str
    latency_ms: int
    analysis: Analysis | None = None
    actions: list[Action] = Field(default_factory=list)
    escalation_required: bool = False
    error: str | None = None


class MessageResponse(BaseModel):
    """The triaged, worked and answered message."""

    case_id: str
    intent: str
    confidence: float
    summary: str
    secondary_intents: list[str]
    triaged_by: str
    agents: list[AgentView]
    reply: SafeReply
