"""Demo loans: an amortisation schedule, the payments received, and the debits that made them.

A loan's installments fall on one day of the month. Those due before the bank's day are
paid by direct debit from the customer's checking account on the due date, except a late
one, which is left unpaid; the balance is the principal less the principal paid.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bankdesk.banking.demo_ledger import Draft, Wallet
from bankdesk.banking.demo_people import Profile
from bankdesk.store.banking_models import Loan, LoanInstallment, LoanPayment

CENT = Decimal("0.01")
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One installment of an amortisation schedule."""

    number: int
    due_on: date
    amount: Decimal
    principal: Decimal
    interest: Decimal


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """What a bank lends of one kind: size against pay, rates, terms, age of loans held."""

    pay_multiple: tuple[float, float]
    step: int
    rates: tuple[float, float]
    terms: tuple[int, ...]
    elapsed: tuple[int, int]  # how many installments have fallen due, at least and at most


TERMS = {
    "personal": LoanTerms((0.8, 3.0), 500, (0.0799, 0.1799), (24, 36, 48, 60), (3, 40)),
    "auto": LoanTerms((3.0, 7.0), 500, (0.0499, 0.0999), (48, 60, 72), (2, 50)),
    "mortgage": LoanTerms((35.0, 60.0), 5000, (0.0525, 0.0725), (360,), (6, 96)),
}


@dataclass(frozen=True, slots=True)
class LoanPlan:
    """Which loan to book, and how it stands on the bank's day."""

    kind: str
    late: bool = False
    overdue_days: int | None = None  # the late installment fell due this many days ago
    due_in_days: int | None = None  # the next installment falls due this many days ahead


@dataclass(frozen=True, slots=True)
class LoanBook:
    """A loan with its schedule, the payments received, and the account movements for them."""

    loan: Loan
    installments: tuple[LoanInstallment, ...]
    payments: tuple[LoanPayment, ...]
    movements: tuple[Draft, ...]


def plan_loans(*, profile: Profile, rng: random.Random) -> list[LoanPlan]:
    """An ordinary customer's loans: a homeowner's mortgage, perhaps a car or personal loan."""
    kinds = ["mortgage"] if profile.owns_home else []
    if rng.random() < 0.2:
        kinds.append("auto")
    if rng.random() < 0.15:
        kinds.append("personal")
    return [LoanPlan(kind, late=rng.random() < 0.06) for kind in kinds]


def monthly_payment(*, principal: Decimal, annual_rate: Decimal, term_months: int) -> Decimal:
    """The level monthly payment that repays a loan over its term, to the cent."""
    rate = annual_rate / 12
    if not rate:
        return (principal / term_months).quantize(CENT, ROUND_HALF_UP)
    return (principal * rate / (1 - (1 + rate) ** -term_months)).quantize(CENT, ROUND_HALF_UP)


def amortise(
    *, principal: Decimal, annual_rate: Decimal, term_months: int, first_due: date
) -> list[Scheduled]:
    """The schedule of a level-payment loan; the last installment absorbs the rounding."""
    payment = monthly_payment(principal=principal, annual_rate=annual_rate, term_months=term_months)
    rate, owed, schedule = annual_rate / 12, principal, []
    for number in range(1, term_months + 1):
        interest = (owed * rate).quantize(CENT, ROUND_HALF_UP)
        part = owed if number == term_months else min(owed, payment - interest)
        owed -= part
        schedule.append(
            Scheduled(number, add_months(first_due, number - 1), part + interest, part, interest)
        )
    return schedule


def add_months(day: date, months: int) -> date:
    """The same day of the month some months later (days past the 28th are not used)."""
    years, month = divmod(day.month - 1 + months, 12)
    return date(day.year + years, month + 1, day.day)


def book_loan(
    *, loan_id: str, plan: LoanPlan, wallet: Wallet, profile: Profile, rng: random.Random
) -> LoanBook:
    """A loan as it stands on the bank's day, with its schedule and payment history."""
    terms = TERMS[plan.kind]
    term = rng.choice(terms.terms)
    elapsed = rng.randint(*terms.elapsed)
    if plan.late or plan.due_in_days is not None:
        elapsed = min(elapsed, term - 1)  # such a loan is still running
    today = wallet.as_of.date()
    due_day = _due_day(plan, rng=rng, today=today)
    first_due = add_months(_last_due_before(today, due_day), 1 - elapsed)
    principal = _principal(terms, pay=profile.pay, rng=rng)
    rate = Decimal(f"{round(rng.uniform(*terms.rates) / 0.0025) * 0.0025:.4f}")
    schedule = amortise(
        principal=principal, annual_rate=rate, term_months=term, first_due=first_due
    )
    loan = Loan(
        id=loan_id,
        customer_id=wallet.checking.customer_id,
        kind=plan.kind,
        principal=principal,
        annual_rate=rate,
        term_months=term,
        monthly_payment=schedule[0].amount,
        currency=wallet.checking.currency,
        opened_at=wallet.at(add_months(first_due, -1), 12.0),
    )
    return _history(loan, schedule=schedule, elapsed=elapsed, late=plan.late, wallet=wallet)


def _history(
    loan: Loan, *, schedule: list[Scheduled], elapsed: int, late: bool, wallet: Wallet
) -> LoanBook:
    installments, payments, movements = [], [], []
    for item in schedule:
        status = _status(item.number, elapsed=elapsed, late=late)
        installments.append(
            LoanInstallment(
                loan_id=loan.id,
                number=item.number,
                due_on=item.due_on,
                amount=item.amount,
                principal=item.principal,
                interest=item.interest,
                status=status,
            )
        )
        if status == "paid":
            paid_at = wallet.at(item.due_on, 8.0)
            payments.append(
                LoanPayment(
                    loan_id=loan.id,
                    paid_at=paid_at,
                    amount=item.amount,
                    installment_number=item.number,
                )
            )
            debit = f"Bankdesk {loan.kind.title()} Loan Payment"
            movements.append(_movement(wallet, at=paid_at, merchant=debit, amount=-item.amount))
    if loan.kind == "personal":  # a personal loan is paid out into the customer's account
        payout = "Bankdesk Personal Loan Disbursement"
        movements.append(
            _movement(wallet, at=loan.opened_at, merchant=payout, amount=loan.principal)
        )
    paid = sum((item.principal for item in installments if item.status == "paid"), Decimal(0))
    loan.balance = loan.principal - paid
    loan.status = "late" if late else ("paid_off" if not loan.balance else "current")
    movements = [item for item in movements if wallet.within(item.occurred_at)]
    return LoanBook(loan, tuple(installments), tuple(payments), tuple(movements))


def _movement(wallet: Wallet, *, at: datetime, merchant: str, amount: Decimal) -> Draft:
    """A loan's money on the checking account: a payment out by direct debit, or the payout."""
    return Draft(
        account_id=wallet.checking.id,
        occurred_at=at,
        merchant=merchant,
        category="loan_payment" if amount < 0 else "loan_disbursement",
        amount=amount,
        channel="direct_debit" if amount < 0 else "transfer",
        country=wallet.home.country,
    )


def _status(number: int, *, elapsed: int, late: bool) -> str:
    if number < elapsed or (number == elapsed and not late):
        return "paid"
    if number == elapsed:
        return "late"
    return "due" if number == elapsed + 1 else "upcoming"


def _due_day(plan: LoanPlan, *, rng: random.Random, today: date) -> int:
    """The day of the month installments fall on, chosen to put them where the plan asks."""
    if plan.due_in_days is not None:
        target = today + DAY * plan.due_in_days
        while target.day > 28:
            target += DAY
        return target.day
    if plan.late:
        target = today - DAY * (plan.overdue_days or rng.randint(5, 25))
        while target.day > 28:
            target -= DAY
        return target.day
    return rng.randint(1, 28)


def _last_due_before(today: date, day: int) -> date:
    if today.day > day:
        return date(today.year, today.month, day)
    last_month = today.replace(day=1) - DAY
    return date(last_month.year, last_month.month, day)


def _principal(terms: LoanTerms, *, pay: Decimal, rng: random.Random) -> Decimal:
    amount = float(pay) * rng.uniform(*terms.pay_multiple)
    return Decimal(max(terms.step, round(amount / terms.step) * terms.step)).quantize(CENT)
