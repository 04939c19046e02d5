"""Check a model's facts against the borrower's text and turn them into an extraction.

Every value must come with source text that is in the borrower's message and that states
the value: the number (or name, or id) must be in it, a currency it marks must match, a
period it names must match. A value that fails is dropped and the failure recorded. A
dropped debt payment or requested amount leaves its field unreadable rather than smaller,
since a smaller debt could only make an approval more likely.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bankdesk.domain.application import ExtractedValue, Extraction, Field, Span, StatedAmount
from bankdesk.domain.money import Period, monthly_amount
from bankdesk.lending.amounts import MULTIPLIERS, currencies_named, find_money
from bankdesk.lending.cues import periods_in
from bankdesk.lending.facts import AmountQuote, LoanFacts, NumberQuote, TextQuote, unclear_fields
from bankdesk.lending.guardrails import FIELD_LABELS

_NUMBER = re.compile(
    r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<mult>k|grand|thousand|mm|mil|million|m)(?![a-z]))?",
    re.IGNORECASE,
)
_YEARS = re.compile(r"\b(?:years?|yrs?)\b", re.IGNORECASE)


@dataclass(slots=True)
class Grounded:
    """The model's facts that the text supports, and every one it does not."""

    text: str
    values: dict[Field, ExtractedValue] = field(default_factory=dict)
    unsure: dict[Field, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def extraction(self) -> Extraction:
        """The grounded values as an extraction, like the offline extractor's."""
        return Extraction(text=self.text, values=dict(self.values), unsure=dict(self.unsure))


def ground_facts(text: str, facts: LoanFacts) -> Grounded:
    """Keep the facts the text states; record the rest as grounding failures."""
    grounded = Grounded(text)
    amounts = {
        Field.INCOME: _amounts(grounded, Field.INCOME, facts.income),
        Field.MONTHLY_DEBT: _amounts(grounded, Field.MONTHLY_DEBT, facts.debt_payments),
    }
    income = amounts[Field.INCOME]
    _income(grounded, income, partial=len(income) < len(facts.income))
    _debt(grounded, facts, amounts[Field.MONTHLY_DEBT])
    _requested(grounded, facts.requested_amount)
    for name, quote in (
        (Field.LOAN_ID, facts.loan_id),
        (Field.BORROWER_NAME, facts.borrower_name),
        (Field.PURPOSE, facts.purpose),
    ):
        _text_value(grounded, name, quote)
    _number_value(grounded, Field.EMPLOYMENT_YEARS, facts.employment_years, years_as_months=False)
    _number_value(grounded, Field.TERM_MONTHS, facts.term_months, years_as_months=True)
    _currency(grounded)
    for name, reason in unclear_fields(facts).items():
        grounded.values.pop(name, None)
        grounded.unsure[name] = f"the model could not read it clearly: {reason}"
    return grounded


def locate(text: str, quote: str) -> Span | None:
    """Where the quoted text is in the text: exactly, or ignoring case and spacing."""
    if not quote.strip():
        return None
    start = text.find(quote)
    if start >= 0:
        return Span(start, start + len(quote), quote)
    words = quote.split()
    loose = re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)
    found = loose.search(text)
    return None if found is None else Span(found.start(), found.end(), found.group(0))


def numbers_in(quote: str) -> set[Decimal]:
    """Every number a piece of text states, with "k", "grand" and "million" applied."""
    numbers = set()
    for match in _NUMBER.finditer(quote):
        try:
            value = Decimal(match["num"].replace(",", ""))
        except InvalidOperation:
            continue
        numbers.add(value)
        if match["mult"]:
            numbers.add(value * MULTIPLIERS[match["mult"].lower()])
    return numbers


def _amounts(grounded: Grounded, name: Field, quotes: list[AmountQuote]) -> list[StatedAmount]:
    stated = []
    for quote in quotes:
        amount = _amount(grounded, name, quote)
        if amount is not None:
            stated.append(amount)
    return stated


def _amount(grounded: Grounded, name: Field, quote: AmountQuote) -> StatedAmount | None:
    label = FIELD_LABELS[name]
    span = locate(grounded.text, quote.source_text)
    if span is None:
        grounded.failures.append(f"{label}: {quote.source_text!r} is not in the text")
        return None
    if quote.value not in numbers_in(span.text):
        grounded.failures.append(f"{label}: {quote.value} is not the amount in {span.text!r}")
        return None
    marked = {code for code, _ in currencies_named(span.text)}
    marked |= {m.currency for m in find_money(span.text) if m.currency and m.currency != "?"}
    currency = quote.currency.upper() if quote.currency else None
    if marked and currency is not None and currency not in marked:
        grounded.failures.append(f"{label}: {span.text!r} is not in {currency}")
        return None
    named = periods_in(span.text)
    period = Period(quote.period) if quote.period else None
    if named and period is not None and period not in named:
        grounded.failures.append(f"{label}: {span.text!r} is not {period}")
        return None
    # What the source text itself marks wins over what the model left out.
    if period is None and len(named) == 1:
        period = next(iter(named))
    if currency is None and len(marked) == 1:
        currency = next(iter(marked))
    return StatedAmount(quote.value, currency if marked else None, period, span)


def _income(grounded: Grounded, stated: list[StatedAmount], *, partial: bool) -> None:
    if not stated:
        return
    paid = [(item, item.period) for item in stated if item.period is not None]
    if len(paid) < len(stated):
        grounded.unsure[Field.INCOME] = "the model gave income without saying how often it is paid"
        return
    if any(period is Period.HOURLY for _, period in paid):
        grounded.unsure[Field.INCOME] = "income is stated per hour; monthly hours are not known"
        return
    total = sum((monthly_amount(item.amount, period) for item, period in paid), Decimal(0))
    note = "model: monthly from " + ", ".join(f"{i.span.text} {i.period}" for i in stated)
    if partial:
        note += " (income the text does not state was left out)"
    grounded.values[Field.INCOME] = _value(Field.INCOME, total, stated, note)


def _debt(grounded: Grounded, facts: LoanFacts, stated: list[StatedAmount]) -> None:
    if len(stated) < len(facts.debt_payments):
        grounded.unsure[Field.MONTHLY_DEBT] = "a debt payment the model gave is not in the text"
        return
    if stated and facts.no_debt_statement is not None:
        grounded.unsure[Field.MONTHLY_DEBT] = "the model read both debt payments and 'no debt'"
        return
    if stated:
        if any(item.period is Period.HOURLY for item in stated):
            grounded.unsure[Field.MONTHLY_DEBT] = "a debt payment is stated per hour"
            return
        total = sum(
            (item.amount if item.period is None else monthly_amount(item.amount, item.period))
            for item in stated
        )
        note = f"model: sum of {len(stated)} monthly payments" if len(stated) > 1 else "model"
        grounded.values[Field.MONTHLY_DEBT] = _value(
            Field.MONTHLY_DEBT, Decimal(total), stated, note
        )
        return
    if facts.no_debt_statement is not None:
        span = locate(grounded.text, facts.no_debt_statement.source_text)
        if span is None:
            missing = "the model's 'no debt' statement is not in the text"
            grounded.failures.append(f"monthly debt payments: {missing}")
            grounded.unsure[Field.MONTHLY_DEBT] = missing
            return
        grounded.values[Field.MONTHLY_DEBT] = ExtractedValue(
            Field.MONTHLY_DEBT, Decimal(0), (span,), note="model: no debt stated"
        )


def _requested(grounded: Grounded, quote: AmountQuote | None) -> None:
    if quote is None:
        return
    stated = _amount(grounded, Field.REQUESTED_AMOUNT, quote)
    if stated is None:
        grounded.unsure[Field.REQUESTED_AMOUNT] = "the amount the model gave is not in the text"
    elif stated.period is not None:
        grounded.unsure[Field.REQUESTED_AMOUNT] = "the requested amount is stated per period"
    else:
        grounded.values[Field.REQUESTED_AMOUNT] = _value(
            Field.REQUESTED_AMOUNT, stated.amount, [stated], "model: requested"
        )


def _text_value(grounded: Grounded, name: Field, quote: TextQuote | None) -> None:
    if quote is None or not quote.value.strip():
        return
    span = locate(grounded.text, quote.source_text)
    value = " ".join(quote.value.split())
    if span is None or value.casefold() not in " ".join(span.text.split()).casefold():
        grounded.failures.append(f"{FIELD_LABELS[name]}: {quote.value!r} is not in the text")
        return
    grounded.values[name] = ExtractedValue(name, value, (span,), note="model")


def _number_value(
    grounded: Grounded, name: Field, quote: NumberQuote | None, *, years_as_months: bool
) -> None:
    if quote is None:
        return
    span = locate(grounded.text, quote.source_text)
    stated = numbers_in(span.text) if span else set()
    if span is not None and years_as_months and _YEARS.search(span.text):
        stated |= {number * 12 for number in stated}
    if span is None or quote.value not in stated:
        grounded.failures.append(f"{FIELD_LABELS[name]}: {quote.value} is not in the text")
        return
    grounded.values[name] = ExtractedValue(name, quote.value, (span,), note="model")


def _currency(grounded: Grounded) -> None:
    stated = [item for value in grounded.values.values() for item in value.stated if item.currency]
    codes = {item.currency for item in stated}
    if len(codes) > 1:
        grounded.unsure[Field.CURRENCY] = "the amounts are in more than one currency"
    elif codes:
        spans = tuple(dict.fromkeys(item.span for item in stated))
        grounded.values[Field.CURRENCY] = ExtractedValue(
            Field.CURRENCY, str(codes.pop()), spans, note="model: currency stated"
        )


def _value(name: Field, value: Decimal, stated: list[StatedAmount], note: str) -> ExtractedValue:
    return ExtractedValue(name, value, tuple(item.span for item in stated), tuple(stated), note)
