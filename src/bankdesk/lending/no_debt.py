"""Statements that the borrower has no debt, and whether one can be taken at its word."""

import re
from dataclasses import dataclass

from bankdesk.domain.application import Span
from bankdesk.lending.cues import Role, Sentences
from bankdesk.lending.mentions import Mention

NO_DEBT = re.compile(
    r"\b(?:no|zero|without any|free of)\s+(?:other\s+)?(?:monthly\s+)?(?:debts?|loans"
    r"|debt payments|monthly payments|obligations)\b"
    r"|\bdebt[- ]free\b"
    r"|\b(?:don'?t|do not|doesn'?t|does not)\s+have\s+(?:any\s+)?(?:other\s+)?(?:monthly\s+)?"
    r"(?:debts?|loans)\b"
    r"|\b(?:don'?t|do not)\s+owe\s+(?:anything|any money|anyone)\b"
    r"|\b(?:monthly\s+)?(?:debts?|debt payments|obligations)\s*[:=]\s*"
    r"(?:none|nil|n/?a|nothing|zero)(?!\w)",
    re.IGNORECASE,
)
# "I'm not debt-free", "I wish I had no debt", "otherwise I'm debt-free": not a statement of fact.
_DOUBT_BEFORE = re.compile(
    r"\b(?:not|n't|wish|hope|hoping|would|if|want|wanna|once|until|soon|otherwise|almost"
    r"|nearly|basically|mostly|practically)\b[^.!?\n]*$",
    re.IGNORECASE,
)
# "no debts except my car loan", "no debts besides credit cards": debts the text then states.
_EXCEPTION_AFTER = re.compile(
    r"^[^.!?\n]*\b(?:except|besides|apart from|other than|only|but|aside from|beyond"
    r"|excluding|save for|however)\b",
    re.IGNORECASE,
)
# Amounts that may share a sentence with "no debt" without contradicting it.
_FACT_ROLES = frozenset({Role.INCOME, Role.REQUEST, Role.RENT})


@dataclass(frozen=True, slots=True)
class NoDebt:
    """What the text says about having no debt: where it says so, and whether it can be used."""

    spans: tuple[Span, ...]
    usable: bool
    other: bool  # "no other debts": consistent with debts stated elsewhere


def no_debt_statements(text: str, sentences: Sentences, mentions: list[Mention]) -> NoDebt | None:
    """Every "no debt" statement in the text, or None when there is none."""
    spans, usable, other = [], True, False
    for match in NO_DEBT.finditer(text):
        if sentences.is_instruction(match.start()):
            usable = False  # an instruction saying so is not the borrower's statement
            continue
        spans.append(Span(match.start(), match.end(), match.group(0)))
        start, end = sentences.around(match.start())
        doubted = _DOUBT_BEFORE.search(text, start, match.start())
        excepted = _EXCEPTION_AFTER.match(text[match.end() : end])
        unexplained = any(
            m.sentence == (start, end) and m.role not in _FACT_ROLES for m in mentions
        )
        usable = usable and not (doubted or excepted or unexplained)
        other = other or "other" in match.group(0).lower()
    if not spans:
        return None
    return NoDebt(spans=tuple(spans), usable=usable, other=other)
