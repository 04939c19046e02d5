"""The loan-assistant agent: the schedule, the payoff, pre-qualification and applications."""

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from sqlalchemy import func, select
from tests.support.agents import run_agent
from tests.support.bank import NOW, SeededCustomer, seed_customer

from bankdesk.banking.loans import accrued_interest, loan_assistant_agent
from bankdesk.banking.schemas import AgentResult, Urgency
from bankdesk.bootstrap import Bankdesk
from bankdesk.store.banking_models import Loan, LoanInstallment
from bankdesk.store.models import LoanApplication
from bankdesk.store.unit_of_work import UnitOfWork


async def _seed(bankdesk: Bankdesk) -> SeededCustomer:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        seeded = await seed_customer(uow)
        await uow.commit()
    return seeded


async def _ask(
    bankdesk: Bankdesk, message: str, customer_id: str | None, *, now: datetime = NOW
) -> tuple[AgentResult, str]:
    return await run_agent(bankdesk, loan_assistant_agent, message, customer_id, now=now)


async def _schedule(bankdesk: Bankdesk, loan_id: str) -> tuple[Decimal, list[LoanInstallment]]:
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        loan = await uow.session.get(Loan, loan_id)
        assert loan is not None
        rows = await uow.session.scalars(
            select(LoanInstallment)
            .where(LoanInstallment.loan_id == loan_id)
            .order_by(LoanInstallment.number)
        )
        return loan.balance, list(rows)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _usd(amount: Decimal) -> str:
    return f"${_cents(amount):,}"


def _payoff(balance: Decimal, days: int) -> tuple[Decimal, Decimal]:
    interest = _cents(balance * Decimal("0.085") * days / 365)
    return interest, _cents(balance + interest)


async def test_next_payment_balance_and_payoff_come_from_the_schedule(bankdesk: Bankdesk) -> None:
    seeded = await _seed(bankdesk)
    balance, installments = await _schedule(bankdesk, seeded.loan_id)
    result, _ = await _ask(bankdesk, "What's my loan payoff amount?", seeded.customer_id)

    next_one = installments[12]
    assert (next_one.number, next_one.due_on) == (13, date(2026, 12, 5))
    # The last paid installment (#12) was due on November 5; NOW is November 22: 17 days.
    interest, payoff = _payoff(balance, 17)
    answer = result.answer
    due = f"{_usd(next_one.amount)} due on December 5, 2026 (payment 13 of 36)"
    assert f"Next payment: {due}" in answer
    assert f"balance: {_usd(balance)} at 8.5% a year, with 24 payments remaining" in answer
    assert f"To pay it off today (November 22, 2026): {_usd(payoff)}" in answer
    assert f"{_usd(interest)} interest accrued since November 5, 2026" in answer
    assert f"Last payment: {_usd(next_one.amount)} received on November 5, 2026" in answer
    assert result.analysis.flags == []
    (loan,) = result.analysis.model_dump()["loans"]
    assert loan["next_due_on"] == "2026-12-05"
    assert loan["payoff"] == str(payoff)
    assert loan["remaining_installments"] == 24
    assert loan["overdue_count"] == 0


async def test_a_missed_installment_is_flagged_overdue(bankdesk: Bankdesk) -> None:
    seeded = await _seed(bankdesk)
    balance, installments = await _schedule(bankdesk, seeded.loan_id)
    later = NOW + timedelta(days=20)  # December 12: installment 13 (December 5) is unpaid
    result, _ = await _ask(bankdesk, "when is my loan payment due?", seeded.customer_id, now=later)

    assert result.analysis.flags == ["payment_overdue"]
    assert result.analysis.urgency == Urgency.HIGH
    assert f"Overdue: {_usd(installments[12].amount)} was due on December 5, 2026" in result.answer
    assert f"Next payment: {_usd(installments[13].amount)} due on January 5, 2027" in result.answer
    _interest, payoff = _payoff(balance, 37)
    assert f"To pay it off today (December 12, 2026): {_usd(payoff)}" in result.answer


def test_interest_accrues_daily_and_never_backwards() -> None:
    balance = Decimal("10000.00")
    on = date(2026, 3, 1)
    assert accrued_interest(
        balance=balance, annual_rate=Decimal("0.0365"), since=date(2026, 2, 1), on=on
    ) == Decimal("28.00")
    assert accrued_interest(
        balance=balance, annual_rate=Decimal("0.0365"), since=date(2026, 3, 5), on=on
    ) == Decimal("0.00")


@pytest.mark.parametrize(
    ("message", "outcome", "says"),
    [
        (
            "Could I qualify for a $15,000 loan? I earn $6,000 a month and pay $900 in debts.",
            "approve",
            "you would likely pre-qualify",
        ),
        (
            "How much could I borrow? I make $4,000 a month, my monthly debts are $1,800 and "
            "I'd want $20,000.",
            "review",
            "an underwriter would need to look",
        ),
        (
            "Can I pre-qualify? I'd like to borrow $10,000, I earn $2,000 a month and pay "
            "$1,500 in debts.",
            "decline",
            "you would not pre-qualify",
        ),
        (
            "Can I pre-qualify for a loan?",
            "incomplete",
            "I need your monthly income, monthly debt payments and requested amount",
        ),
    ],
)
async def test_prequalification_runs_the_lending_policy_without_applying(
    bankdesk: Bankdesk, message: str, outcome: str, says: str
) -> None:
    seeded = await _seed(bankdesk)
    result, case_id = await _ask(bankdesk, message, seeded.customer_id)

    assert says in result.answer
    assert "not a credit decision" in result.answer
    assert result.analysis.flags == ["prequalification"]
    facts = result.analysis.model_dump()["prequalification"]
    assert facts["outcome"] == outcome
    assert facts["policy_id"] == bankdesk.settings.lending_policy
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        stored = await uow.session.scalar(select(func.count()).select_from(LoanApplication))
        trail = await uow.audit.trail("case", case_id)
    assert stored == 0
    assert [(event.action, event.after["outcome"]) for event in trail] == [
        ("loan.prequalified", outcome)
    ]


async def test_a_loan_request_with_figures_is_stored_and_decided(bankdesk: Bankdesk) -> None:
    seeded = await _seed(bankdesk)
    message = "I'd like to borrow $15,000, I earn $6,000 a month, I pay $900 in debts."
    result, _ = await _ask(bankdesk, message, seeded.customer_id)

    (action,) = result.actions
    assert action.kind == "loan_application"
    assert result.analysis.flags == ["application_submitted"]
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        application = await uow.applications.get(action.reference or "")
        assert application is not None
        decision = await uow.applications.decision_for(application.id)
        trail = await uow.audit.trail("application", application.id)
    assert application.applicant_id == seeded.customer_id
    assert application.raw_request == message  # stored exactly as the customer wrote it
    assert application.borrower_name == "Jordan Avery"  # from the customer record
    assert application.evidence["evidence"]["borrower_name"]["note"] == "from the customer record"
    assert (application.income, application.monthly_debt, application.requested_amount) == (
        Decimal("6000"),
        Decimal("900"),
        Decimal("15000"),
    )
    assert decision is not None
    assert decision.outcome == "approve"
    assert f"reference {application.loan_ref}" in result.answer
    assert "approval notice" in result.answer
    assert [event.action for event in trail][:2] == ["application.received", "application.decided"]


async def test_a_loan_request_without_figures_asks_for_them(bankdesk: Bankdesk) -> None:
    seeded = await _seed(bankdesk)
    result, _ = await _ask(bankdesk, "I would like to apply for a loan", seeded.customer_id)

    assert result.actions == []
    assert "how much you would like to borrow" in result.answer


async def test_no_active_loan_says_so_and_how_to_apply(bankdesk: Bankdesk) -> None:
    seeded = await _seed(bankdesk)
    async with UnitOfWork(bankdesk.database.sessions, actor="test") as uow:
        loan = await uow.session.get(Loan, seeded.loan_id)
        assert loan is not None
        loan.status = "paid_off"
        await uow.commit()
    result, _ = await _ask(bankdesk, "What's left on my loan?", seeded.customer_id)

    assert result.analysis.flags == ["no_loans"]
    assert "don't have an active loan" in result.answer
    assert "apply" in result.answer


async def test_unidentified_and_unknown_customers(bankdesk: Bankdesk) -> None:
    await _seed(bankdesk)
    anonymous, _ = await _ask(bankdesk, "What's my loan balance?", None)
    unknown, _ = await _ask(bankdesk, "What's my loan balance?", "cust_00000")

    assert anonymous.analysis.flags == ["unidentified"]
    assert unknown.analysis.flags == ["unknown_customer"]
