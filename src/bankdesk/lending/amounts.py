"""Find money amounts in borrower text, exactly as stated, with their spans."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bankdesk.domain.application import Span

CURRENCY_BY_MARKER: dict[str, str] = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "c$": "CAD", "ca$": "CAD", "cad": "CAD",
    "a$": "AUD", "au$": "AUD", "aud": "AUD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
}  # fmt: skip
MULTIPLIERS: dict[str, Decimal] = {
    "k": Decimal(1000), "grand": Decimal(1000), "thousand": Decimal(1000),
    "m": Decimal(1_000_000), "mm": Decimal(1_000_000), "mil": Decimal(1_000_000),
    "million": Decimal(1_000_000),
}  # fmt: skip

_MONEY = re.compile(
    r"""
    (?<![\w.\-/#])                                  # not inside an id, phone or date
    (?P<pre>US\$|CA?\$|AU?\$|\$|€|£|(?:USD|EUR|GBP|CAD|AUD)\s?)?
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
    (?:\s?(?P<mult>k|K|grand|thousand|mm|mil|million|m|M)(?![A-Za-z]))?
    (?:\s?(?P<post>USD|EUR|GBP|CAD|AUD|dollars?|bucks|euros?|pounds?)(?![A-Za-z]))?
    (?:\s+and\s+(?P<cents>\d{1,2})\s+cents)?
    (?![\w\-]|[.,]\d|\s?%|\s?percent)               # not a fragment, not a percentage
    (?!/(?!\s?(?:mo|month|yr|year|wk|week|hr|hour)\b))  # a slash only as in "$4,000/month"
    """,
    re.VERBOSE,
)
# A bare number is money only directly after a label such as "Monthly income:", or when a
# period follows it at once, as in "7200/month" or "7200 a month".
_RATE_AFTER = re.compile(
    r"\s?(?:/\s?(?:mo|month|yr|year|wk|week)\b|(?:a|per|each|every)\s+(?:month|year|week)\b"
    r"|(?:monthly|annually|yearly|weekly|bi-?weekly)\b)",
    re.IGNORECASE,
)
_LABEL_BEFORE = re.compile(r"(?P<label>[A-Za-z][A-Za-z '\u2019()/-]{0,40}?)\s*[:=]\s*$")
_MONEY_LABEL_WORDS = re.compile(
    r"income|salary|wages?|earn|pay|debt|obligation|amount|loan|borrow|request|rent|mortgage",
    re.IGNORECASE,
)
_NON_MONEY_LABEL_WORDS = re.compile(
    r"\b(?:id|no|number|ref|reference|phone|tel|mobile|zip|postal|code|ssn|age|years?|"
    r"months?|term|date|score|address|apt|unit)\b|#",
    re.IGNORECASE,
)


# Digits a stated amount may have: enough for any real figure, few enough that exact
# Decimal arithmetic (28 digits) and the policy engine never have to round it.
MAX_WHOLE_DIGITS = 15
MAX_FRACTION_DIGITS = 4


@dataclass(frozen=True, slots=True)
class MoneyMention:
    """One amount as written: value, currency (None when unmarked) and where it is."""

    amount: Decimal
    currency: str | None
    span: Span


def find_money(text: str) -> list[MoneyMention]:
    """Every amount in the text that is marked as money or stands after a money label."""
    mentions = []
    for match in _MONEY.finditer(text):
        pre, mult, post = match["pre"], match["mult"], match["post"]
        if mult in {"m", "M", "mm", "mil"} and not pre:
            continue  # "5m" is as likely minutes or metres as millions without a currency sign
        if not (pre or mult or post or _rate_follows(text, match.end())) and not _after_money_label(
            text, match.start()
        ):
            continue
        amount = _amount(match["num"], mult, match["cents"])
        if amount is None:
            continue
        currency = _currency(pre) or _currency(post)
        span = Span(match.start(), match.end(), match.group(0))
        mentions.append(MoneyMention(amount=amount, currency=currency, span=span))
    return mentions


def _amount(number: str, multiplier: str | None, cents: str | None) -> Decimal | None:
    whole, _, fraction = number.replace(",", "").partition(".")
    if len(whole) > MAX_WHOLE_DIGITS or len(fraction) > MAX_FRACTION_DIGITS:
        return None  # no borrower states money like this; reading it would be a guess
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    if multiplier:
        value *= MULTIPLIERS[multiplier.lower()]
    if cents:
        value += Decimal(cents) / 100
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _currency(marker: str | None) -> str | None:
    if not marker:
        return None
    return CURRENCY_BY_MARKER.get(marker.strip().lower())


def _rate_follows(text: str, end: int) -> bool:
    return _RATE_AFTER.match(text, end) is not None


def _after_money_label(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    label = _LABEL_BEFORE.search(text, line_start, start)
    if label is None:
        return False
    words = label["label"]
    return bool(_MONEY_LABEL_WORDS.search(words)) and not _NON_MONEY_LABEL_WORDS.search(words)
