"""Tables of the system of record. Money is NUMERIC, timestamps carry a time zone."""

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import uuid4

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bankdesk.store.types import ExactDecimal, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Json = JSON().with_variant(JSONB(), "postgresql")
Money = ExactDecimal(20, 4)
# SQLite only auto-increments an INTEGER PRIMARY KEY.
Sequence = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


# Ids are quoted to customers as references; a long run of digits in one would read as an
# account number to a person, to the redactor and to the reply check.
_DIGIT_RUN = re.compile(r"\d{6}")


def new_id() -> str:
    """A random primary key, safe to quote in a reply: no run of six digits or more."""
    while _DIGIT_RUN.search(key := uuid4().hex):
        continue
    return key


class Base(DeclarativeBase):
    """Declarative base with the project's naming convention and column types."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        Decimal: Money,
        dict[str, Any]: Json,
        list[Any]: Json,
    }


class Applicant(Base):
    """A borrower known by the id the bank's channel gave them (the seed's applicant_id)."""

    __tablename__ = "applicants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoanApplication(Base):
    """A request exactly as received, and the fields read from it."""

    __tablename__ = "loan_applications"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    applicant_id: Mapped[str | None] = mapped_column(ForeignKey("applicants.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    raw_request: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    loan_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    loan_ref_assigned: Mapped[bool] = mapped_column(default=False)
    borrower_name: Mapped[str | None] = mapped_column(String(200))
    income: Mapped[Decimal | None]
    monthly_debt: Mapped[Decimal | None]
    requested_amount: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    employment_years: Mapped[Decimal | None] = mapped_column(ExactDecimal(6, 2))
    term_months: Mapped[int | None]
    purpose: Mapped[str | None] = mapped_column(String(200))
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Decision(Base):
    """A policy's decision, or why no policy could decide (outcome incomplete)."""

    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("loan_applications.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    next_action: Mapped[str] = mapped_column(String(64))
    dti: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 12))
    # Wide enough for any score the API's inputs can produce (income 1e16 over amount 0.01).
    risk_score: Mapped[Decimal | None] = mapped_column(ExactDecimal(26, 2))
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    missing_fields: Mapped[list[Any]] = mapped_column(default=list)
    policy_id: Mapped[str] = mapped_column(String(100))
    policy_version: Mapped[str] = mapped_column(String(80))
    trace: Mapped[dict[str, Any]] = mapped_column(default=dict)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notice(Base):
    """An outgoing notice (the outbox): recorded with the decision, delivered later."""

    __tablename__ = "notices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("loan_applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class AuditEvent(Base):
    """One state change; its hash covers the previous event's hash (an append-only chain)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Sequence, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(Json)
    after: Mapped[dict[str, Any] | None] = mapped_column(Json)
    request_id: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class ModelCall(Base):
    """One request to a model (or a provider) and everything about it: append-only evidence."""

    __tablename__ = "model_calls"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    application_id: Mapped[str | None] = mapped_column(
        ForeignKey("loan_applications.id"), index=True
    )
    case_id: Mapped[str | None] = mapped_column(String(64), index=True)
    agent: Mapped[str] = mapped_column(String(60))
    provider: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(200))
    prompt_id: Mapped[str] = mapped_column(String(100))
    prompt_version: Mapped[str] = mapped_column(String(80))
    attempt: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raw_response: Mapped[str | None] = mapped_column(Text)
    parsed: Mapped[dict[str, Any] | None] = mapped_column(Json)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    grounding_failures: Mapped[list[Any]] = mapped_column(default=list)
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    latency_ms: Mapped[int] = mapped_column(default=0)
    retries: Mapped[int] = mapped_column(default=0)
    cost: Mapped[Decimal | None] = mapped_column(ExactDecimal(18, 8))
    fallback_used: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ApiKey(Base):
    """An API key: only its hash is stored; the key itself is shown once, when created."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class ConsoleSession(Base):
    """A sign-in to the review console: the cookie's hash, whose key, and its CSRF token."""

    __tablename__ = "console_sessions"

    # SHA-256 of the cookie's token: a copy of this table signs nobody in.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class IdempotencyRecord(Base):
    """The first response to a POST with an Idempotency-Key, replayed for retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: Mapped[int] = mapped_column(Sequence, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
