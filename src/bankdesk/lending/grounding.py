"""Check a model's facts against the borrower's text and turn them into an extraction.

Every value must come with source text that is in the borrower's message and that states
the value: the number (or name, or id) must be in it, a currency it marks must match, a
period it names must match. A value that fails is dropped and the failure recorded. A
dropped debt payment or requested amount leaves its field unreadable rather than smaller,
since a smaller debt could only make an approval more likely.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bankdesk.domain.application import ExtractedValue, Extraction, Field, Span, StatedAmount
from bankdesk.domain.money import Period, monthly_amount
from bankdesk.lending.amounts import (
    MAX_FRACTION_DIGITS,
    MAX_WHOLE_DIGITS,
    MULTIPLIERS,
    currencies_named,
    find_money,
)
from bankdesk.lending.cues import Sentences, periods_in
from bankdesk.lending.facts import AmountQuote, LoanFacts, NumberQuote, TextQuote, unclear_fields
from bankdesk.lending.guardrails import FIELD_LABELS
from bankdesk.lending.no_debt import NO_DEBT

_NUMBER = re.compile(
    r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<mult>k|grand|thousand|mm|mil|million|m)(?![a-z]))?",
    re.IGNORECASE,
)
_YEARS = re.compile(r"\b(?:years?|yrs?)\b", re.IGNORECASE)
_MONTHS = re.compile(r"\b(?:months?|mos?)\b", re.IGNORECASE)
# How far after a quoted amount its period may be stated ("$1,800 | a week"): up to the end of
# its clause or the next amount.
_TRAILING = re.compile(r"[^.;,\n\d$€£¥]{0,30}")


# The longest text and the largest numbers a field holds (the columns they are stored in).
TEXT_LIMITS = {Field.LOAN_ID: 64, Field.BORROWER_NAME: 200, Field.PURPOSE: 200}
NUMBER_LIMITS = {Field.EMPLOYMENT_YEARS: Decimal(80), Field.TERM_MONTHS: Decimal(600)}


@dataclass(slots=True)
class Grounded:
    """The model's facts that the text supports, and every one it does not."""

    text: str
    sentences: Sentences
    values: dict[Field, ExtractedValue] = field(default_factory=dict)
    unsure: dict[Field, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def find(self, label: str, quote: str, taken: Collection[Span] = ()) -> Span | None:
        """Where a quote stands in the text, or None (and a recorded failure) if nowhere
        usable: not in the text, only where already used, or in an instruction sentence."""
        span = locate(self.text, quote, taken)
        if span is None:
            self.failures.append(f"{label}: {quote!r} is not in the text")
            return None
        if self.sentences.is_instruction(span.start):
            # The offline reader takes no fact from such a sentence; neither may the model.
            self.failures.append(f"{label}: {quote!r} is in a sentence that gives instructions")
            return None
        return span

    @property
    def extraction(self) -> Extraction:
        """The grounded values as an extraction, like the offline extractor's."""
        return Extraction(text=self.text, values=dict(self.values), unsure=dict(self.unsure))


def ground_facts(text: str, facts: LoanFacts) -> Grounded:
    """Keep the facts the text states; record the rest as grounding failures."""
    grounded = Grounded(text, Sentences(text))
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
    _number_value(grounded, Field.EMPLOYMENT_YEARS, facts.employment_years)
    _number_value(grounded, Field.TERM_MONTHS, facts.term_months)
    _currency(grounded)
    for name, reason in unclear_fields(facts).items():
        grounded.values.pop(name, None)
        grounded.unsure[name] = f"the model could not read it clearly: {reason}"
    return grounded


def locate(text: str, quote: str, taken: Collection[Span] = ()) -> Span | None:
    """The first place the quoted text stands in the text (ignoring case and spacing) that
    is not already taken, so one statement quoted twice is found only once."""
    words = quote.split()
    if not words:
        return None
    # A quote stands on word boundaries: "0" is not found inside "$7200", nor "9000" in "90001".
    before = r"(?<!\w)" if words[0][0].isalnum() else ""
    after = r"(?!\w)" if words[-1][-1].isalnum() else ""
    body = r"\s+".join(re.escape(word) for word in words)
    loose = re.compile(before + body + after, re.IGNORECASE)
    for found in loose.finditer(text):
        span = Span(found.start(), found.end(), found.group(0))
        if span not in taken:
            return span
    return None


def numbers_in(quote: str) -> set[Decimal]:
    """Every number a piece of text states, with "k", "grand" and "million" applied."""
    numbers = set()
    for match in _NUMBER.finditer(quote):
        whole, _, fraction = match["num"].replace(",", "").partition(".")
        if len(whole) > MAX_WHOLE_DIGITS or len(fraction) > MAX_FRACTION_DIGITS:
            continue  # beyond what any borrower states, as the offline reader also holds
        try:
            value = Decimal(match["num"].replace(",", ""))
        except InvalidOperation:
            continue
        numbers.add(value)
        if match["mult"]:
            numbers.add(value * MULTIPLIERS[match["mult"].lower()])
    return numbers


def _amounts(grounded: Grounded, name: Field, quotes: list[AmountQuote]) -> list[StatedAmount]:
    stated: list[StatedAmount] = []
    for quote in quotes:
        taken = [item.span for item in stated]
        amount = _amount(grounded, name, quote, taken=taken, recurring=True)
        if amount is not None:
            stated.append(amount)
    return stated


def _amount(
    grounded: Grounded,
    name: Field,
    quote: AmountQuote,
    taken: Collection[Span] = (),
    *,
    recurring: bool = False,
) -> StatedAmount | None:
    """The quoted amount if its text states it; a recurring amount (income, a debt payment)
    also takes the period stated right after the quote ("$1,800 | every week")."""
    label = FIELD_LABELS[name]
    span = grounded.find(label, quote.source_text, taken)
    if span is None:
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
    quoted = periods_in(span.text)
    trailing = _TRAILING.match(grounded.text, span.end)
    named = quoted or periods_in(trailing.group(0) if trailing else "")
    period = Period(quote.period) if quote.period else None
    if named and period is not None and period not in named:
        grounded.failures.append(f"{label}: {span.text!r} is not {period}")
        return None
    # What the text marks wins over what the model left out.
    if period is None and len(quoted if not recurring else named) == 1:
        period = next(iter(quoted if not recurring else named))
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
        label = FIELD_LABELS[Field.MONTHLY_DEBT]
        span = grounded.find(label, facts.no_debt_statement.source_text)
        if span is not None and not NO_DEBT.search(span.text):
            grounded.failures.append(f"{label}: {span.text!r} does not say there is no debt")
            span = None
        if span is None:
            grounded.unsure[Field.MONTHLY_DEBT] = "the model's 'no debt' statement is not usable"
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
    span = grounded.find(FIELD_LABELS[name], quote.source_text)
    value = " ".join(quote.value.split())
    if span is None:
        return
    if len(value) > TEXT_LIMITS[name]:
        grounded.failures.append(
            f"{FIELD_LABELS[name]}: longer than {TEXT_LIMITS[name]} characters"
        )
        return
    if value.casefold() not in " ".join(span.text.split()).casefold():
        grounded.failures.append(f"{FIELD_LABELS[name]}: {quote.value!r} is not in the text")
        return
    grounded.values[name] = ExtractedValue(name, value, (span,), note="model")


def _number_value(grounded: Grounded, name: Field, quote: NumberQuote | None) -> None:
    """Years employed, or a term in months: the number must be stated in that unit (a term
    stated in years counts twelve months a year)."""
    if quote is None:
        return
    label = FIELD_LABELS[name]
    span = grounded.find(label, quote.source_text)
    if span is None:
        return
    numbers = numbers_in(span.text)
    years, months = bool(_YEARS.search(span.text)), bool(_MONTHS.search(span.text))
    if name is Field.TERM_MONTHS:
        stated = {n * 12 for n in numbers} if years and not months else numbers
    else:
        stated = set() if months and not years else numbers
    if quote.value not in stated:
        grounded.failures.append(f"{label}: {quote.value} is not what {span.text!r} states")
        return
    if not 0 <= quote.value <= NUMBER_LIMITS[name]:
        grounded.failures.append(f"{label}: {quote.value} is not plausible")
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
