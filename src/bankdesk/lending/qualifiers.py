"""Words that make an amount something other than the borrower's current, plain figure.

"I don't make $8,000", "I made $9,000 at my last job", "my husband makes $9,000", "I hope to
earn $9,000", "can I borrow $40k if I make $6k?", "at least $30,000", "$30,000 each": each is a
real amount in the text, but reading it as the borrower's income, debt or request would be a
guess. The extractor drops such income (less income never approves more) and leaves a debt or
a request it qualifies empty (dropping a debt could approve more).
"""

import re
from enum import StrEnum


class Qualifier(StrEnum):
    """Why an amount is not a plain statement of the borrower's current figure."""

    NEGATED = "negated"
    PAST = "in the past"
    HYPOTHETICAL = "hypothetical or future"
    QUESTION = "asked as a question"
    SOMEONE_ELSE = "someone else's or shared"
    BOUND = "a bound, not a figure"
    PER_ITEM = "per item"
    WITH_RENT = "combined with rent"


def _words(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


# Each pattern is searched in the words of the amount's own clause, before (left) or after it.
NEGATION_BEFORE = _words(
    r"not", r"never", r"no longer", r"don'?t", r"doesn'?t", r"didn'?t", r"do not", r"does not",
    r"did not", r"isn'?t", r"aren'?t", r"wasn'?t", r"won'?t", r"can'?t", r"cannot",
)  # fmt: skip
PAST_AROUND = re.compile(
    r"\bused to\b|\bpreviously\b|\bformerly\b|\bformer\b|\bprior\b|\buntil\b|\blaid off\b"
    r"|\blost (?:my|the) job\b|\blast (?:year|month|job|salary|employer|position)\b"
    r"|\bold (?:job|employer|position)\b|\bbefore (?:I|my)\b|\bwas\b|\bwere\b"
    r"|(?<!'ve )(?<!have )(?<!has )\b(?:made|earned|got paid)\b",
    re.IGNORECASE,
)
HYPOTHETICAL_AROUND = _words(
    r"will", r"would", r"could", r"might", r"may", r"hope", r"hoping", r"expect", r"expecting",
    r"plan", r"planning", r"going to", r"if", r"once", r"whenever", r"starting", r"should",
    r"potential(?:ly)?", r"possibly", r"maybe", r"perhaps", r"estimated?", r"projected?",
)  # fmt: skip
SOMEONE_ELSE_BEFORE = _words(
    r"husband", r"wife", r"spouse", r"partner", r"boyfriend", r"girlfriend", r"fianc[eé]e?",
    r"father", r"mother", r"dad", r"mom", r"mum", r"parents?", r"son", r"daughter", r"brother",
    r"sister", r"friend", r"roommate", r"co-?signer", r"co-?borrower", r"he", r"she", r"they",
    r"his", r"her", r"their", r"we", r"our", r"household", r"family",
)  # fmt: skip
SHARED_AFTER = _words(r"together", r"jointly", r"between us", r"household")
BOUND_BEFORE = re.compile(
    r"\b(?:up to|at least|at most|as much as|as little as|more than|less than|over|under"
    r"|between|from|nearly|almost|close to|no more than|no less than)"
    r"\s*$",
    re.IGNORECASE,
)
PER_ITEM_BEFORE = re.compile(
    r"\b(?:\d+|two|three|four|five|six|several|multiple)\s+\w+\s+(?:of|at)\s*$", re.IGNORECASE
)
PER_ITEM_AFTER = re.compile(r"^\s*(?:[x\u00d7*]\s*\d|each\b|apiece\b|per (?!month|year|week)\w+)")
RENT_AROUND = _words(r"rent", r"rental")


def qualifiers_of(left: str, right: str, *, question: bool) -> frozenset[Qualifier]:
    """The qualifiers the words around one amount put on it."""
    found: set[Qualifier] = set()
    checks = (
        (Qualifier.NEGATED, NEGATION_BEFORE.search(left)),
        (Qualifier.PAST, PAST_AROUND.search(left) or PAST_AROUND.search(right)),
        (
            Qualifier.HYPOTHETICAL,
            HYPOTHETICAL_AROUND.search(left) or HYPOTHETICAL_AROUND.search(right),
        ),
        (Qualifier.QUESTION, question),
        (Qualifier.SOMEONE_ELSE, SOMEONE_ELSE_BEFORE.search(left) or SHARED_AFTER.search(right)),
        (Qualifier.BOUND, BOUND_BEFORE.search(left)),
        (Qualifier.PER_ITEM, PER_ITEM_BEFORE.search(left) or PER_ITEM_AFTER.search(right)),
        (Qualifier.WITH_RENT, RENT_AROUND.search(left) or RENT_AROUND.search(right)),
    )
    for qualifier, present in checks:
        if present:
            found.add(qualifier)
    return frozenset(found)
