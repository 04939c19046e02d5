"""Amounts and dates as the agents write them for customers."""

from datetime import date, datetime
from decimal import Decimal

from bankdesk.domain.money import to_cents

CURRENCY_SYMBOLS = {"USD": "$"}


def format_money(amount: Decimal, currency: str) -> str:
    """An amount as a customer reads it: "$2,310.12" for dollars, "1,234.00 EUR" otherwise."""
    cents = to_cents(amount)
    sign = "-" if cents < 0 else ""
    digits = f"{abs(cents):,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}"


def format_date(day: date | datetime) -> str:
    """A date as a customer reads it, e.g. "December 5, 2026"."""
    return f"{day:%B} {day.day}, {day.year}"
