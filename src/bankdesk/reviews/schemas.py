"""What reviewers send and see."""

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

PRIORITY_NAMES = {1: "urgent", 2: "high", 3: "normal", 4: "low"}
# Text may hold tabs and line breaks, nothing else below space (PostgreSQL refuses NUL).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ReasonCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,47}$")]


class ReviewOutcome(StrEnum):
    """What a person decides."""

    APPROVE = "approve"
    DECLINE = "decline"
    REQUEST_INFORMATION = "request_information"


class DecisionRequest(BaseModel):
    """`POST /reviews/{id}/decision`: the outcome, why, and the reason codes."""

    model_config = ConfigDict(extra="forbid")

    outcome: ReviewOutcome
    justification: str = Field(
        min_length=10,
        max_length=4000,
        description="Why, in words an auditor can follow (at least 10 characters)",
    )
    reason_codes: list[ReasonCode] = Field(
        min_length=1, max_length=20, description="e.g. INCOME_VERIFIED, DTI_TOO_HIGH"
    )

    @field_validator("justification")
    @classmethod
    def _written(cls, justification: str) -> str:
        if CONTROL_CHARACTERS.search(justification):
            raise ValueError("remove control characters from the justification")
        if len(justification.strip()) < 10:
            raise ValueError("write a justification of at least 10 characters")
        return justification.strip()


class ReviewDecisionView(BaseModel):
    """One person's decision on a task, beside the policy's."""

    id: str
    reviewer: str
    role: str = Field(description="decision, second (four eyes) or disagreement")
    outcome: str
    justification: str
    reason_codes: list[str]
    policy_outcome: str | None
    overrides_policy: bool
    decided_at: datetime


class TaskView(BaseModel):
    """A task in the queue."""

    id: str
    kind: str = Field(description="application or case")
    application_id: str | None
    case_id: str | None
    reason: str
    detail: str
    priority: int
    priority_name: str
    status: str = Field(description="open, claimed, awaiting_second or resolved")
    amount: Decimal | None
    due_at: datetime
    claimed_by: str | None
    claim_expires_at: datetime | None
    first_reviewer: str | None
    outcome: str | None
    created_at: datetime
    decisions: list[ReviewDecisionView] = Field(default_factory=list)


class Queue(BaseModel):
    """`GET /reviews`: the tasks, in the order to work them, and how many are in each state."""

    items: list[TaskView]
    counts: dict[str, int]
