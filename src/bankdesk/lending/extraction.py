"""The offline extractor: borrower text to application fields, each grounded in a span.

Precision over recall: a field the text does not state unambiguously is left empty and the
reason is recorded, so the case asks for information instead of deciding on a guess.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from bankdesk.domain.application import ExtractedValue, Extraction, Field, Span, StatedAmount
from bankdesk.domain.money import Period, monthly_amount
from bankdesk.lending.amounts import currencies_named
from bankdesk.lending.cues import Role, Sentences
from bankdesk.lending.identities import find_identities
from bankdesk.lending.mentions import Mention, classify
from bankdesk.lending.no_debt import no_debt_statements
from bankdesk.lending.qualifiers import Qualifier

Found = ExtractedValue | str  # a value, or the reason the field was left empty

# Income that is not the borrower's current figure is dropped: counting less income can never
# approve more. A bound or a range on income leaves it unreadable instead, since dropping one
# end would keep the other as if it were the figure.
_INCOME_DROPS = frozenset(
    {
        Qualifier.NEGATED,
        Qualifier.PAST,
        Qualifier.HYPOTHETICAL,
        Qualifier.QUESTION,
        Qualifier.SOMEONE_ELSE,
    }
)
_INCOME_DOUBTS = frozenset({Qualifier.BOUND, Qualifier.PER_ITEM})
# Qualifiers that leave a debt or a request unreadable.
_DEBT_DOUBTS = frozenset(Qualifier) - {Qualifier.WITH_RENT}
_REQUEST_DOUBTS = frozenset(
    {Qualifier.NEGATED, Qualifier.PAST, Qualifier.BOUND, Qualifier.PER_ITEM}
)
# A restatement marked as approximate may differ by this share of the first figure.
_APPROXIMATE_TOLERANCE = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class _Text:
    """One text with its sentences and classified amounts."""

    text: str
    sentences: Sentences
    mentions: list[Mention]

    def of(self, role: Role) -> list[Mention]:
        return [mention for mention in self.mentions if mention.role is role]


def extract_application(text: str) -> Extraction:
    """Extract loan application fields from free text without any model."""
    sentences = Sentences(text)
    source = _Text(text, sentences, classify(text, sentences))
    values: dict[Field, ExtractedValue] = {}
    unsure: dict[Field, str] = {}
    for name, found in (
        (Field.INCOME, _income(source)),
        (Field.MONTHLY_DEBT, _monthly_debt(source)),
        (Field.REQUESTED_AMOUNT, _requested_amount(source)),
    ):
        _keep(name, found, values, unsure)
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


def _grounded(name: Field, value: Decimal, mentions: list[Mention], note: str) -> ExtractedValue:
    stated = tuple(
        StatedAmount(m.money.amount, m.money.currency, m.period, m.money.span) for m in mentions
    )
    return ExtractedValue(name, value, tuple(item.span for item in stated), stated, note)


def _monthly(mention: Mention) -> Decimal | None:
    """The amount per month, or None when its period is unknown or does not convert."""
    period = mention.period
    if period is None or period is Period.HOURLY:
        return None
    return monthly_amount(mention.money.amount, period)


def _ambiguous(mentions: list[Mention], what: str) -> str | None:
    unclear = [m.money.span.text for m in mentions if m.money.ambiguous]
    if unclear:
        return f"the {what} {', '.join(unclear)} can be read more than one way"
    return None


def _income(source: _Text) -> Found | None:
    stated = source.of(Role.INCOME)
    if doubts := sorted({str(q) for m in stated for q in m.qualifiers & _INCOME_DOUBTS}):
        return "income is stated as " + " / ".join(doubts)
    current = [m for m in stated if not m.qualifiers & _INCOME_DROPS]
    if not current:
        if not stated:
            return None
        kinds = sorted({str(q) for m in stated for q in m.qualifiers})
        return "the income stated is not the borrower's current income (" + ", ".join(kinds) + ")"
    if unclear := _ambiguous(current, "income"):
        return unclear
    if any(m.period is Period.HOURLY for m in current):
        return "income is stated per hour; monthly hours are not known"
    if any(m.period is None for m in current):
        return "income is stated without saying whether it is monthly or annual"
    first, *others = current
    base = _monthly(first) or Decimal(0)
    restated = [m for m in others if m.restatement]
    if any(not _same_figure(base, m) for m in restated):
        return "the text gives different figures for the same income"
    added = [m for m in others if not m.restatement]
    if added and not all(m.additive for m in added):
        return "the text states different incomes without saying they add up"
    parts = [first, *added]
    total = sum((_monthly(m) or Decimal(0) for m in parts), Decimal(0))
    note = f"sum of {len(parts)} income sources; " if added else ""
    note += "monthly from " + ", ".join(f"{m.money.span.text} {m.period}" for m in parts)
    return _grounded(Field.INCOME, total, parts, note)


def _same_figure(base: Decimal, restatement: Mention) -> bool:
    """Whether a restatement ("so $7,000 a month") gives the same monthly figure."""
    figure = _monthly(restatement)
    if figure is None:
        return False
    tolerance = base * _APPROXIMATE_TOLERANCE if restatement.approximate else Decimal(1)
    return abs(figure - base) <= tolerance


def _monthly_debt(source: _Text) -> Found | None:
    debts = source.of(Role.DEBT)
    no_debt = no_debt_statements(source.text, source.sentences, source.mentions)
    if not debts:
        if no_debt is None:
            return None
        if not no_debt.usable or no_debt.other:
            return "the text's statement that there is no debt is qualified or contradicted"
        return ExtractedValue(Field.MONTHLY_DEBT, Decimal(0), no_debt.spans, note="no debt stated")
    if no_debt is not None and not no_debt.other:
        return "the text says there is no debt but also states debt payments"
    if doubts := sorted({str(q) for m in debts for q in m.qualifiers & _DEBT_DOUBTS}):
        return "a debt payment is stated " + " / ".join(doubts)
    if any(Qualifier.WITH_RENT in m.qualifiers for m in debts):
        return "a debt payment is stated together with rent, which is not a debt"
    if unclear := _ambiguous(debts, "debt payment"):
        return unclear
    if any(m.period is Period.HOURLY for m in debts):
        return "a debt payment is stated per hour"
    return _debt_total(debts)


def _debt_total(debts: list[Mention]) -> Found:
    items = [m for m in debts if not m.total]
    totals = [m for m in debts if m.total]
    items_sum = sum((_payment(m) for m in items), Decimal(0))
    if totals:
        total_values = {_payment(m) for m in totals}
        if len(total_values) > 1 or (items and items_sum not in total_values):
            return "the listed debt payments do not add up to the stated total"
        return _grounded(Field.MONTHLY_DEBT, total_values.pop(), totals, "stated total")
    return _grounded(Field.MONTHLY_DEBT, items_sum, items, _debt_note(items))


def _payment(mention: Mention) -> Decimal:
    """A debt payment per month; a payment stated without a period is taken as monthly."""
    monthly = _monthly(mention)
    return mention.money.amount if monthly is None else monthly


def _debt_note(items: list[Mention]) -> str:
    assumed = [m.money.span.text for m in items if m.period is None]
    note = f"sum of {len(items)} monthly payments" if len(items) > 1 else "monthly payment"
    if assumed:
        note += "; taken as monthly (no period stated): " + ", ".join(assumed)
    return note


def _requested_amount(source: _Text) -> Found | None:
    requests = source.of(Role.REQUEST)
    if not requests:
        return None
    if doubts := sorted({str(q) for m in requests for q in m.qualifiers & _REQUEST_DOUBTS}):
        return "the requested amount is stated " + " / ".join(doubts)
    if any(m.period is not None for m in requests):
        return "the requested amount is stated per period, not as one sum"
    if unclear := _ambiguous(requests, "requested amount"):
        return unclear
    if len({m.money.amount for m in requests}) > 1:
        return "the text names more than one requested amount"
    return _grounded(Field.REQUESTED_AMOUNT, requests[0].money.amount, requests[:1], "requested")


_CURRENCY_LABEL = re.compile(r"(?im)^[ \t]*currency[ \t]*[:=][ \t]*(?P<code>[A-Z]{3})\b")


def _currency(text: str, values: dict[Field, ExtractedValue]) -> Found | None:
    """The currency the amounts are in; every currency the text names must agree."""
    stated = [item for value in values.values() for item in value.stated if item.currency]
    named = [(str(item.currency), item.span) for item in stated] + currencies_named(text)
    named += [
        (label["code"], Span(label.start("code"), label.end("code"), label["code"]))
        for label in _CURRENCY_LABEL.finditer(text)
    ]
    codes = {code for code, _ in named}
    if not codes:
        return None
    if len(codes) > 1 or "?" in codes:
        shown = ", ".join(sorted(codes - {"?"})) or "conflicting markers"
        return f"the text names more than one currency: {shown}"
    spans = tuple(dict.fromkeys(span for _, span in named))
    return ExtractedValue(Field.CURRENCY, codes.pop(), spans, note="currency stated")
