"""The fraud-check agent: find the payments a customer does not recognise, score the risk,
block a lost, stolen or compromised card, and open a fraud case for the fraud team.

Risk is a score from 0 to 100: the points of the most suspicious payment's signals, plus
points for what the customer states (a lost, stolen or compromised card; a payment they do
not recognise). 60 and above is escalated to a person; 80 and above is critical, and the
card the payments were made with is blocked even when the customer did not ask, because
further payments on a card with those signals are likely to be fraud too. A report with no
suspect payment blocks the card named, or the only active one; of several, a person asks.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bankdesk.banking.casework import Blocking, block_cards, escalate_case, open_case
from bankdesk.banking.clues import read_clues
from bankdesk.banking.context import AgentContext, identify
from bankdesk.banking.matching import (
    MatchResult,
    MatchStatus,
    describe,
    match_transactions,
    summary,
    unusual_signals,
)
from bankdesk.banking.schemas import Action, AgentRequest, AgentResult, Analysis, Urgency
from bankdesk.banking.statements import card_statement, mentions_card_trouble
from bankdesk.store.banking_models import Card, Customer, Transaction

AGENT = "fraud-check-agent"
ISSUE_TYPE = "fraud_report"
HISTORY = timedelta(days=180)
HISTORY_LIMIT = 1000
RECENT = timedelta(days=7)  # where to look when the customer names no payment
SIGNAL_POINTS = {"new_country": 30, "velocity": 20, "unusual_amount": 20, "new_merchant": 10,
                 "unusual_hour": 10, "card_not_present": 10}  # fmt: skip
STATEMENT_POINTS = {"stolen": 40, "compromised": 40, "lost": 30}
UNFAMILIAR_POINTS = 10
SUSPICIOUS = 40  # a payment's own points from which it is worth reporting unasked
ESCALATE_AT = 60
BLOCK_AT = 80
MAX_SUSPECTS = 10
LEVELS = ((80, Urgency.CRITICAL), (60, Urgency.HIGH), (30, Urgency.NORMAL), (0, Urgency.LOW))
PRIORITIES = {Urgency.CRITICAL: "urgent", Urgency.HIGH: "high", Urgency.NORMAL: "normal",
              Urgency.LOW: "low"}  # fmt: skip
LAST4 = re.compile(r"\b(?:ending|ends|ending in|last four|last 4)\D{0,12}(\d{4})\b")
BLOCK_ADVICE = (
    "If your card is lost, stolen or its details have been shared, block it straight away: "
    "in our mobile app go to Cards and choose Block card, or call the number on the back of "
    "your card or on our website, any time of day. We will never ask you for your PIN or "
    "your full card number."
)


@dataclass(frozen=True, slots=True)
class Suspect:
    """A payment the customer may not have made, with what makes it suspicious."""

    transaction: Transaction
    signals: tuple[str, ...]

    @property
    def points(self) -> int:
        """The risk points of this payment's own signals."""
        return sum(SIGNAL_POINTS.get(signal, 0) for signal in self.signals)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The risk of a report: its score (0..100), level, payments and what the customer said."""

    score: int
    urgency: Urgency
    suspects: tuple[Suspect, ...]
    statement: str | None
    unfamiliar: bool
    named: bool  # the customer pointed at payments; otherwise the suspects were scanned for

    @property
    def signals(self) -> list[str]:
        """Every signal of every suspect, each once, in a stable order."""
        return sorted({signal for suspect in self.suspects for signal in suspect.signals})


def assess(
    suspects: list[Suspect], *, statement: str | None, unfamiliar: bool, named: bool
) -> Assessment:
    """Score a report from its most suspicious payment and what the customer states."""
    score = max((suspect.points for suspect in suspects), default=0)
    score += STATEMENT_POINTS.get(statement or "", 0)
    score += UNFAMILIAR_POINTS if unfamiliar and suspects else 0
    score = min(score, 100)
    urgency = next(level for floor, level in LEVELS if score >= floor)
    ordered = sorted(suspects, key=lambda suspect: -suspect.points)
    return Assessment(score, urgency, tuple(ordered), statement, unfamiliar, named)


async def fraud_check_agent(request: AgentRequest, *, context: AgentContext) -> AgentResult:
    """Check a fraud report against the customer's payments and act on the risk found."""
    message = request.payload.message
    statement = card_statement(message)
    unfamiliar = read_clues(message, now=context.now).unfamiliar
    if statement is None and not unfamiliar and mentions_card_trouble(message):
        return _no_report()  # asked about, denied or found: nothing to check or block
    if request.payload.customer_id is None and statement is not None:
        return _advice_only(statement)
    customer = await identify(request, context, agent=AGENT, issue_type=ISSUE_TYPE)
    if isinstance(customer, AgentResult):
        if statement is None:
            return customer
        return customer.model_copy(update={"answer": f"{customer.answer} {BLOCK_ADVICE}"})
    history = await context.uow.customers.transactions(
        customer.id, since=context.now - HISTORY, limit=HISTORY_LIMIT
    )
    match = match_transactions(message, history, now=context.now, home_country=customer.country)
    # "I lost my card this morning" dates the loss, not a payment: then look for odd payments.
    named = match.clues.unfamiliar or statement is None
    suspects = _suspects(
        match, history, named=named, home_country=customer.country, now=context.now
    )
    assessment = assess(
        suspects, statement=statement, unfamiliar=match.clues.unfamiliar, named=named
    )
    if not assessment.suspects and statement is None:
        return _nothing_found(match)
    cards = await context.uow.customers.cards(customer.id)
    return await _act(context, assessment, match, customer=customer, cards=cards, message=message)


async def _act(
    context: AgentContext, assessment: Assessment, match: MatchResult, *, customer: Customer,
    cards: list[Card], message: str,
) -> AgentResult:  # fmt: skip
    """Open the fraud case, block the cards and escalate, each with its audit event."""
    to_block, unclear = _cards_to_block(assessment, cards, message=message)
    first = assessment.suspects[0].transaction if assessment.suspects else None
    case = await open_case(
        context, kind="fraud", customer_id=customer.id, message=message,
        transaction_id=first.id if first else None,
        card_id=to_block[0].id if to_block else (first.card_id if first else None),
        priority=PRIORITIES[assessment.urgency],
        details=_case_details(assessment, match, to_block=to_block),
        audit={"risk_score": assessment.score, "statement": assessment.statement,
               "signals": assessment.signals,
               "transaction_ids": [s.transaction.id for s in assessment.suspects]},
    )  # fmt: skip
    blocking = await block_cards(
        context, to_block, reason=assessment.statement or "suspected_fraud", case_id=case.id
    )
    if assessment.score >= ESCALATE_AT or unclear:
        await escalate_case(context, case, reason=_escalation_reason(assessment, unclear))
    return _reported(
        assessment, match, case_id=case.id, blocking=blocking, cards=cards, unclear=unclear
    )


def _suspects(
    match: MatchResult, history: list[Transaction], *, named: bool, home_country: str,
    now: datetime,
) -> list[Suspect]:  # fmt: skip
    """The payments the customer points at; when they point at none, the recent odd ones."""
    scanned = not named or match.status is MatchStatus.NO_MATCH
    if not scanned:
        chosen = [candidate.transaction for candidate in match.candidates]
        if match.status is MatchStatus.MATCHED:
            chosen = chosen[:1]
    elif named and match.clues.specific:
        return []  # they described a payment and none fits: ask, do not guess
    else:
        chosen = [item for item in history if now - item.occurred_at <= RECENT]
    suspects = [
        Suspect(item, unusual_signals(item, history, home_country=home_country))
        for item in chosen
        if item.amount < 0
    ]
    if scanned:
        suspects = [suspect for suspect in suspects if suspect.points >= SUSPICIOUS]
    return suspects[:MAX_SUSPECTS]


def _cards_to_block(
    assessment: Assessment, cards: list[Card], *, message: str
) -> tuple[list[Card], list[Card]]:
    """The cards to block, and the active cards to ask about instead.

    A report blocks the card named by its last four digits, else the cards the suspect
    payments used. When the customer's words are all there is, their only active card is
    blocked; of several, none is (a person asks which), since blocking them all would stop
    the cards still in their pocket. Cards not active any more are kept, so the answer can
    say they are blocked already."""
    used = {suspect.transaction.card_id for suspect in assessment.suspects}
    if assessment.statement is None:
        return [card for card in cards if card.id in used and assessment.score >= BLOCK_AT], []
    named = set(LAST4.findall(message))
    chosen = [card for card in cards if card.last4 in named]
    if chosen := chosen or [card for card in cards if card.id in used]:
        return chosen, []
    active = [card for card in cards if card.status == "active"]
    if len(active) > 1:
        return [], active
    return active or cards, []


def _escalation_reason(assessment: Assessment, unclear: list[Card]) -> str:
    parts = [f"risk {assessment.score}/100"]
    if assessment.statement:
        parts.append(f"card reported {assessment.statement}")
    if unclear:
        parts.append(f"{len(unclear)} active cards, none named: ask which to block")
    if assessment.signals:
        parts.append("signals: " + ", ".join(assessment.signals))
    return "; ".join(parts)


def _case_details(
    assessment: Assessment, match: MatchResult, *, to_block: list[Card]
) -> dict[str, Any]:
    return {
        "agent": AGENT,
        "risk_score": assessment.score,
        "risk_scale": "0-100",
        "risk_level": assessment.urgency.value,
        "statement": assessment.statement,
        "customer_unfamiliar": assessment.unfamiliar,
        "signals": {s.transaction.id: list(s.signals) for s in assessment.suspects},
        "transaction_ids": [suspect.transaction.id for suspect in assessment.suspects],
        "transactions": [summary(suspect.transaction) for suspect in assessment.suspects],
        "cards_to_block": [f"card ending {card.last4}" for card in to_block],
        "match": {
            "status": match.status.value,
            "candidates": [candidate.evidence() for candidate in match.candidates[:5]],
        },
    }


def _flags(
    assessment: Assessment, match: MatchResult, *, blocked: bool, unclear: bool
) -> list[str]:
    flags = []
    if assessment.urgency is not Urgency.LOW or assessment.statement is not None:
        flags.append("potential_fraud")
    if assessment.statement is not None:
        flags.append(f"card_{assessment.statement}")
    if assessment.urgency is not Urgency.LOW:  # on a familiar payment they would be noise
        flags += [signal for signal in assessment.signals if signal in SIGNAL_POINTS]
    if blocked:
        flags.append("card_blocked")
    if unclear:
        flags.append("card_unclear")
    if assessment.named and match.status is MatchStatus.AMBIGUOUS:
        flags.append("ambiguous_match")
    if assessment.named and match.clues.specific and match.status is MatchStatus.NO_MATCH:
        flags.append("no_matching_transaction")
    return flags


def _reported(
    assessment: Assessment, match: MatchResult, *, case_id: str, blocking: Blocking,
    cards: list[Card], unclear: list[Card],
) -> AgentResult:  # fmt: skip
    """The answer once the case is open and the cards blocked."""
    last4 = {card.id: card.last4 for card in cards}
    blocked = [card.last4 for card in blocking.blocked]
    already = [(card.last4, card.status) for card in blocking.already]
    asked = [card.last4 for card in unclear]
    escalated = assessment.score >= ESCALATE_AT or bool(unclear)
    actions = [Action(kind="case_opened", detail="fraud case opened", reference=case_id)]
    actions += [
        Action(kind="card_blocked", detail=f"card ending {digits} blocked", reference=case_id)
        for digits in blocked
    ]
    if asked:
        actions.append(Action(kind="confirm_card", detail="customer to say which card to block"))
    if escalated:
        reason = _escalation_reason(assessment, unclear)
        actions.append(Action(kind="escalated", detail=reason, reference=case_id))
    transactions = [
        summary(s.transaction, card_last4=last4.get(s.transaction.card_id or ""))
        for s in assessment.suspects
    ]
    return AgentResult(
        agent=AGENT,
        analysis=Analysis(
            issue_type=ISSUE_TYPE, urgency=assessment.urgency,
            flags=_flags(assessment, match, blocked=bool(blocked), unclear=bool(asked)),
            risk_score=assessment.score, risk_scale="0-100", signals=assessment.signals,
            transactions=transactions, case_id=case_id,
            match_status=match.status.value if assessment.named else "scanned_recent",
            cards_blocked=[f"card ending {digits}" for digits in blocked],
            cards_not_active=[f"card ending {digits}: {status}" for digits, status in already],
        ),
        actions=actions,
        answer=_answer(
            assessment, case_id=case_id, blocked=blocked, already=already, asked=asked
        ),
        notes=_notes(assessment, match),
        escalation_required=escalated,
    )  # fmt: skip


def _answer(
    assessment: Assessment, *, case_id: str, blocked: list[str], already: list[tuple[str, str]],
    asked: list[str],
) -> str:  # fmt: skip
    lines = []
    noun = "payment" if len(assessment.suspects) == 1 else "payments"
    if assessment.suspects and assessment.named:
        lines.append(f"We looked at your recent activity and found the {noun} in question:")
    elif assessment.suspects:
        lines.append(f"We checked your recent activity and this {noun} looks unusual for you:")
    lines += [f"- {describe(suspect.transaction)}" for suspect in assessment.suspects]
    if assessment.suspects and not assessment.named:
        lines.append("If you do not recognise it, tell us and we will add it to your case.")
    if blocked:
        cards = " and ".join(f"card ending {digits}" for digits in blocked)
        lines.append(
            f"To protect you we have blocked your {cards}: no new payments can be made with "
            "it. We will send you a replacement card."
        )
    lines += [f"Your card ending {digits} is already {status}." for digits, status in already]
    if asked:
        cards = " and ".join(f"ending {digits}" for digits in asked)
        lines.append(
            f"You have more than one active card ({cards}), so we have not blocked any yet: "
            "please tell us which card it is by its last four digits and we will block it. "
            "To stop it at once, block it in our mobile app under Cards, Block card."
        )
    if assessment.score >= ESCALATE_AT or assessment.statement is not None:
        lines.append(
            f"We have opened fraud case {case_id} and our fraud team will look at it urgently. "
            "Payments confirmed as fraud are refunded; we will contact you about each one."
        )
    else:
        lines.append(
            f"This looks like a payment you have made before, to a merchant you pay regularly "
            f"and for a usual amount, so please check whether it is a subscription or a "
            f"purchase by someone who shares your card. We have logged your report as case "
            f"{case_id}; if you still do not recognise it, reply and we will dispute it."
        )
    lines.append("We will never ask you for your PIN or your full card number.")
    return "\n".join(lines)


def _notes(assessment: Assessment, match: MatchResult) -> list[str]:
    notes = [f"risk {assessment.score}/100 ({assessment.urgency.value}); match {match.status}"]
    if assessment.statement:
        notes.append(f"customer states the card is {assessment.statement}")
    notes += [
        f"{s.transaction.id} {s.transaction.merchant}: {s.points} points from "
        + (", ".join(s.signals) or "no signals")
        for s in assessment.suspects
    ]
    return notes


def _nothing_found(match: MatchResult) -> AgentResult:
    """No payment fits and nothing looks odd: ask for the details, change nothing."""
    flags = ["no_matching_transaction"] if match.clues.specific else ["no_details"]
    return AgentResult(
        agent=AGENT,
        analysis=Analysis(issue_type=ISSUE_TYPE, urgency=Urgency.NORMAL, flags=flags,
                          risk_score=0, risk_scale="0-100", match_status=match.status.value),
        actions=[Action(kind="request_details", detail="date, amount and merchant needed")],
        answer="We checked your recent payments and could not find one that fits what you "
        "describe, and nothing looks unusual. Please tell us the date, the amount and the "
        f"merchant of the payment you are worried about. {BLOCK_ADVICE}",
        notes=[f"match {match.status}; clues specific: {match.clues.specific}"],
    )  # fmt: skip


def _advice_only(statement: str) -> AgentResult:
    """A lost or stolen card from someone not yet identified: how to block it right now."""
    return AgentResult(
        agent=AGENT,
        analysis=Analysis(issue_type=ISSUE_TYPE, urgency=Urgency.HIGH,
                          flags=["potential_fraud", f"card_{statement}", "unidentified"]),
        actions=[
            Action(kind="identify_customer", detail="customer must sign in or be verified"),
            Action(kind="card_block_advice", detail="told how to block the card themselves"),
        ],
        answer=f"{BLOCK_ADVICE} Once you sign in or we confirm who you are, we can block it for "
        "you and check your account for payments you did not make.",
    )  # fmt: skip


def _no_report() -> AgentResult:
    """A lost or stolen card asked about, denied or found again: how to block one, no more."""
    return AgentResult(
        agent=AGENT,
        analysis=Analysis(issue_type=ISSUE_TYPE, urgency=Urgency.LOW, flags=["no_card_report"]),
        actions=[Action(kind="card_block_advice", detail="told how to block a card")],
        answer=f"{BLOCK_ADVICE} We have not blocked any of your cards: if one is lost or "
        "stolen, tell us which one and we will block it for you.",
        notes=["card trouble only asked about, denied or resolved: nothing checked or changed"],
    )  # fmt: skip
