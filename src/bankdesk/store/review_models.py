"""Tables of human review: the underwriters' queue and the decisions people make on it.

A task is work for a person: a loan application the policy did not approve (review,
decline, incomplete, or failed processing) or an escalated banking case. Its decisions are
evidence, kept beside the policy's decision and never in its place: append-only, enforced
by the database.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bankdesk.store.models import Base, new_id, utcnow


class ReviewTask(Base):
    """One piece of work in the queue, who holds it and until when."""

    __tablename__ = "review_tasks"
    __table_args__ = (Index("ix_review_tasks_queue", "status", "priority", "due_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # application | case
    application_id: Mapped[str | None] = mapped_column(
        ForeignKey("loan_applications.id"), index=True
    )
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))  # review, decline, incomplete, escalated...
    detail: Mapped[str] = mapped_column(Text, default="")
    # 1 urgent, 2 high, 3 normal, 4 low: the queue is worked in this order, then by due time.
    priority: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # open, claimed, awaiting_second, resolved
    amount: Mapped[Decimal | None]
    due_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    claim_expires_at: Mapped[datetime | None]
    first_reviewer: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewDecision(Base):
    """What a person decided on a task, why, and how it stands against the policy."""

    __tablename__ = "review_decisions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    task_id: Mapped[str] = mapped_column(ForeignKey("review_tasks.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))  # decision | second | disagreement
    outcome: Mapped[str] = mapped_column(String(24))
    justification: Mapped[str] = mapped_column(Text)
    reason_codes: Mapped[list[Any]] = mapped_column(default=list)
    policy_outcome: Mapped[str | None] = mapped_column(String(16))
    overrides_policy: Mapped[bool] = mapped_column(default=False)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
