"""The offline extractor: borrower text to application fields, each grounded in a span.

Precision over recall: a field the text does not state unambiguously is left empty and the
reason is recorded, so the case asks for information instead of deciding on a guess.
"""

import re
from collections.abc import Callable
from decimal import Decimal

from bankdesk.domain.application import ExtractedValue, Extraction, Field, Span, StatedAmount
from bankdesk.domain.money import Period, monthly_amount
from bankdesk.lending.cues import HOURLY, NO_DEBT, Role, Sentences
from bankdesk.lending.identities import find_identities
from bankdesk.lending.mentions import Mention, classify

Found = ExtractedValue | str  # a value, or the reason the field was left empty


def extract_application(text: str) -> Extraction:
    """Extract loan application fields from free text without any model."""
    sentences = Sentences(text)
    mentions = classify(text, sentences)
    values: dict[Field, ExtractedValue] = {}
    unsure: dict[Field, str] = {}
    money_fields: list[tuple[Field, Callable[[str, list[Mention]], Found | None]]] = [
        (Field.INCOME, _income),
        (Field.MONTHLY_DEBT, _monthly_debt),
        (Field.REQUESTED_AMOUNT, _requested_amount),
    ]
    for name, find in money_fields:
        _keep(name, find(text, mentions), values, unsure)
    _keep(Field.CURRENCY, _currency(text, values), values, unsure)
    for name, found in find_identities(text, sentences).items():
        _keep(name, found, values, unsure)
    return Extraction(text=text, values=values, unsure=unsure)


def _keep(
    name: Field,
    found: Found | None,
    values: dict[Field, ExtractedValue],
    unsure: dict[Field, str],
) -> None:
    if isinstance(found, ExtractedValue):
        values[name] = found
    elif found:
        unsure[name] = found


def _stated(mention: Mention) -> StatedAmount:
    period = mention.period if isinstance(mention.period, Period) else None
    money = mention.money
    return StatedAmount(
        amount=money.amount, currency=money.currency, period=period, span=money.span
    )


def _grounded(name: Field, value: Decimal, mentions: list[Mention], note: str) -> ExtractedValue:
    stated = tuple(_stated(mention) for mention in mentions)
    spans = tuple(item.span for item in stated)
    return ExtractedValue(field=name, value=value, spans=spans, stated=stated, note=note)


def _monthly(mention: Mention) -> Decimal | None:
    period = mention.period
    return monthly_amount(mention.money.amount, period) if isinstance(period, Period) else None


def _income(_text: str, mentions: list[Mention]) -> Found | None:
    current = [m for m in mentions if m.role is Role.INCOME and not m.past]
    current = [m for m in current if not (m.restatement and m is not current[0])]
    if not current:
        return None
    if any(m.period == HOURLY for m in current):
        return "income is stated per hour; monthly hours are not known"
    if any(m.period is None for m in current):
        return "income is stated without saying whether it is monthly or annual"
    monthly = [_monthly(m) or Decimal(0) for m in current]
    if len(set(monthly)) == 1:
        return _grounded(Field.INCOME, monthly[0], current[:1], _income_note(current[:1]))
    if all(m.additive for m in current[1:]):
        note = f"sum of {len(current)} income sources; " + _income_note(current)
        return _grounded(Field.INCOME, sum(monthly, Decimal(0)), current, note)
    return "the text states different incomes without saying they add up"


def _income_note(mentions: list[Mention]) -> str:
    parts = [f"{m.money.span.text} {m.period}" for m in mentions]
    return "monthly from " + ", ".join(parts)


def _monthly_debt(text: str, mentions: list[Mention]) -> Found | None:
    debts = [m for m in mentions if m.role is Role.DEBT and not m.past]
    if not debts:
        no_debt = NO_DEBT.search(text)
        if no_debt is None:
            return None
        span = Span(no_debt.start(), no_debt.end(), no_debt.group(0))
        return ExtractedValue(Field.MONTHLY_DEBT, Decimal(0), (span,), note="no debt stated")
    if any(m.period == HOURLY for m in debts):
        return "a debt payment is stated per hour"
    items = [m for m in debts if not m.total]
    totals = [m for m in debts if m.total]
    items_sum = sum((_payment(m) for m in items), Decimal(0))
    if totals:
        total_values = {_payment(m) for m in totals}
        if len(total_values) > 1 or (items and items_sum not in total_values):
            return "the listed debt payments do not add up to the stated total"
        return _grounded(Field.MONTHLY_DEBT, total_values.pop(), totals, "stated total")
    note = _debt_note(items)
    return _grounded(Field.MONTHLY_DEBT, items_sum, items, note)


def _payment(mention: Mention) -> Decimal:
    """A debt payment per month; a payment stated without a period is taken as monthly."""
    return _monthly(mention) or mention.money.amount


def _debt_note(items: list[Mention]) -> str:
    assumed = [m.money.span.text for m in items if m.period is None]
    note = f"sum of {len(items)} monthly payments" if len(items) > 1 else "monthly payment"
    if assumed:
        note += "; taken as monthly (no period stated): " + ", ".join(assumed)
    return note


def _requested_amount(_text: str, mentions: list[Mention]) -> Found | None:
    requests = [m for m in mentions if m.role is Role.REQUEST and not m.past]
    amounts = {m.money.amount for m in requests}
    if not amounts:
        return None
    if len(amounts) > 1:
        return "the text names more than one requested amount"
    return _grounded(Field.REQUESTED_AMOUNT, amounts.pop(), requests[:1], "amount requested")


_CURRENCY_LABEL = re.compile(r"(?im)^[ \t]*currency[ \t]*[:=][ \t]*(?P<code>[A-Z]{3})\b")


def _currency(text: str, values: dict[Field, ExtractedValue]) -> Found | None:
    """The currency the amounts are marked with, or a `Currency:` line; both must agree."""
    stated = [item for value in values.values() for item in value.stated if item.currency]
    spans = [item.span for item in stated]
    codes = {str(item.currency) for item in stated}
    for label in _CURRENCY_LABEL.finditer(text):
        codes.add(label["code"])
        spans.append(Span(label.start("code"), label.end("code"), label["code"]))
    if not codes:
        return None
    if len(codes) > 1:
        return "amounts are in different currencies: " + ", ".join(sorted(codes))
    return ExtractedValue(Field.CURRENCY, codes.pop(), tuple(spans), note="currency stated")
