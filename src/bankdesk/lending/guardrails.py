"""Checks an application must pass before any policy may decide it."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from bankdesk.domain.application import REQUIRED_FIELDS, Field, LoanApplication
from bankdesk.domain.decision import Reason

FIELD_LABELS: dict[Field, str] = {
    Field.LOAN_ID: "loan id",
    Field.BORROWER_NAME: "full name",
    Field.INCOME: "monthly income",
    Field.MONTHLY_DEBT: "monthly debt payments",
    Field.REQUESTED_AMOUNT: "requested amount",
    Field.CURRENCY: "currency",
    Field.EMPLOYMENT_YEARS: "years employed",
    Field.TERM_MONTHS: "loan term",
    Field.PURPOSE: "loan purpose",
}


@dataclass(frozen=True, slots=True)
class Limits:
    """Magnitudes beyond which a figure is treated as a mistake, not decided on."""

    max_monthly_income: Decimal
    max_requested_amount: Decimal


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an application cannot be decided yet, and which field it concerns if any."""

    field: Field | None
    code: str
    message: str

    @property
    def reason(self) -> Reason:
        """The problem as a reason shown with an incomplete outcome."""
        return Reason(code=self.code, message=self.message)


def check_application(
    application: LoanApplication,
    *,
    limits: Limits,
    unsure: Mapping[Field, str] | None = None,
) -> tuple[Problem, ...]:
    """Every missing or invalid required value; an empty tuple means the policy may decide."""
    unsure = unsure or {}
    problems = [
        _missing(name, unsure.get(name))
        for name in REQUIRED_FIELDS
        if application.value(name) in (None, "")
    ]
    if Field.CURRENCY in unsure:
        problems.append(Problem(Field.CURRENCY, "CURRENCY_UNCLEAR", unsure[Field.CURRENCY]))
    problems += _invalid_amounts(application, limits)
    return tuple(problems)


def _missing(name: Field, why: str | None) -> Problem:
    label = FIELD_LABELS[name]
    message = f"We need the borrower's {label}."
    if why:
        message = f"We need the borrower's {label}: {why}."
    return Problem(name, f"MISSING_{name.value.upper()}", message)


def _invalid_amounts(application: LoanApplication, limits: Limits) -> list[Problem]:
    problems = []
    income, debt, amount = (
        application.income,
        application.monthly_debt,
        application.requested_amount,
    )
    if income is not None and income <= 0:
        problems.append(_invalid(Field.INCOME, "must be greater than zero", income))
    if income is not None and income > limits.max_monthly_income:
        problems.append(
            _invalid(Field.INCOME, f"is above {limits.max_monthly_income:,} a month", income)
        )
    if debt is not None and debt < 0:
        problems.append(_invalid(Field.MONTHLY_DEBT, "cannot be negative", debt))
    if debt is not None and debt > limits.max_monthly_income:
        problems.append(
            _invalid(Field.MONTHLY_DEBT, f"is above {limits.max_monthly_income:,} a month", debt)
        )
    if amount is not None and amount <= 0:
        problems.append(_invalid(Field.REQUESTED_AMOUNT, "must be greater than zero", amount))
    if amount is not None and amount > limits.max_requested_amount:
        problems.append(
            _invalid(Field.REQUESTED_AMOUNT, f"is above {limits.max_requested_amount:,}", amount)
        )
    return problems


def _invalid(name: Field, rule: str, value: Decimal) -> Problem:
    label = FIELD_LABELS[name]
    return Problem(
        name,
        f"INVALID_{name.value.upper()}",
        f"The {label} ({value:,}) {rule}; please confirm the figure.",
    )
