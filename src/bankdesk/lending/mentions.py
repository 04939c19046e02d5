"""Classify each money amount in a text: its role, period and how it relates to others."""

import re
from dataclasses import dataclass, replace

from bankdesk.domain.money import Period
from bankdesk.lending.amounts import MoneyMention, find_money
from bankdesk.lending.cues import (
    ADDITIVE,
    APPROXIMATE,
    RESTATEMENT,
    TOTAL,
    Role,
    Sentences,
    period_in,
    strongest_role,
)
from bankdesk.lending.qualifiers import Qualifier, qualifiers_of

_CLAUSE_BREAK = re.compile(r"[,;()](?!\d)|\s(?:and|but|while|plus)\s", re.IGNORECASE)
_RANGE_GAP = re.compile(r"^\s*(?:-|\u2013|\u2014|to)\s*$", re.IGNORECASE)
_AND_GAP = re.compile(r"^\s*and\s*$", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:[-*•·]\s*)?(?P<label>[^:\n]{1,60}):\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s")
# Between two items of one list: a separator and at most a few words ("$350, student loan $200").
_LIST_GAP = re.compile(r"^(?=.{0,30}$)[^.!?]*(?:[,;:/]|\band\b|\bor\b)", re.IGNORECASE)
# A payment per period, even if called what is owed: "I owe $4,000 a month on my car loan".
_PAYMENT_PERIODS = frozenset(
    {Period.MONTHLY, Period.WEEKLY, Period.BIWEEKLY, Period.SEMIMONTHLY, Period.ANNUAL}
)


@dataclass(frozen=True, slots=True)
class Mention:
    """A money amount with what the words around it say about it."""

    money: MoneyMention
    role: Role | None
    period: Period | None
    sentence: tuple[int, int]
    qualifiers: frozenset[Qualifier] = frozenset()
    restatement: bool = False
    approximate: bool = False
    additive: bool = False
    total: bool = False


def classify(text: str, sentences: Sentences) -> list[Mention]:
    """Every money amount outside instruction-like sentences, with its role and period."""
    moneys = find_money(text)
    mentions: list[Mention] = []
    for index, money in enumerate(moneys):
        start, end = money.span.start, money.span.end
        if sentences.is_instruction(start):
            continue  # borrower text is data: instruction-like sentences give no facts
        sentence = sentences.around(start)
        previous_end = moneys[index - 1].span.end if index else 0
        next_start = moneys[index + 1].span.start if index + 1 < len(moneys) else len(text)
        left = _left_window(text, max(sentence[0], previous_end), start)
        right = _right_window(text, end, min(sentence[1], next_start))
        role = strongest_role(left, right) or _list_role(text, start, mentions, sentence)
        period = period_in(right) or period_in(left) or _label_period(text, start)
        if role is Role.BALANCE and period in _PAYMENT_PERIODS:
            role = Role.DEBT
        question = sentences.ends_with_question(start)
        mentions.append(
            Mention(
                money=money,
                role=role,
                period=period,
                sentence=sentence,
                qualifiers=qualifiers_of(left, right, question=question),
                restatement=bool(RESTATEMENT.search(text, max(sentence[0], previous_end), start)),
                approximate=bool(APPROXIMATE.search(left)),
                additive=bool(ADDITIVE.search(text, max(sentence[0], previous_end), start)),
                total=bool(TOTAL.search(left) or TOTAL.search(right)),
            )
        )
    return _inherit_periods(_mark_ranges(text, mentions))


def _left_window(text: str, lower: int, start: int) -> str:
    window_start = lower
    for match in _CLAUSE_BREAK.finditer(text, lower, start):
        window_start = match.end()
    return text[window_start:start]


def _right_window(text: str, end: int, upper: int) -> str:
    cut = _CLAUSE_BREAK.search(text, end, upper)
    return text[end : cut.start() if cut else upper]


def _label_period(text: str, start: int) -> Period | None:
    """A period named by the label the amount directly follows: "Monthly debt payments: $1,800"."""
    line_start = text.rfind("\n", 0, start) + 1
    label = _LABEL.match(text[line_start:start])
    return period_in(label["label"]) if label else None


def _list_role(
    text: str, start: int, earlier: list[Mention], sentence: tuple[int, int]
) -> Role | None:
    """An amount with no cue of its own continues a list: "debts total $625: car $350, ..."."""
    if earlier and earlier[-1].sentence == sentence:
        gap = text[earlier[-1].money.span.end : start]
        return earlier[-1].role if _LIST_GAP.match(gap) else None
    return _heading_role(text, start)


def _heading_role(text: str, start: int) -> Role | None:
    """For a bare list item ("- car: $350"), the role named by the list's heading line."""
    line_start = text.rfind("\n", 0, start) + 1
    if not _LIST_ITEM.match(text, line_start):
        return None
    cursor = line_start - 1
    while cursor > 0:
        heading_start = text.rfind("\n", 0, cursor) + 1
        heading = text[heading_start:cursor]
        if not _LIST_ITEM.match(heading):
            return strongest_role(heading, "") if heading.rstrip().endswith(":") else None
        cursor = heading_start - 1
    return None


def _mark_ranges(text: str, mentions: list[Mention]) -> list[Mention]:
    """Both ends of a range ("$30k to $40k", "between $5,000 and $7,000") are bounds."""
    marked = list(mentions)
    for index in range(len(marked) - 1):
        first, second = marked[index], marked[index + 1]
        gap = text[first.money.span.end : second.money.span.start]
        dash_or_to = _RANGE_GAP.match(gap)
        between = _AND_GAP.match(gap) and Qualifier.BOUND in first.qualifiers
        if dash_or_to or between:
            for position in (index, index + 1):
                bounded = marked[position].qualifiers | {Qualifier.BOUND}
                marked[position] = replace(marked[position], qualifiers=bounded)
    return marked


def _inherit_periods(mentions: list[Mention]) -> list[Mention]:
    """An added amount with no period ("$5,000 a month plus $800") takes its neighbour's."""
    result: list[Mention] = []
    for mention in mentions:
        if mention.period is None and mention.additive and result:
            previous = result[-1]
            if previous.sentence == mention.sentence and previous.role == mention.role:
                mention = replace(mention, period=previous.period)
        result.append(mention)
    return result
