"""What a customer's message says about a transaction: when, how much, where, how, and why.

Times are read relative to the clock the agent is given, in UTC: the bank does not know
the customer's time zone, so matching allows some slack around every window it reads.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

DAY = timedelta(days=1)
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH = "(" + "|".join((*MONTHS, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept", "sep",
                        "oct", "nov", "dec")) + r")\b\.?"  # fmt: skip
COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "a couple of": 2}  # fmt: skip
COUNT = r"(\d{1,2}|a couple of|a few|an?|one|two|three|four|five|six|seven)"
CURRENCIES = {"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
              "bucks": "USD", "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
              "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "cad": "CAD",
              "uah": "UAH", "mxn": "MXN"}  # fmt: skip
AMOUNT = re.compile(
    r"(?P<pre>us\$|[$€£]|\b(?:usd|eur|gbp|cad|uah|mxn)\b)?\s?"
    r"(?<![\d.,])(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)(?![\d,])"
    r"(?:\s?(?P<post>usd|eur|gbp|cad|uah|mxn|dollars?|bucks|euros?|pounds?)\b)?"
)
TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}\s?(?:am|pm)?\b|\b\d{1,2}(?:\.\d{2})?\s?(?:am|pm)\b")
# Code, the name used in replies, the country's names, and what it is called as an adjective
# ("a Ukrainian website"). Adjectives count only before a word such as "website": alone they
# are often food or a language ("a Thai restaurant"). Names that are also first names, US
# states or everyday words (Jordan, Georgia, turkey, china) need "in", "from" or "to".
COUNTRIES = (
    ("US", "the United States", "united states|usa", ""),
    ("CA", "Canada", "canada", "canadian"), ("MX", "Mexico", "mexico", "mexican"),
    ("GB", "the United Kingdom", "united kingdom|uk|britain|england", "british|english"),
    ("IE", "Ireland", "ireland", "irish"), ("FR", "France", "france", "french"),
    ("DE", "Germany", "germany", "german"), ("ES", "Spain", "spain", "spanish"),
    ("IT", "Italy", "italy", "italian"), ("NL", "the Netherlands", "netherlands|holland", "dutch"),
    ("PL", "Poland", "poland", "polish"), ("PT", "Portugal", "portugal", "portuguese"),
    ("UA", "Ukraine", "ukraine", "ukrainian"), ("RU", "Russia", "russia", "russian"),
    ("RO", "Romania", "romania", "romanian"), ("TR", "Turkey", "(?:in|from|to) turkey", "turkish"),
    ("NG", "Nigeria", "nigeria", "nigerian"), ("ZA", "South Africa", "south africa", ""),
    ("IN", "India", "india", "indian"), ("CN", "China", "(?:in|from|to) china", "chinese"),
    ("HK", "Hong Kong", "hong kong", ""), ("JP", "Japan", "japan", "japanese"),
    ("PH", "the Philippines", "philippines", "filipino"), ("VN", "Vietnam", "vietnam", ""),
    ("TH", "Thailand", "thailand", "thai"), ("SG", "Singapore", "singapore", ""),
    ("AE", "the United Arab Emirates", "united arab emirates|uae", ""),
    ("BR", "Brazil", "brazil", "brazilian"), ("AR", "Argentina", "argentina", ""),
    ("CO", "Colombia", "colombia", "colombian"), ("AU", "Australia", "australia", "australian"),
)  # fmt: skip
ADJECTIVE_BEFORE = r"\s+(?:website|site|web ?shop|shop|store|merchant|company|seller|number|ip)\b"
COUNTRY_CUES = {
    code: re.compile(
        rf"\b(?:{names})\b" + (rf"|\b(?:{adjectives}){ADJECTIVE_BEFORE}" if adjectives else "")
    )
    for code, _name, names, adjectives in COUNTRIES
}
COUNTRY_NAMES = {code: name for code, name, _names, _adjectives in COUNTRIES}
ABROAD = re.compile(r"\b(abroad|overseas|foreign|internationa(l|lly)|another country|"
                    r"out of (the )?country|outside (the )?(us|usa|country))\b")  # fmt: skip
CHANNEL_CUES = {
    "online": re.compile(r"\b(online|internet|web ?site|e-?commerce|web shop)\b"),
    "atm": re.compile(r"\b(atm|cash machine|cashpoint|cash withdrawal|withdrawal)\b"),
    "contactless": re.compile(r"\b(contactless|tap to pay|tapped)\b"),
    "card_present": re.compile(r"\b(in[- ]store|in person|at the till|swiped|chip and pin)\b"),
    "direct_debit": re.compile(r"\b(direct debit|autopay|standing order)\b"),
    "transfer": re.compile(r"\b(transfer|wire|zelle|sent money)\b"),
}
CARD = re.compile(r"\bcard\b")
DUPLICATE = re.compile(
    r"\b(twice|double[- ]?charged|double[- ]?billed|charged double|duplicated?|"
    r"(charged|billed|taken) (two|2|three|3) times|same (payment|charge) (two|2) times)\b"
)
UNFAMILIAR = re.compile(
    r"\b(unfamiliar|unrecogni[sz]ed|unknown (payment|charge|transaction|merchant)|"
    r"(don'?t|do not|didn'?t|did not|can'?t|cannot) (recogni[sz]e|make|authori[sz]e|remember)|"
    r"not mine|never made|unauthori[sz]ed|fraud(ulent)?|suspicious|wasn'?t me|not me)\b"
)
WORD = re.compile(r"[a-z0-9]+")
NEGATORS = frozenset({"not", "no", "never", "without", "nor", "neither", "nothing", "none"})
CLAUSE_BREAK = re.compile(r"[.;:!?,()\n]|\bbut\b|\bhowever\b", re.IGNORECASE)
CLAUSE_WORD = re.compile(r"[a-z']+")
NEGATION_REACH = 6  # words
STOPWORDS = frozenset(
    "the and for you your our was were are has have had not but this that with from into "
    "what when where which who why how there their them they his her she him its it's can "
    "could would should will just also very some any all one two three four five six seven "
    "eight nine ten last night yesterday today morning evening afternoon tonight week weeks "
    "month months day days ago card cards payment payments charge charged charges paid pay "
    "transaction transactions purchase purchases dispute disputing disputed account bank "
    "money amount dollars usd euros refund please help want need saw see seen think know "
    "made make did didn don't dont recognise recognize unfamiliar unknown fraud fraudulent "
    "suspicious stolen lost debit credit online store shop twice double duplicate back "
    "about there here then than been being got get same other another someone somebody "
    "abroad overseas foreign monday tuesday wednesday thursday friday saturday sunday".split()
) | frozenset(MONTHS)


@dataclass(frozen=True, slots=True)
class Window:
    """A span of time a message points at: [start, end), with the words that named it."""

    start: datetime
    end: datetime
    label: str

    def gap(self, moment: datetime) -> timedelta:
        """How far a moment lies outside the window (zero inside it)."""
        if moment < self.start:
            return self.start - moment
        if moment >= self.end:
            return moment - self.end
        return timedelta(0)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount a message names, with its currency when the message gives one."""

    amount: Decimal
    currency: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Clues:
    """Everything a message says that can single out a transaction."""

    windows: tuple[Window, ...] = ()
    amounts: tuple[Money, ...] = ()
    words: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    abroad: bool = False
    channels: frozenset[str] = frozenset()
    card_payment: bool = False
    duplicate: bool = False
    unfamiliar: bool = False

    @property
    def specific(self) -> bool:
        """Whether the message gives a time, amount, place, channel or a double charge."""
        return bool(
            self.windows
            or self.amounts
            or self.countries
            or self.abroad
            or self.channels
            or self.duplicate
        )


def says_unfamiliar(message: str) -> bool:
    """Whether the customer says they do not recognise a payment (or suspect fraud)."""
    return bool(UNFAMILIAR.search(_plain(message)))


def _plain(message: str) -> str:
    return " ".join(message.lower().replace("\u2019", "'").split())


def read_clues(message: str, *, now: datetime) -> Clues:
    """Read the time, amount, place, channel and kind of complaint a message gives."""
    text = _plain(message)
    windows, text = _windows(text, now=now.astimezone(UTC))
    text = TIME_OF_DAY.sub(" ", text)
    amounts, text = _amounts(text)
    return Clues(
        windows=windows,
        amounts=amounts,
        words=word_forms(text),
        countries=frozenset(code for code, cue in COUNTRY_CUES.items() if cue.search(text)),
        abroad=bool(ABROAD.search(text)),
        channels=frozenset(channel for channel, cue in CHANNEL_CUES.items() if cue.search(text)),
        card_payment=bool(CARD.search(text)),
        duplicate=bool(DUPLICATE.search(text)),
        unfamiliar=bool(UNFAMILIAR.search(text)),
    )


def word_forms(text: str) -> frozenset[str]:
    """The words of a text that may name a merchant, with adjacent pairs run together so
    that "electro mart" can meet "ELECTRO-MART"."""
    words = [word for word in WORD.findall(text) if not word.isdigit()]
    squashed = ["".join(WORD.findall(token)) for token in text.split()]
    pairs = [
        first + second
        for first, second in pairwise(words)
        if first not in STOPWORDS and second not in STOPWORDS
    ]
    return frozenset(
        form
        for form in (*words, *squashed, *pairs)
        if len(form) >= 3 and not form.isdigit() and form not in STOPWORDS
    )


def negated(text: str, start: int, *, filler: frozenset[str]) -> bool:
    """Whether a negation governs the words at `start`: a negator ("not", "never", any
    "-n't") before them in the same clause, with only filler words between, so "I have not
    lost" is negated and "not happy with this terrible service" keeps "terrible"."""
    clause = CLAUSE_BREAK.split(text[:start])[-1]
    for word in reversed(CLAUSE_WORD.findall(clause.lower())[-NEGATION_REACH:]):
        if word in NEGATORS or word.endswith("n't"):
            return True
        if word.replace("'", "") not in filler:
            return False
    return False


def country_name(code: str) -> str:
    """A country as a reply names it ("Ukraine"), or its code when the name is not known."""
    return COUNTRY_NAMES.get(code, code)


def _amounts(text: str) -> tuple[tuple[Money, ...], str]:
    """Amounts with a currency or with cents; a bare whole number may be anything else."""
    found = []
    for match in AMOUNT.finditer(text):
        number, marker = match["number"], match["pre"] or match["post"]
        has_cents = "." in number and len(number.rsplit(".", 1)[1]) == 2
        if marker is None and not has_cents:
            continue
        currency = CURRENCIES.get(marker.strip()) if marker else None
        amount = Decimal(number.replace(",", ""))
        if amount > 0:
            found.append(Money(amount, currency, match[0].strip()))
    return tuple(found), AMOUNT.sub(" ", text) if found else text


def _windows(text: str, *, now: datetime) -> tuple[tuple[Window, ...], str]:
    """Every time reference in the text, and the text with them blanked out (so that a date
    such as 20.11.2026 is not read again as an amount)."""
    windows: list[Window] = []
    for pattern, read in DATE_READERS:
        for match in pattern.finditer(text):
            windows += read(match, now)
        text = pattern.sub(" ", text)
    return tuple(windows), text


def _span(start: datetime, end: datetime, label: str) -> Window:
    return Window(start, max(end, start), label)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


def _on(day: date, label: str | None = None) -> Window:
    return Window(_midnight(day), _midnight(day) + DAY, label or day.isoformat())


def _past_date(now: datetime, month: int, day: int, year: int | None) -> tuple[Window, ...]:
    """The date with that month and day, this year unless that is still to come."""
    try:
        found = date(year or now.year, month, day)
        if year is None and found > now.date():
            found = date(now.year - 1, month, day)
    except ValueError:
        return ()
    return (_on(found),)


def _year(text: str | None, now: datetime) -> int | None:
    """A year as written: "26" is 2026, and "99" is 1999 rather than a year to come."""
    if text is None:
        return None
    year = int(text)
    if len(text) == 2:
        year += 2000 if 2000 + year <= now.year else 1900
    return year


def _last_night(match: re.Match[str], now: datetime) -> tuple[Window, ...]:
    today = _midnight(now.date())
    return (_span(today - timedelta(hours=6), min(today + timedelta(hours=6), now), match[0]),)


def _relative_day(match: re.Match[str], now: datetime) -> tuple[Window, ...]:
    today = _midnight(now.date())
    spans = {
        "yesterday": (today - DAY, today),
        "this morning": (today, min(today + timedelta(hours=12), now)),
        "today": (today, now),
    }
    start, end = spans.get(match[0], (today + timedelta(hours=12), now))
    return (_span(start, end, match[0]),)


def _weekday(match: re.Match[str], now: datetime) -> tuple[Window, ...]:
    back = (now.weekday() - WEEKDAYS.index(match[2])) % 7
    if back == 0 and match[1] in ("last", "past"):
        back = 7
    return (_on(now.date() - timedelta(days=back), match[0]),)


def _days_ago(match: re.Match[str], now: datetime) -> tuple[Window, ...]:
    if match[1] == "a few":
        day = now.date()
        return (Window(_midnight(day - timedelta(days=4)), _midnight(day - DAY), match[0]),)
    count = int(match[1]) if match[1].isdigit() else COUNTS[match[1]]
    return (_on(now.date() - timedelta(days=count), match[0]),)


def _weeks_ago(match: re.Match[str], now: datetime) -> tuple[Window, ...]:
    count = int(match[1]) if match[1].isdigit() else COUNTS.get(match[1], 2)
    middle = _midnight(now.date() - timedelta(weeks=count))
    return (Window(middle - 3 * DAY, middle + 4 * DAY, match[0]),)


def _recent(match: re.Match[str], now: datetime) -> tuple[Window, ...]:
    days = 31 if "month" in match[0] else 7
    return (_span(_midnight(now.date()) - timedelta(days=days), now, match[0]),)


def _iso(match: re.Match[str], now: datetime) -> tuple[Window, ...]:
    return _past_date(now, int(match[2]), int(match[3]), int(match[1]))


def _dotted(match: re.Match[str], now: datetime) -> tuple[Window, ...]:
    return _past_date(now, int(match[2]), int(match[1]), int(match[3]))


def _slashed(match: re.Match[str], now: datetime) -> tuple[Window, ...]:
    """20/11 is a day then a month, 11/20 a month then a day; 05/06 could be either."""
    first, second, year = int(match[1]), int(match[2]), _year(match[3], now)
    if first > 12:
        return _past_date(now, second, first, year)
    if second > 12:
        return _past_date(now, first, second, year)
    return _past_date(now, first, second, year) + _past_date(now, second, first, year)


def _month_day(match: re.Match[str], now: datetime) -> tuple[Window, ...]:
    return _past_date(now, _month(match["month"]), int(match["day"]), _year(match["year"], now))


def _month(text: str) -> int:
    return next(index for index, name in enumerate(MONTHS, start=1) if name[:3] == text[:3])


DateReader = Callable[[re.Match[str], datetime], tuple[Window, ...]]
# Most specific first: each pattern's text is blanked before the next looks.
DATE_READERS: tuple[tuple[re.Pattern[str], DateReader], ...] = (
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), _iso),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), _dotted),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b"), _slashed),
    (re.compile(rf"\b(?P<month>{MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
                r"(?:,?\s+(?P<year>\d{4}))?"), _month_day),
    (re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{MONTH})"
                r"(?:,?\s+(?P<year>\d{4}))?"), _month_day),
    (re.compile(r"\b(last night|overnight)\b"), _last_night),
    (re.compile(r"\b(yesterday|this morning|today|tonight|this evening|this afternoon)\b"),
     _relative_day),
    (re.compile(r"\b(?:(last|this|on|past)\s+)?(" + "|".join(WEEKDAYS) + r")\b"), _weekday),
    (re.compile(rf"\b{COUNT}\s+days?\s+ago\b"), _days_ago),
    (re.compile(rf"\b{COUNT}\s+weeks?\s+ago\b"), _weeks_ago),
    (re.compile(r"\b(last|past|this) (week|month)\b"), _recent),
)  # fmt: skip
