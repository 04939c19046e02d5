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
    "¥": "JPY", "jpy": "JPY", "yen": "JPY",
    "₹": "INR", "inr": "INR", "rupee": "INR", "rupees": "INR",
    "chf": "CHF", "franc": "CHF", "francs": "CHF",
    "cny": "CNY", "yuan": "CNY", "renminbi": "CNY",
    "mxn": "MXN", "peso": "MXN", "pesos": "MXN",
    "₩": "KRW", "krw": "KRW", "₽": "RUB", "rub": "RUB", "₺": "TRY", "try": "TRY",
    "nzd": "NZD", "sek": "SEK", "nok": "NOK", "dkk": "DKK", "pln": "PLN", "zł": "PLN",
    "sgd": "SGD", "hkd": "HKD", "zar": "ZAR", "brl": "BRL", "r$": "BRL",
}  # fmt: skip
# Currency words a text may name away from any amount ("800,000 a month (yen)"). English
# words that are also currencies ("pounds" of weight, "won", "real") are left out.
_CURRENCY_WORDS = re.compile(
    r"(?<![\w$])(?:USD|EUR|GBP|CAD|AUD|JPY|INR|CHF|CNY|MXN|KRW|RUB|NZD|SEK|NOK|DKK|PLN|SGD|HKD"
    r"|ZAR|BRL)(?!\w)|[€£¥₹₩₽₺]|\b(?:dollars?|bucks|euros?|yen|rupees?|francs?|yuan|renminbi"
    r"|pesos?)\b",
    re.IGNORECASE,
)
_CODES = r"USD|EUR|GBP|CAD|AUD|JPY|INR|CHF|CNY|MXN|KRW|RUB|NZD|SEK|NOK|DKK|PLN|SGD|HKD|ZAR|BRL"
MULTIPLIERS: dict[str, Decimal] = {
    "k": Decimal(1000), "grand": Decimal(1000), "thousand": Decimal(1000),
    "m": Decimal(1_000_000), "mm": Decimal(1_000_000), "mil": Decimal(1_000_000),
    "million": Decimal(1_000_000),
}  # fmt: skip

_MONEY = re.compile(
    r"""
    (?<![\w.\-/#$€£¥₹₩₽])                           # not inside an id, phone, date or "$-$"
    (?:(?P<pre>US\$|CA?\$|AU?\$|R\$|\$|€|£|¥|₹|₩|₽|{codes})\s?)?
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
    (?:\s?(?P<mult>k|K|grand|thousand|mm|mil|million|m|M)(?![A-Za-z]))?
    (?:\s?(?P<post>(?:{codes})|dollars?|bucks|euros?|pounds?|yen|rupees?|francs?|yuan
        |pesos?|€|£|¥|₹|zł)(?![A-Za-z]))?
    (?:\s+and\s+(?P<cents>\d{1,2})\s+cents)?
    (?![\w\-]|[.,]\d|\s?%|\s?percent)               # not a fragment, not a percentage
    (?!/(?!\s?(?:mo|month|yr|year|wk|week|hr|hour)\b))  # a slash only as in "$4,000/month"
    """.replace("{codes}", _CODES),
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


# "45 500" and "45.000" group thousands with a space or a full stop, or are two numbers, or a
# decimal: the figure cannot be read with certainty.
_SPACE_GROUP_BEFORE = re.compile(r"(?<![\d,.])\d{1,3}(?:[ \u00a0]\d{3})*[ \u00a0]$")
_DOT_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_RETIREMENT_PLAN = re.compile(r"^40[13] ?\(?[kb]\)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MoneyMention:
    """One amount as written: value, currency (None when unmarked) and where it is.

    An ambiguous mention is money whose figure cannot be read with certainty; it is kept so
    the field it belongs to is left empty instead of taking a wrong figure.
    """

    amount: Decimal
    currency: str | None
    span: Span
    ambiguous: bool = False


def find_money(text: str) -> list[MoneyMention]:
    """Every amount in the text that is marked as money or stands after a money label."""
    mentions = []
    for match in _MONEY.finditer(text):
        pre, mult, post = match["pre"], match["mult"], match["post"]
        if mult in {"m", "M", "mm", "mil"} and not pre:
            continue  # "5m" is as likely minutes or metres as millions without a currency sign
        if not pre and _RETIREMENT_PLAN.match(match.group(0)):
            continue  # a 401(k) is a retirement plan, not $401,000
        if not (pre or mult or post or _rate_follows(text, match.end())) and not _after_money_label(
            text, match.start()
        ):
            continue
        amount = _amount(match["num"], mult, match["cents"])
        if amount is None:
            continue
        start = match.start()
        grouped = _SPACE_GROUP_BEFORE.search(text, max(0, start - 12), start)
        if grouped and len(match["num"]) == 3:
            start = grouped.start()
        ambiguous = start != match.start() or (not mult and bool(_DOT_GROUPED.match(match["num"])))
        currency = _currency_of(pre, post)
        span = Span(start, match.end(), text[start : match.end()])
        mentions.append(MoneyMention(amount, currency, span, ambiguous or currency == "?"))
    return mentions


def currencies_named(text: str) -> list[tuple[str, Span]]:
    """Every currency the text names, as an ISO code with where it is named."""
    return [
        (CURRENCY_BY_MARKER[match.group(0).lower()], Span(match.start(), match.end(), match[0]))
        for match in _CURRENCY_WORDS.finditer(text)
    ]


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


def _currency_of(pre: str | None, post: str | None) -> str | None:
    """The currency of one amount; "?" when its two markers disagree ("US$ 5 EUR")."""
    before, after = _currency(pre), _currency(post)
    if before and after and before != after:
        # A bare "$" is named by the code after it ("$30,000 CAD"); anything else conflicts.
        return after if pre and pre.strip() == "$" else "?"
    return before or after


def _rate_follows(text: str, end: int) -> bool:
    return _RATE_AFTER.match(text, end) is not None


def _after_money_label(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    label = _LABEL_BEFORE.search(text, line_start, start)
    if label is None:
        return False
    words = label["label"]
    return bool(_MONEY_LABEL_WORDS.search(words)) and not _NON_MONEY_LABEL_WORDS.search(words)
