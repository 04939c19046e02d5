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
    if Field.LOAN_ID in unsure:  # deciding under a fresh id could split one application in two
        problems.append(Problem(Field.LOAN_ID, "LOAN_ID_UNCLEAR", unsure[Field.LOAN_ID]))
    problems += _invalid_amounts(application, limits)
    return tuple(problems)


def _missing(name: Field, why: str | None) -> Problem:
    label = FIELD_LABELS[name]
    message = f"We need the borrower's {label}."
    if why:
        message = f"We need the borrower's {label}: {why.rstrip('.')}."
    return Problem(name, f"MISSING_{name.value.upper()}", message)


def _invalid_amounts(application: LoanApplication, limits: Limits) -> list[Problem]:
    """Values no policy should see: not numbers, negative, zero where it can't be, absurd."""
    checks: tuple[tuple[Field, Decimal | None, bool, Decimal], ...] = (
        # Zero income is a fact the policy declines on (dti 1.0), not an input error.
        (Field.INCOME, application.income, False, limits.max_monthly_income),
        (Field.MONTHLY_DEBT, application.monthly_debt, False, limits.max_monthly_income),
        (Field.REQUESTED_AMOUNT, application.requested_amount, True, limits.max_requested_amount),
    )
    problems = []
    for name, value, must_be_positive, maximum in checks:
        if value is None:
            continue
        if not value.is_finite():
            problems.append(_invalid(name, "is not a number", value))
        elif value < 0 or (must_be_positive and value == 0):
            rule = "must be greater than zero" if must_be_positive else "cannot be negative"
            problems.append(_invalid(name, rule, value))
        elif value > maximum:
            problems.append(_invalid(name, f"is above the plausible maximum of {maximum:,}", value))
    return problems


def _invalid(name: Field, rule: str, value: Decimal) -> Problem:
    shown = f"{value:,}" if value.is_finite() else str(value)
    return Problem(
        name,
        f"INVALID_{name.value.upper()}",
        f"The {FIELD_LABELS[name]} figure given ({shown}) {rule}; please confirm it.",
    )
