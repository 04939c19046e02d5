"""Exact money arithmetic: amounts are Decimal, periods convert to monthly."""

from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

CENT = Decimal("0.01")


class Period(StrEnum):
    """How often a stated amount recurs."""

    MONTHLY = "monthly"
    ANNUAL = "annual"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    SEMIMONTHLY = "semimonthly"
    HOURLY = "hourly"


# Payments per year for each period that converts; a monthly figure is amount * per_year / 12.
# Hourly pay does not convert without the hours worked, so it has no entry.
PAYMENTS_PER_YEAR: dict[Period, int] = {
    Period.MONTHLY: 12,
    Period.ANNUAL: 1,
    Period.WEEKLY: 52,
    Period.BIWEEKLY: 26,
    Period.SEMIMONTHLY: 24,
}


def to_cents(amount: Decimal) -> Decimal:
    """Round an amount to whole cents, half to even (banker's rounding)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def monthly_amount(amount: Decimal, period: Period) -> Decimal:
    """Convert an amount stated per `period` into a monthly amount, exact to the cent."""
    if period is Period.MONTHLY:
        return amount
    if period not in PAYMENTS_PER_YEAR:
        raise ValueError(f"an amount per {period.value} period has no monthly equivalent")
    return to_cents(amount * PAYMENTS_PER_YEAR[period] / 12)


def round_ratio(ratio: Decimal, places: int = 2) -> Decimal:
    """Round a ratio for display, half to even like Python's round()."""
    return ratio.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
