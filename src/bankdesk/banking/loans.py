"""The loan-assistant agent: servicing answers from the schedule, pre-qualification, intake."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bankdesk.banking.context import (
    AgentContext,
    identify,
)
from bankdesk.banking.formatting import format_date, format_money
from bankdesk.banking.schemas import Action, AgentRequest, AgentResult, Analysis, Urgency
from bankdesk.domain.application import Field
from bankdesk.domain.decision import Outcome
from bankdesk.domain.money import to_cents
from bankdesk.lending.flow import LendingDecision
from bankdesk.lending.guardrails import FIELD_LABELS
from bankdesk.lending.reading import Reading, offline_reading, with_known_borrower
from bankdesk.lending.service import intake
from bankdesk.store.banking_models import Customer, Loan, LoanInstallment, LoanPayment

AGENT = "loan-assistant-agent"
ISSUE_TYPE = "loan_question"
CLOSED_LOANS = frozenset({"closed", "paid_off", "paid", "written_off"})
DAYS_IN_YEAR = Decimal(365)
PREQUALIFY = re.compile(
    r"\b(?:pre-?qualif\w*|(?:could|can|would|do) i (?:qualify|be approved|get approved)"
    r"|am i eligible|how much (?:could|can|would|might) i borrow)",
    re.IGNORECASE,
)
APPLY = re.compile(
    r"\b(?:i(?:'d| would) like to (?:borrow|apply)|i (?:want|need|wish) to (?:borrow|apply)"
    r"|apply(?:ing)? for a (?:\w+ )?loan|loan application|i(?:'m| am) applying)",
    re.IGNORECASE,
)
NOT_A_DECISION = (
    "This is an indication only, not a credit decision or an offer: a full application "
    "also checks your credit history and documents."
)


@dataclass(frozen=True, slots=True)
class LoanPosition:
    """Where a loan stands on a day: what is overdue, the next payment after those, what is
    left, and what pays the loan off."""

    loan: Loan
    next_installment: LoanInstallment | None
    overdue: tuple[LoanInstallment, ...]
    remaining: int
    last_payment: LoanPayment | None
    accrued_since: date
    accrued_interest: Decimal

    @property
    def payoff(self) -> Decimal:
        """What pays the loan off today: the balance plus the interest accrued on it."""
        return to_cents(self.loan.balance + self.accrued_interest)

    @property
    def overdue_amount(self) -> Decimal:
        """The sum of the installments past their due date and unpaid."""
        return sum((item.amount for item in self.overdue), Decimal(0))

    def summary(self) -> dict[str, Any]:
        """The position as the analysis reports it (amounts as strings)."""
        loan, upcoming, last = self.loan, self.next_installment, self.last_payment
        return {
            "kind": loan.kind,
            "currency": loan.currency,
            "status": loan.status,
            "balance": str(to_cents(loan.balance)),
            "annual_rate": str(loan.annual_rate),
            "payoff": str(self.payoff),
            "accrued_interest": str(self.accrued_interest),
            "accrued_since": self.accrued_since.isoformat(),
            "next_due_on": upcoming.due_on.isoformat() if upcoming else None,
            "next_amount": str(to_cents(upcoming.amount)) if upcoming else None,
            "overdue_count": len(self.overdue),
            "overdue_amount": str(to_cents(self.overdue_amount)),
            "remaining_installments": self.remaining,
            "last_payment_on": last.paid_at.date().isoformat() if last else None,
            "last_payment_amount": str(to_cents(last.amount)) if last else None,
        }


def accrued_interest(*, balance: Decimal, annual_rate: Decimal, since: date, on: date) -> Decimal:
    """Daily simple interest on a balance from one day to another, to the cent.

    The payoff method: interest for a month is paid with that month's installment, so what
    is owed beyond the balance is the interest accrued since the last paid installment's due
    date (the loan's opening day when none is paid yet). It accrues as simple interest,
    balance * annual rate * days / 365 (actual/365), with no compounding within the period,
    rounded half-even to the cent. A due date in the future accrues nothing."""
    days = max((on - since).days, 0)
    return to_cents(balance * annual_rate * days / DAYS_IN_YEAR)


def loan_position(loan: Loan, *, today: date) -> LoanPosition:
    """A loan's position on a day, from its schedule and payments."""
    unpaid = [item for item in loan.installments if item.status != "paid"]
    overdue = tuple(item for item in unpaid if item.status == "late" or item.due_on < today)
    paid = [item.due_on for item in loan.installments if item.status == "paid"]
    since = max(paid) if paid else loan.opened_at.date()
    return LoanPosition(
        loan=loan,
        next_installment=next((item for item in unpaid if item not in overdue), None),
        overdue=overdue,
        remaining=len(unpaid),
        last_payment=loan.payments[-1] if loan.payments else None,
        accrued_since=since,
        accrued_interest=accrued_interest(
            balance=loan.balance, annual_rate=loan.annual_rate, since=since, on=today
        ),
    )


async def loan_assistant_agent(request: AgentRequest, *, context: AgentContext) -> AgentResult:
    """Answer a loan question: the customer's loans, a pre-qualification, or an application."""
    customer = await identify(request, context, agent=AGENT, issue_type=ISSUE_TYPE)
    if isinstance(customer, AgentResult):
        return customer
    message = request.payload.message
    if PREQUALIFY.search(message):
        return await _prequalify(message, customer, context)
    if APPLY.search(message):
        return await _apply(message, customer, context)
    return await _servicing(customer, context)


async def _servicing(customer: Customer, context: AgentContext) -> AgentResult:
    loans = await context.uow.customers.loans(customer.id)
    today = context.now.date()
    positions = [
        loan_position(loan, today=today) for loan in loans if loan.status not in CLOSED_LOANS
    ]
    if not positions:
        return AgentResult(
            agent=AGENT,
            analysis=Analysis(issue_type=ISSUE_TYPE, urgency=Urgency.LOW, flags=["no_loans"]),
            answer="You don't have an active loan with us. To apply, tell us how much you would "
            "like to borrow, your monthly income and your monthly debt payments, or apply in "
            "online banking; you can also ask whether you could pre-qualify first.",
        )
    overdue = any(position.overdue for position in positions)
    return AgentResult(
        agent=AGENT,
        analysis=Analysis(
            issue_type=ISSUE_TYPE,
            urgency=Urgency.HIGH if overdue else Urgency.NORMAL,
            flags=["payment_overdue"] if overdue else [],
            loans=[position.summary() for position in positions],
        ),
        answer="\n\n".join(_describe(position, today=today) for position in positions),
    )


def _describe(position: LoanPosition, *, today: date) -> str:
    loan, money = position.loan, position.loan.currency
    lines = [f"Your {loan.kind} loan (opened {format_date(loan.opened_at)}):"]
    if position.overdue:
        dates = ", ".join(format_date(item.due_on) for item in position.overdue)
        lines.append(
            f"- Overdue: {format_money(position.overdue_amount, money)} was due on {dates}. "
            "Please pay it as soon as you can, or talk to us if you are finding it hard to pay."
        )
    upcoming = position.next_installment
    if upcoming is not None:
        lines.append(
            f"- Next payment: {format_money(upcoming.amount, money)} due on "
            f"{format_date(upcoming.due_on)} (payment {upcoming.number} of {loan.term_months})."
        )
    rate = f"{loan.annual_rate * 100:.2f}".rstrip("0").rstrip(".")
    lines.append(
        f"- Outstanding balance: {format_money(loan.balance, money)} at {rate}% a year, with "
        f"{position.remaining} payments remaining."
    )
    lines.append(
        f"- To pay it off today ({format_date(today)}): {format_money(position.payoff, money)}, "
        f"the balance plus {format_money(position.accrued_interest, money)} interest accrued "
        f"since {format_date(position.accrued_since)}. It grows a little each day."
    )
    last = position.last_payment
    if last is not None:
        lines.append(
            f"- Last payment: {format_money(last.amount, money)} received on "
            f"{format_date(last.paid_at)}."
        )
    return "\n".join(lines)


def _reading_for(message: str, customer: Customer) -> Reading:
    """The offline reading of a message, with the customer's name from their record when the
    message gives none (a signed-in customer need not type their own name)."""
    return with_known_borrower(
        offline_reading(message), customer.full_name, source="the customer record"
    )


async def _prequalify(message: str, customer: Customer, context: AgentContext) -> AgentResult:
    context.lending.check_length(message)
    decision = context.lending.decide_reading(_reading_for(message, customer))
    await context.uow.audit.record(
        "loan.prequalified",
        entity_type="case",
        entity_id=context.case_id,
        after={
            "customer_id": customer.id,
            **_decision_facts(decision),
        },
    )
    loans = await context.uow.customers.loans(customer.id)
    notes = [
        f"customer already repays {format_money(loan.monthly_payment, loan.currency)} a month "
        "on a loan with us; check the stated debts include it"
        for loan in loans
        if loan.status not in CLOSED_LOANS
    ]
    return AgentResult(
        agent=AGENT,
        analysis=Analysis(
            issue_type=ISSUE_TYPE,
            flags=["prequalification"],
            prequalification=_decision_facts(decision),
        ),
        actions=[Action(kind="prequalification", detail=f"policy outcome {decision.outcome}")],
        answer=f"{_prequalification_text(decision)} {NOT_A_DECISION}",
        notes=notes,
    )


def _prequalification_text(decision: LendingDecision) -> str:
    outcome = decision.outcome
    if outcome is Outcome.INCOMPLETE:
        return f"To check whether you could pre-qualify, I need your {_missing(decision)}."
    figures = _figures(decision)
    if outcome is Outcome.APPROVE:
        return f"On the figures you gave ({figures}), you would likely pre-qualify."
    reasons = _reasons(decision)
    if outcome is Outcome.REVIEW:
        return (
            f"On the figures you gave ({figures}), an underwriter would need to look at an "
            f"application before we could say. {reasons}"
        ).strip()
    return f"On the figures you gave ({figures}), you would not pre-qualify. {reasons}".strip()


async def _apply(message: str, customer: Customer, context: AgentContext) -> AgentResult:
    reading = offline_reading(message)
    figures = (Field.REQUESTED_AMOUNT, Field.INCOME, Field.MONTHLY_DEBT)
    if not any(name in reading.extraction.values for name in figures):
        return AgentResult(
            agent=AGENT,
            analysis=Analysis(issue_type=ISSUE_TYPE, flags=["application_needs_figures"]),
            answer="I can start a loan application for you. Please tell me how much you would "
            "like to borrow, your monthly income and your monthly debt payments.",
        )
    row, decision = await intake(
        context.uow, context.lending, context.reader, text=message, applicant_id=customer.id,
        checkpoint=context.checkpoint, known_borrower=customer.full_name,
    )  # fmt: skip
    reference = row.loan_ref or row.id
    facts = _decision_facts(decision) if decision else {"outcome": None}
    return AgentResult(
        agent=AGENT,
        analysis=Analysis(
            issue_type=ISSUE_TYPE,
            flags=["application_submitted"],
            application={"id": row.id, "reference": reference, **facts},
        ),
        actions=[
            Action(
                kind="loan_application",
                detail=f"application stored; outcome {facts['outcome'] or 'referred'}",
                reference=row.id,
            )
        ],
        answer=f"I've submitted your loan application (reference {reference}). "
        + _application_text(decision),
    )


def _application_text(decision: LendingDecision | None) -> str:
    if decision is None:
        return "A member of our lending team will review it and contact you."
    outcome = decision.outcome
    if outcome is Outcome.INCOMPLETE:
        return f"To continue we need your {_missing(decision)}; please reply with those details."
    if outcome is Outcome.APPROVE:
        return (
            "It meets our lending policy on the figures you gave; we'll send you an approval "
            "notice with the next steps, once we have verified your income and identity."
        )
    if outcome is Outcome.REVIEW:
        return (
            "An underwriter will review it and we'll ask you for supporting documents. "
            f"{_reasons(decision)}"
        ).strip()
    return (
        "It doesn't meet our policy for automatic approval, so one of our underwriters will "
        f"look at it and contact you. {_reasons(decision)}"
    ).strip()


def _decision_facts(decision: LendingDecision) -> dict[str, Any]:
    """What the analysis and the audit keep of a decision (JSON values, amounts as strings)."""
    return {
        "outcome": decision.outcome.value,
        "dti": None if decision.dti_rounded is None else str(decision.dti_rounded),
        "reasons": [reason.code for reason in decision.reasons],
        "missing_fields": [name.value for name in decision.missing_fields],
        "next_action": decision.next_action.value,
        "policy_id": decision.policy.id,
        "policy_version": decision.policy.version,
    }


def _figures(decision: LendingDecision) -> str:
    application = decision.application
    money = application.currency or "USD"
    parts = []
    if application.income is not None:
        parts.append(f"income {format_money(application.income, money)} a month")
    if application.monthly_debt is not None:
        parts.append(f"debt payments {format_money(application.monthly_debt, money)} a month")
    if application.requested_amount is not None:
        parts.append(f"{format_money(application.requested_amount, money)} requested")
    if decision.dti_rounded is not None:
        parts.append(f"debt-to-income {decision.dti_rounded * 100:.0f}%")
    return ", ".join(parts)


def _reasons(decision: LendingDecision) -> str:
    return " ".join(reason.message for reason in decision.reasons)


def _missing(decision: LendingDecision) -> str:
    labels = [FIELD_LABELS[name] for name in decision.missing_fields] or ["details"]
    return ", ".join(labels[:-1]) + (" and " if len(labels) > 1 else "") + labels[-1]
