"""The words around an amount that say what it is (income, debt, request...) and how often."""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from enum import StrEnum

from bankdesk.domain.money import Period


class Role(StrEnum):
    """What an amount in a borrower's text stands for."""

    INCOME = "income"
    DEBT = "debt"
    REQUEST = "request"
    RENT = "rent"
    BALANCE = "balance"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Cue:
    """A phrase that marks a role; a strong cue outweighs any weak one."""

    role: Role
    pattern: re.Pattern[str]
    strength: int


def _cue(role: Role, strength: int, *phrases: str) -> Cue:
    return Cue(role, re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE), strength)


CUES: tuple[Cue, ...] = (
    _cue(
        Role.INCOME,
        3,
        r"rental income",
        r"side (?:gig|job|hustle|income)",
        r"take[- ]home",
        r"bring(?:s|ing)? (?:in|home)",
        r"my pay",
        r"pay rate",
        r"(?:bi-?weekly|weekly|monthly|semi-?monthly|annual|yearly|base|gross|net) pay",
        r"net pay",
        r"gross pay",
        r"pay ?checks?",
        r"pays me",
        r"paid",
    ),
    _cue(
        Role.OTHER,
        3,
        r"down ?payments?",
        r"savings",
        r"saved",
        r"deposit",
        r"worth",
        r"value",
        r"price",
        r"costs?",
        r"bonus(?:es)?",
        r"refund",
        r"limit",
        r"assets?",
        r"equity",
        r"fees?",
        r"paid off",
        r"pay (?:it )?off",
        r"inheritance",
        r"credit score",
    ),
    _cue(
        Role.BALANCE,
        3,
        r"owe[sd]?",
        r"owing",
        r"balances?",
        r"outstanding",
        r"left on",
        r"remaining",
        r"principal",
    ),
    _cue(Role.RENT, 3, r"rent", r"rental payments?", r"my landlord"),
    _cue(
        Role.DEBT,
        3,
        r"debts?",
        r"obligations?",
        r"loan payments?",
        r"car payments?",
        r"car loans?",
        r"auto loans?",
        r"student loans?",
        r"personal loans?",
        r"credit cards?",
        r"card minimums?",
        r"minimum payments?",
        r"mortgage",
        r"alimony",
        r"child support",
        r"installments?",
        r"repayments?",
        r"monthly payments?",
        r"leases?",
        r"lease payments?",
    ),
    _cue(
        Role.INCOME,
        2,
        r"income",
        r"earn(?:s|ed|ing)?",
        r"salary",
        r"wages?",
        r"make[s]?",
        r"making",
        r"made",
        r"pension",
        r"gross",
        r"net",
    ),
    _cue(Role.REQUEST, 3, r"debt consolidation", r"consolidat(?:e|ing) (?:my )?debts?"),
    _cue(
        Role.REQUEST,
        2,
        r"need(?:s|ed|ing)?",
        r"borrow(?:ing)?",
        r"request(?:s|ed|ing)?",
        r"loan amount",
        r"amount requested",
        r"apply(?:ing)? for",
        r"looking for",
        r"looking to (?:get|borrow)",
        r"would like",
        r"want(?:s|ed|ing)?",
        r"financ(?:e|ing)",
        r"hoping (?:for|to get)",
        r"requested amount",
    ),
    _cue(Role.REQUEST, 1, r"loan", r"amount"),
    _cue(Role.DEBT, 1, r"pay(?:s|ing)?", r"payments?"),
)

# Period phrases, most specific first ("bi-weekly" before "weekly", "twice a month" before
# "a month").
_PERIODS: tuple[tuple[Period, re.Pattern[str]], ...] = tuple(
    (period, re.compile(pattern, re.IGNORECASE))
    for period, pattern in (
        (
            Period.BIWEEKLY,
            r"\bbi-?weekly\b|\bevery\s+(?:two|2|other)\s+weeks?\b|\bfortnight(?:ly)?\b",
        ),
        (
            Period.SEMIMONTHLY,
            r"\bsemi-?monthly\b|\btwice\s+(?:a|per|each)\s+month\b|\btwice monthly\b",
        ),
        (Period.HOURLY, r"\b(?:an|per|each|every)\s+(?:hour|hr)\b|\bhourly\b|/\s?(?:hr|hour)\b"),
        (Period.WEEKLY, r"\bweekly\b|\b(?:a|per|each|every)\s+week\b|/\s?(?:wk|week)\b"),
        (
            Period.MONTHLY,
            r"\bmonthly\b|\b(?:a|per|each|every)\s+month\b|/\s?(?:mo|month)\b|\bp/m\b",
        ),
        (
            Period.ANNUAL,
            r"\bannual(?:ly)?\b|\byearly\b|\b(?:a|per|each|every)\s+(?:year|yr)\b"
            r"|/ ?(?:yr|year)\b|\bper annum\b|\bp\.?a\.?(?!\w)",
        ),
    )
)
RESTATEMENT = re.compile(
    r"\b(?:about|around|roughly|approximately|approx\.?|so|i\.e\.?|that's|that is|which is"
    r"|or|equivalent)\s*$|~\s*$|\(\s*$",
    re.IGNORECASE,
)
ADDITIVE = re.compile(
    r"\b(?:plus|also|on top of|additional(?:ly)?|extra|another|second job|side"
    r"|in addition)\b",
    re.IGNORECASE,
)
APPROXIMATE = re.compile(r"\b(?:about|around|roughly|approx|approximately)\b|~", re.IGNORECASE)
TOTAL = re.compile(
    r"\b(?:total(?:ing|ling)?|altogether|all together|combined|in all)\b", re.IGNORECASE
)
INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|rules?|polic(?:y|ies)|prompt)"
    r"|\b(?:system|assistant|developer)\s*:|\boverride\b|\bnew instructions\b"
    r"|\bset (?:the |my )?(?:income|debt|decision|outcome|dti|status)\b"
    r"|\b(?:you must|you are now)\b|\bauto-?approve\b|\bmark (?:this|me|it) as\b",
    re.IGNORECASE,
)


# A line break ends a sentence unless the next line carries on in lower case (a soft wrap).
# A full stop directly followed by a capitalised word ("$20,000.Ignore ...") ends one too.
_SENTENCE_END = re.compile(r"[.!?](?=\s|$|[A-Z][a-z])|\r?\n(?!\s*[a-z])")


class Sentences:
    """The sentences of one text, found once, so each amount's sentence is a lookup."""

    def __init__(self, text: str) -> None:
        self._text = text
        breaks = list(_SENTENCE_END.finditer(text))
        self._break_starts = [match.start() for match in breaks]
        self._break_ends = [match.end() for match in breaks]
        self._instructions: dict[int, bool] = {}

    def around(self, position: int) -> tuple[int, int]:
        """Start and end of the sentence (or list line) around a position."""
        before = bisect_right(self._break_ends, position)
        start = self._break_ends[before - 1] if before else 0
        after = bisect_left(self._break_starts, position)
        end = self._break_starts[after] if after < len(self._break_starts) else len(self._text)
        return start, end

    def ends_with_question(self, position: int) -> bool:
        """Whether the sentence around a position is a question."""
        end = self.around(position)[1]
        return self._text.startswith("?", end)

    def is_instruction(self, position: int) -> bool:
        """Whether the sentence around a position reads as an instruction to the system."""
        start, end = self.around(position)
        if start not in self._instructions:
            self._instructions[start] = bool(INSTRUCTION.search(self._text, start, end))
        return self._instructions[start]


def period_in(text: str) -> Period | None:
    """The first period phrase in a piece of text, if any."""
    for period, pattern in _PERIODS:
        if pattern.search(text):
            return period
    return None


def periods_in(text: str) -> set[Period]:
    """Every period a piece of text names."""
    return {period for period, pattern in _PERIODS if pattern.search(text)}


# Words after which the rest of a clause is a purpose, not a description of the amount:
# "a loan of $20,000 to pay off my cards" (but "$1,800 goes to debt payments" describes it).
_PURPOSE = re.compile(
    r"(?<!goes )(?<!go )(?<!going )(?<!went )\bto\b|\b(?:so|because|since|which|that|but|while)\b",
    re.IGNORECASE,
)


def strongest_role(left: str, right: str) -> Role | None:
    """The role whose cue is strongest; words before the amount weigh one step more."""
    purpose = _PURPOSE.search(right)
    right = right[: purpose.start()] if purpose else right
    best: tuple[int, int, int] | None = None
    role = None
    for cue in CUES:
        for window, side in ((left, 0), (right, 1)):
            for match in cue.pattern.finditer(window):
                distance = len(window) - match.end() if side == 0 else match.start()
                rank = (-(cue.strength + (1 - side)), side, distance)
                if best is None or rank < best:
                    best, role = rank, cue.role
    return role
