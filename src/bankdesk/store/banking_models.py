"""Tables of core banking: customers, accounts, cards, transactions, loans and cases.

Cards keep only what a bank's servicing system may keep outside its card vault: the last
four digits, network and expiry, never the full number.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bankdesk.store.models import Base, Sequence, new_id, utcnow
from bankdesk.store.types import ExactDecimal

Rate = ExactDecimal(9, 6)
ONE_DISPUTE_PER_TRANSACTION = "uq_cases_dispute_transaction_id"
DISPUTES = "kind = 'dispute'"


class Customer(Base):
    """A retail customer of the bank."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DepositAccount(Base):
    """A checking or savings account with its ledger and available balances."""

    __tablename__ = "deposit_accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(34), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    balance: Mapped[Decimal]
    available_balance: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime]


class Card(Base):
    """A debit card on an account; status changes (blocked, lost, stolen) are audited."""

    __tablename__ = "cards"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("deposit_accounts.id"), index=True)
    network: Mapped[str] = mapped_column(String(20))
    last4: Mapped[str] = mapped_column(String(4))
    expires: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(16), default="active")
    issued_at: Mapped[datetime]
    blocked_at: Mapped[datetime | None]
    block_reason: Mapped[str | None] = mapped_column(String(40))


class Transaction(Base):
    """A card or account movement; amounts are negative for money leaving the account."""

    __tablename__ = "transactions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("deposit_accounts.id"), index=True)
    card_id: Mapped[str | None] = mapped_column(ForeignKey("cards.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    merchant: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    country: Mapped[str] = mapped_column(String(2))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))


class Loan(Base):
    """A loan the bank holds, with its schedule and the payments made on it."""

    __tablename__ = "loans"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    principal: Mapped[Decimal]
    balance: Mapped[Decimal]
    annual_rate: Mapped[Decimal] = mapped_column(Rate)
    term_months: Mapped[int]
    monthly_payment: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime]
    installments: Mapped[list["LoanInstallment"]] = relationship(
        order_by="LoanInstallment.number", lazy="raise"
    )
    payments: Mapped[list["LoanPayment"]] = relationship(
        order_by="LoanPayment.paid_at", lazy="raise"
    )


class LoanInstallment(Base):
    """One scheduled payment: what is due when, split into principal and interest."""

    __tablename__ = "loan_installments"
    __table_args__ = (UniqueConstraint("loan_id", "number"),)

    id: Mapped[int] = mapped_column(Sequence, primary_key=True, autoincrement=True)
    loan_id: Mapped[str] = mapped_column(ForeignKey("loans.id"), index=True)
    number: Mapped[int]
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal]
    principal: Mapped[Decimal]
    interest: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(16))


class LoanPayment(Base):
    """A payment received on a loan."""

    __tablename__ = "loan_payments"

    id: Mapped[int] = mapped_column(Sequence, primary_key=True, autoincrement=True)
    loan_id: Mapped[str] = mapped_column(ForeignKey("loans.id"), index=True)
    paid_at: Mapped[datetime]
    amount: Mapped[Decimal]
    installment_number: Mapped[int | None]


class Case(Base):
    """A customer contact (service) or the fraud, dispute or complaint case it opened."""

    __tablename__ = "cases"
    # Two contacts about one payment may race past the look-up for an open dispute; the
    # database keeps it to one dispute (and one provisional credit) per transaction.
    __table_args__ = (
        Index(
            ONE_DISPUTE_PER_TRANSACTION, "transaction_id", unique=True,
            postgresql_where=text(DISPUTES), sqlite_where=text(DISPUTES),
        ),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    transaction_id: Mapped[str | None] = mapped_column(ForeignKey("transactions.id"), index=True)
    card_id: Mapped[str | None] = mapped_column(ForeignKey("cards.id"))
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    escalated: Mapped[bool] = mapped_column(default=False)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CaseEvent(Base):
    """One entry of a case's history (append-only)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Sequence, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AgentRun(Base):
    """One run of a specialist agent on a case: what it was given and what it returned."""

    __tablename__ = "agent_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    agent: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16))
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    latency_ms: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)
