"""A small, hand-made bank customer for agent tests: accounts, a card, history and a loan.

Everything is relative to `now`, so "last night" is always last night. The customer has
a routine of US card payments and one foreign online payment late last night, the kind
a customer writes in about.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from bankdesk.bootstrap import Bankdesk
from bankdesk.store.banking_models import (
    Base,
    Card,
    Customer,
    DepositAccount,
    Loan,
    LoanInstallment,
    LoanPayment,
    Transaction,
)
from bankdesk.store.unit_of_work import UnitOfWork

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
ROUTINE = (  # merchant, category, amount, channel
    ("H-E-B Grocery", "groceries", "-64.23", "card_present"),
    ("Shell Oil 5731", "fuel", "-41.10", "card_present"),
    ("Netflix.com", "subscriptions", "-15.49", "online"),
    ("Amazon.com", "shopping", "-38.99", "online"),
    ("Starbucks 1142", "restaurants", "-6.75", "contactless"),
    ("Austin Energy", "utilities", "-112.40", "direct_debit"),
)


@dataclass(frozen=True, slots=True)
class SeededCustomer:
    """The ids of what was created, for assertions."""

    customer_id: str
    checking_id: str
    checking_number: str
    savings_id: str
    card_id: str
    card_last4: str
    unfamiliar_id: str
    pending_id: str
    loan_id: str


def _digits(seed: str, count: int) -> str:
    digest = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return str(digest)[:count]


def _loan(customer_id: str, now: datetime) -> tuple[Loan, list[LoanInstallment], list[LoanPayment]]:
    opened = datetime.combine(date(now.year - 1, now.month, 5), time(12), UTC)
    principal, rate, term = Decimal("12000.00"), Decimal("0.085"), 36
    monthly_rate = rate / 12
    payment = (principal * monthly_rate / (1 - (1 + monthly_rate) ** -term)).quantize(
        Decimal("0.01")
    )
    loan = Loan(
        id=f"loan_{customer_id}",
        customer_id=customer_id,
        kind="personal",
        principal=principal,
        balance=principal,
        annual_rate=rate,
        term_months=term,
        monthly_payment=payment,
        currency="USD",
        status="current",
        opened_at=opened,
    )
    installments, payments, balance = [], [], principal
    for number in range(1, term + 1):
        due = date(
            opened.year + (opened.month + number - 1) // 12, (opened.month + number - 1) % 12 + 1, 5
        )
        interest = (balance * monthly_rate).quantize(Decimal("0.01"))
        part = payment - interest
        paid = due < now.date()
        status = (
            "paid"
            if paid
            else ("due" if not installments or installments[-1].status == "paid" else "upcoming")
        )
        installments.append(
            LoanInstallment(
                loan_id=loan.id,
                number=number,
                due_on=due,
                amount=payment,
                principal=part,
                interest=interest,
                status=status,
            )
        )
        if paid:
            balance -= part
            payments.append(
                LoanPayment(
                    loan_id=loan.id,
                    amount=payment,
                    installment_number=number,
                    paid_at=datetime.combine(due, time(9), UTC),
                )
            )
    loan.balance = balance
    return loan, installments, payments


async def seed_customer(
    uow: UnitOfWork, *, now: datetime = NOW, customer_id: str = "cust_12345"
) -> SeededCustomer:
    """Create the customer and everything they hold; the caller commits."""
    customer = Customer(
        id=customer_id,
        full_name="Jordan Avery",
        email="jordan.avery@example.com",
        phone="+1 512 555 0142",
        country="US",
        city="Austin",
        created_at=now - timedelta(days=900),
    )
    number = "0045" + _digits(customer_id, 8)
    checking = DepositAccount(
        id=f"chk_{customer_id}",
        customer_id=customer_id,
        kind="checking",
        number=number,
        currency="USD",
        balance=Decimal("2450.12"),
        available_balance=Decimal("2310.12"),
        opened_at=now - timedelta(days=800),
    )
    savings = DepositAccount(
        id=f"sav_{customer_id}",
        customer_id=customer_id,
        kind="savings",
        number="0046" + _digits(customer_id + "s", 8),
        currency="USD",
        balance=Decimal("10200.00"),
        available_balance=Decimal("10200.00"),
        opened_at=now - timedelta(days=700),
    )
    last4 = _digits(customer_id + "card", 4)
    card = Card(
        id=f"card_{customer_id}",
        customer_id=customer_id,
        account_id=checking.id,
        network="visa",
        last4=last4,
        expires="09/28",
        status="active",
        issued_at=now - timedelta(days=400),
    )
    history = [
        Transaction(
            id=f"tx_{customer_id}_{day:02d}",
            account_id=checking.id,
            card_id=card.id,
            occurred_at=now - timedelta(days=day, hours=3),
            merchant=merchant,
            category=category,
            amount=Decimal(amount),
            currency="USD",
            country="US",
            channel=channel,
            status="posted",
        )
        for day, (merchant, category, amount, channel) in (
            (day, ROUTINE[day % len(ROUTINE)]) for day in range(2, 60)
        )
    ]
    last_night = datetime.combine(now.date() - timedelta(days=1), time(23, 47), UTC)
    unfamiliar = Transaction(
        id=f"tx_{customer_id}_unfamiliar",
        account_id=checking.id,
        card_id=card.id,
        occurred_at=last_night,
        merchant="ELECTRO-MART KYIV",
        category="electronics",
        amount=Decimal("-389.99"),
        currency="USD",
        country="UA",
        channel="online",
        status="posted",
    )
    pending = Transaction(
        id=f"tx_{customer_id}_pending",
        account_id=checking.id,
        card_id=card.id,
        occurred_at=now - timedelta(hours=2),
        merchant="Whole Foods Market",
        category="groceries",
        amount=Decimal("-140.00"),
        currency="USD",
        country="US",
        channel="card_present",
        status="pending",
    )
    loan, installments, payments = _loan(customer_id, now)
    await uow.customers.add_all([customer, checking, savings, card])
    await uow.customers.add_all([*history, unfamiliar, pending, loan])
    await uow.customers.add_all([*installments, *payments])
    return SeededCustomer(
        customer_id=customer_id,
        checking_id=checking.id,
        checking_number=number,
        savings_id=savings.id,
        card_id=card.id,
        card_last4=last4,
        unfamiliar_id=unfamiliar.id,
        pending_id=pending.id,
        loan_id=loan.id,
    )


async def seed_with(bankdesk: Bankdesk, *extra: Base) -> SeededCustomer:
    """Seed the customer and extra rows (more transactions, another card) and commit."""
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        seeded = await seed_customer(uow)
        await uow.customers.add_all(list(extra))
        await uow.commit()
    return seeded
